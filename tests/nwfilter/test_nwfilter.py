"""Network filters and their bindings to ports: define, look up, XML round trip, list, validate."""

import uuid as uuidlib

import libvirt

from avocado_cert.base import naming, xmlsafe
from avocado_cert.testing import CertTest, hostinterface, nwfilter


def _rule(root):
    rule = root.find("rule")
    return (
        rule.get("action"),
        rule.get("direction"),
        rule.get("priority"),
        rule.find("tcp").get("dstportstart"),
    )


class NWFilterLifecycle(CertTest):
    """
    :avocado: tags=area:nwfilter,cap:nwfilter.lifecycle
    """

    def define(self, port=31337):
        name = self.objects.name("nwf")
        return self.objects.define_nwfilter(nwfilter.nwfilter(name, port)), name

    def test_define_lookup_undefine(self):
        """
        A defined filter keeps its rule, is found by name and by UUID, and no lookup finds it after undefine.

        :avocado: tags=api:virNWFilterDefineXML,api:virNWFilterUndefine,api:virNWFilterGetXMLDesc
        :avocado: tags=api:virNWFilterLookupByName,api:virNWFilterLookupByUUID
        :avocado: tags=api:virNWFilterLookupByUUIDString,api:virNWFilterGetName,api:virNWFilterGetUUID
        :avocado: tags=api:virNWFilterGetUUIDString
        """
        nwf, name = self.define(40001)
        self.assertEqual(nwf.name(), name)
        uuid = nwf.UUIDString()
        self.assertEqual(nwf.UUID(), uuidlib.UUID(uuid).bytes)
        root = xmlsafe.fromstring(nwf.XMLDesc(0), "nwfilter XML")
        self.assertEqual((root.get("name"), root.get("chain"), root.findtext("uuid")), (name, "root", uuid))
        self.assertEqual(_rule(root), ("drop", "in", "500", "40001"))
        self.assertEqual(self.conn.nwfilterLookupByName(name).UUIDString(), uuid)
        self.assertEqual(self.conn.nwfilterLookupByUUIDString(uuid).name(), name)
        self.assertEqual(self.conn.nwfilterLookupByUUID(uuidlib.UUID(uuid).bytes).name(), name)
        self.assertEqual(nwf.undefine(), 0)
        self.expect_error(libvirt.VIR_ERR_NO_NWFILTER, self.conn.nwfilterLookupByName, name)
        self.expect_error(libvirt.VIR_ERR_NO_NWFILTER, self.conn.nwfilterLookupByUUIDString, uuid)
        self.expect_error(
            libvirt.VIR_ERR_NO_NWFILTER, self.conn.nwfilterLookupByUUID, uuidlib.UUID(uuid).bytes
        )

    def test_xml_roundtrip_redefine(self):
        """
        The XML a filter returns defines it again unchanged; a changed rule under the same name and UUID
        replaces the old one.

        :avocado: tags=api:virNWFilterDefineXML,api:virNWFilterGetXMLDesc
        """
        nwf, name = self.define(40002)
        xml = nwf.XMLDesc(0)
        again = self.conn.nwfilterDefineXML(xml)
        self.assertEqual(again.UUIDString(), nwf.UUIDString())
        self.assertEqual(
            xmlsafe.tostring(xmlsafe.fromstring(again.XMLDesc(0))), xmlsafe.tostring(xmlsafe.fromstring(xml))
        )
        changed = self.conn.nwfilterDefineXML(nwfilter.nwfilter(name, 40003, filter_uuid=nwf.UUIDString()))
        self.assertEqual(changed.UUIDString(), nwf.UUIDString())
        self.assertEqual(
            _rule(xmlsafe.fromstring(self.conn.nwfilterLookupByName(name).XMLDesc(0)))[3], "40003"
        )

    def test_define_validate(self):
        """
        With VIR_NWFILTER_DEFINE_VALIDATE a valid filter is defined and one the schema rejects is refused
        (VIR_ERR_XML_INVALID_SCHEMA) and not defined.

        :avocado: tags=api:virNWFilterDefineXMLFlags
        """
        name = self.objects.name("nwf")
        self.objects.on_cleanup(f"nwfilter {name}", self._undefine, name)
        good = self.conn.nwfilterDefineXMLFlags(
            nwfilter.nwfilter(name, 40004), libvirt.VIR_NWFILTER_DEFINE_VALIDATE
        )
        self.assertEqual(good.name(), name)
        bad_name = self.objects.name("nwf")
        self.objects.on_cleanup(f"nwfilter {bad_name}", self._undefine, bad_name)
        root = xmlsafe.fromstring(nwfilter.nwfilter(bad_name))
        root.append(root.makeelement("acert-not-in-schema", {}))
        self.expect_error(
            libvirt.VIR_ERR_XML_INVALID_SCHEMA,
            self.conn.nwfilterDefineXMLFlags,
            xmlsafe.tostring(root),
            libvirt.VIR_NWFILTER_DEFINE_VALIDATE,
        )
        self.expect_error(libvirt.VIR_ERR_NO_NWFILTER, self.conn.nwfilterLookupByName, bad_name)

    def _undefine(self, name):
        try:
            self.conn.nwfilterLookupByName(name).undefine()
        except libvirt.libvirtError as err:
            if err.get_error_code() != libvirt.VIR_ERR_NO_NWFILTER:
                raise


