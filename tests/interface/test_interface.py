"""Host interfaces: listing and lookups of the host's network interfaces, and where the driver manages
their configuration, define/start/stop/undefine and change transactions (begin, commit, rollback)."""

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest, expect, hostinterface

ACTIVE = libvirt.VIR_CONNECT_LIST_INTERFACES_ACTIVE
INACTIVE = libvirt.VIR_CONNECT_LIST_INTERFACES_INACTIVE


def _names(ifaces):
    return {iface.name() for iface in ifaces}


class InterfaceQueries(CertTest):
    """
    :avocado: tags=area:interface,cap:interface.query
    """

    def test_list_filters(self):
        """
        ACTIVE and INACTIVE split the interfaces, consistently with virInterfaceIsActive.

        :avocado: tags=api:virConnectListAllInterfaces,api:virInterfaceIsActive,api:virInterfaceGetName
        """
        everything = self.conn.listAllInterfaces(0)
        self.assertTrue(everything, "the host lists no interface")
        names = _names(everything)
        self.assertEqual(len(names), len(everything), "an interface is listed twice")
        active = _names(self.conn.listAllInterfaces(ACTIVE))
        inactive = _names(self.conn.listAllInterfaces(INACTIVE))
        self.assertFalse(active & inactive, f"both active and inactive: {active & inactive}")
        self.assertEqual(active | inactive, names)
        self.assertEqual(_names(self.conn.listAllInterfaces(ACTIVE | INACTIVE)), names)
        for iface in everything:
            self.assertEqual(
                bool(iface.isActive()), iface.name() in active, f"{iface.name()}: isActive vs filter"
            )

    def test_lookups_and_xml(self):
        """
        Each interface is found by name and by MAC, and its XML names it and its MAC.

        :avocado: tags=api:virInterfaceLookupByName,api:virInterfaceLookupByMACString
        :avocado: tags=api:virInterfaceGetMACString,api:virInterfaceGetXMLDesc
        """
        everything = self.conn.listAllInterfaces(0)
        macs = [iface.MACString() for iface in everything]
        for iface in everything:
            name, mac = iface.name(), iface.MACString()
            self.assertEqual(self.conn.interfaceLookupByName(name).MACString(), mac)
            root = xmlsafe.fromstring(iface.XMLDesc(0), f"interface {name} XML")
            self.assertEqual(root.tag, "interface")
            self.assertEqual(root.get("name"), name)
            self.assertTrue(root.get("type"), f"{name}: XML has no type")
            xml_mac = root.find("mac")
            if xml_mac is not None:
                self.assertEqual(xml_mac.get("address").lower(), mac.lower(), f"{name}: MAC in XML")
            if macs.count(mac) == 1:
                self.assertEqual(self.conn.interfaceLookupByMACString(mac).name(), name)
            else:
                self.expect_error(
                    libvirt.VIR_ERR_MULTIPLE_INTERFACES, self.conn.interfaceLookupByMACString, mac
                )
        self.expect_error(libvirt.VIR_ERR_NO_INTERFACE, self.conn.interfaceLookupByName, "acert-no-such")
        unused = hostinterface.random_mac()
        if unused not in macs:
            self.expect_error(libvirt.VIR_ERR_NO_INTERFACE, self.conn.interfaceLookupByMACString, unused)


class InterfaceLegacyLists(CertTest):
    """
    :avocado: tags=area:interface,cap:interface.legacy_lists
    """

    def test_active_counts(self):
        """
        virConnectNumOfInterfaces and virConnectListInterfaces name the active interfaces.

        :avocado: tags=api:virConnectNumOfInterfaces,api:virConnectListInterfaces
        """
        active = _names(self.conn.listAllInterfaces(ACTIVE))
        listed = self.conn.listInterfaces()
        self.assertEqual(set(listed), active)
        self.assertEqual(self.conn.numOfInterfaces(), len(listed))

    def test_inactive_counts(self):
        """
        virConnectNumOfDefinedInterfaces and virConnectListDefinedInterfaces name the inactive ones.

        :avocado: tags=api:virConnectNumOfDefinedInterfaces,api:virConnectListDefinedInterfaces
        """
        inactive = _names(self.conn.listAllInterfaces(INACTIVE))
        listed = self.conn.listDefinedInterfaces()
        self.assertEqual(self.conn.numOfDefinedInterfaces(), len(listed))
        self.assertEqual(
            set(listed), inactive, "the INACTIVE filter of virConnectListAllInterfaces names other interfaces"
        )


class InterfaceConfig(CertTest):
    """
    :avocado: tags=area:interface,cap:interface.config
    """

    def _define(self, mac=None):
        name = self.objects.name("if")
        mac = mac or hostinterface.random_mac()
        xml = hostinterface.ethernet(name, mac, address="192.0.2.77", prefix=24)
        return self.objects.define_interface(xml), name, mac

    def test_define_start_stop_undefine(self):
        """
        A defined interface is inactive and keeps its XML; create brings it up, destroy down, and it is
        gone after undefine.

        :avocado: tags=api:virInterfaceDefineXML,api:virInterfaceCreate,api:virInterfaceDestroy
        :avocado: tags=api:virInterfaceUndefine,api:virInterfaceIsActive,api:virInterfaceGetXMLDesc
        """
        iface, name, mac = self._define()
        self.assertEqual(iface.name(), name)
        self.assertEqual(iface.MACString().lower(), mac)
        self.assertEqual(iface.isActive(), 0)
        self.assertIn(name, self.conn.listDefinedInterfaces())
        root = xmlsafe.fromstring(iface.XMLDesc(0))
        self.assertEqual((root.get("name"), root.get("type")), (name, "ethernet"))
        self.assertEqual(root.find("mac").get("address").lower(), mac)
        ip = root.find("protocol/ip")
        self.assertEqual((ip.get("address"), ip.get("prefix")), ("192.0.2.77", "24"))
        self.assertEqual(iface.create(0), 0)
        self.assertEqual(iface.isActive(), 1)
        self.assertIn(name, _names(self.conn.listAllInterfaces(ACTIVE)))
        self.assertEqual(iface.destroy(0), 0)
        self.assertEqual(iface.isActive(), 0)
        self.assertIn(name, _names(self.conn.listAllInterfaces(INACTIVE)))
        self.assertEqual(iface.undefine(), 0)
        self.expect_error(libvirt.VIR_ERR_NO_INTERFACE, self.conn.interfaceLookupByName, name)
        self.expect_error(libvirt.VIR_ERR_NO_INTERFACE, self.conn.interfaceLookupByMACString, mac)


class InterfaceTransactions(CertTest):
    """
    :avocado: tags=area:interface,cap:interface.transaction
    """

    def _begin(self):
        self.assertEqual(self.conn.changeBegin(0), 0)
        self.objects.on_cleanup("interface change transaction", self._rollback_if_open)

    def _rollback_if_open(self):
        try:
            self.conn.changeRollback(0)
        except libvirt.libvirtError as err:
            if err.get_error_code() != libvirt.VIR_ERR_OPERATION_INVALID:  # no transaction open
                raise

    def _define(self):
        name = self.objects.name("if")
        mac = hostinterface.random_mac()
        self.objects.define_interface(hostinterface.ethernet(name, mac))
        return name

    def test_rollback(self):
        """
        Rolling back a change transaction removes the interface defined inside it.

        :avocado: tags=api:virInterfaceChangeBegin,api:virInterfaceChangeRollback
        """
        self._begin()
        name = self._define()
        self.assertEqual(self.conn.interfaceLookupByName(name).name(), name)
        self.assertEqual(self.conn.changeRollback(0), 0)
        self.expect_error(libvirt.VIR_ERR_NO_INTERFACE, self.conn.interfaceLookupByName, name)

    def test_commit(self):
        """
        Committing a change transaction keeps the interface defined inside it; no rollback remains.

        :avocado: tags=api:virInterfaceChangeBegin,api:virInterfaceChangeCommit
        """
        self._begin()
        name = self._define()
        self.assertEqual(self.conn.changeCommit(0), 0)
        self.assertEqual(self.conn.interfaceLookupByName(name).name(), name)
        expect.refused(self, libvirt.VIR_ERR_OPERATION_INVALID, self.conn.changeRollback, 0)
        self.assertEqual(self.conn.interfaceLookupByName(name).name(), name, "a refused rollback removed it")

    def test_transaction_states(self):
        """
        Commit and rollback without a transaction, and a second begin, are refused as invalid.

        :avocado: tags=api:virInterfaceChangeBegin,api:virInterfaceChangeCommit
        :avocado: tags=api:virInterfaceChangeRollback
        """
        expect.refused(self, libvirt.VIR_ERR_OPERATION_INVALID, self.conn.changeCommit, 0)
        expect.refused(self, libvirt.VIR_ERR_OPERATION_INVALID, self.conn.changeRollback, 0)
        self._begin()
        expect.refused(self, libvirt.VIR_ERR_OPERATION_INVALID, self.conn.changeBegin, 0)
        self.assertEqual(self.conn.changeRollback(0), 0)