class NWFilterLists(CertTest):
    """
    :avocado: tags=area:nwfilter,cap:nwfilter.list
    """

    def test_lists_agree(self):
        """
        virConnectListAllNWFilters, virConnectListNWFilters and virConnectNumOfNWFilters name the same
        filters, the new ones among them.

        :avocado: tags=api:virConnectListAllNWFilters,api:virConnectListNWFilters,api:virConnectNumOfNWFilters
        """
        mine = set()
        for port in (40010, 40011):
            name = self.objects.name("nwf")
            self.objects.define_nwfilter(nwfilter.nwfilter(name, port))
            mine.add(name)
        # Other clients may define or remove filters meanwhile: retry until two reads agree.
        for _attempt in range(5):
            count = self.conn.numOfNWFilters()
            listed = self.conn.listNWFilters()
            everything = {f.name() for f in self.conn.listAllNWFilters(0)}
            if count == self.conn.numOfNWFilters() and set(listed) == everything:
                break
        self.assertEqual(len(listed), count)
        self.assertEqual(set(listed), everything)
        self.assertLessEqual(mine, everything)


class NWFilterBindings(CertTest):
    """
    :avocado: tags=area:nwfilter,cap:nwfilter.binding
    """

    def _filter(self):
        name = self.objects.name("nwf")
        self.objects.define_nwfilter(nwfilter.nwfilter(name, 40020))
        return name

    def test_binding_lifecycle(self):
        """
        A binding of a filter to a port keeps its owner, port, MAC, filter and parameters; it is found by
        port and listed, a second one on the same port is refused, and delete removes it.

        :avocado: tags=api:virNWFilterBindingCreateXML,api:virNWFilterBindingDelete
        :avocado: tags=api:virNWFilterBindingLookupByPortDev,api:virNWFilterBindingGetXMLDesc
        :avocado: tags=api:virNWFilterBindingGetPortDev,api:virNWFilterBindingGetFilterName
        :avocado: tags=api:virConnectListAllNWFilterBindings
        """
        filter_name = self._filter()
        portdev = naming.unique("pd", 6)  # a port device name has 15 characters at most
        mac = hostinterface.random_mac()
        owner, owner_uuid = self.objects.name("dom"), str(uuidlib.uuid4())
        xml = nwfilter.binding(portdev, filter_name, mac, owner, owner_uuid, port=40021)
        binding = self.objects.create_nwfilter_binding(xml)
        self.assertEqual(binding.portDev(), portdev)
        self.assertEqual(binding.filterName(), filter_name)
        root = xmlsafe.fromstring(binding.XMLDesc(0), "binding XML")
        self.assertEqual((root.findtext("owner/name"), root.findtext("owner/uuid")), (owner, owner_uuid))
        self.assertEqual(root.find("portdev").get("name"), portdev)
        self.assertEqual(root.find("mac").get("address").lower(), mac)
        self.assertEqual(root.find("filterref").get("filter"), filter_name)
        params = {p.get("name"): p.get("value") for p in root.findall("filterref/parameter")}
        self.assertEqual(params, {"ACERT_PORT": "40021"})
        found = self.conn.nwfilterBindingLookupByPortDev(portdev)
        self.assertEqual((found.portDev(), found.filterName()), (portdev, filter_name))
        self.assertIn(portdev, {b.portDev() for b in self.conn.listAllNWFilterBindings(0)})
        self.expect_error(
            (libvirt.VIR_ERR_OPERATION_FAILED, libvirt.VIR_ERR_OPERATION_INVALID),
            self.conn.nwfilterBindingCreateXML,
            xml,
            0,
        )
        self.assertEqual(binding.delete(), 0)
        self.expect_error(
            libvirt.VIR_ERR_NO_NWFILTER_BINDING, self.conn.nwfilterBindingLookupByPortDev, portdev
        )
        self.assertNotIn(portdev, {b.portDev() for b in self.conn.listAllNWFilterBindings(0)})

    def test_binding_validate(self):
        """
        With VIR_NWFILTER_BINDING_CREATE_VALIDATE a binding the schema rejects is refused and not created.

        :avocado: tags=api:virNWFilterBindingCreateXML
        """
        filter_name = self._filter()
        portdev = naming.unique("pd", 6)  # a port device name has 15 characters at most
        root = xmlsafe.fromstring(
            nwfilter.binding(portdev, filter_name, hostinterface.random_mac(), "acert-owner")
        )
        root.append(root.makeelement("acert-not-in-schema", {}))
        self.objects.on_cleanup(f"nwfilter binding {portdev}", self._delete_binding, portdev)
        self.expect_error(
            libvirt.VIR_ERR_XML_INVALID_SCHEMA,
            self.conn.nwfilterBindingCreateXML,
            xmlsafe.tostring(root),
            libvirt.VIR_NWFILTER_BINDING_CREATE_VALIDATE,
        )
        self.expect_error(
            libvirt.VIR_ERR_NO_NWFILTER_BINDING, self.conn.nwfilterBindingLookupByPortDev, portdev
        )

    def _delete_binding(self, portdev):
        try:
            self.conn.nwfilterBindingLookupByPortDev(portdev).delete()
        except libvirt.libvirtError as err:
            if err.get_error_code() != libvirt.VIR_ERR_NO_NWFILTER_BINDING:
                raise
