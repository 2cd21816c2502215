"""virNetworkUpdate: sections of a network changed in place, and where the change lands (live, config)."""

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing import network as nethelp
from avocado_cert.testing.network import NetworkSpec

ADD = libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST
ADD_FIRST = libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST
MODIFY = libvirt.VIR_NETWORK_UPDATE_COMMAND_MODIFY
DELETE = libvirt.VIR_NETWORK_UPDATE_COMMAND_DELETE
LIVE = libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE
CONFIG = libvirt.VIR_NETWORK_UPDATE_AFFECT_CONFIG
BOTH = LIVE | CONFIG


class UpdateTest(CertTest):
    """A running persistent network to update."""

    def setUp(self):
        super().setUp()
        self.spec = NetworkSpec()
        self.net = self.objects.define_network(self.spec.xml())
        self.net.create()

    def update(self, command, section, fragment, flags=BOTH):
        self.log.info("update %s %s: %s", command, section, fragment)
        self.assertEqual(self.net.update(command, nethelp.SECTIONS[section], -1, fragment, flags), 0)

    def live_has(self, section, **match):
        return nethelp.has_item(self.net.XMLDesc(0), section, **match)


class NetworkUpdate(UpdateTest):
    """
    :avocado: tags=area:network,cap:network.update
    """

    def test_dhcp_host(self):
        """
        A static DHCP host is added, modified (matched by MAC) and deleted.

        :avocado: tags=api:virNetworkUpdate
        """
        mac = nethelp.random_mac()
        self.update(ADD, "dhcp-host", nethelp.dhcp_host(mac, "acert-h1", self.spec.address(11)))
        self.assertTrue(self.live_has("dhcp-host", mac=mac, name="acert-h1", ip=self.spec.address(11)))
        self.update(MODIFY, "dhcp-host", nethelp.dhcp_host(mac, "acert-h2", self.spec.address(12)))
        self.assertTrue(self.live_has("dhcp-host", mac=mac, name="acert-h2", ip=self.spec.address(12)))
        self.assertFalse(self.live_has("dhcp-host", name="acert-h1"), "MODIFY left the old entry")
        self.update(DELETE, "dhcp-host", nethelp.dhcp_host(mac, "acert-h2", self.spec.address(12)))
        self.assertFalse(self.live_has("dhcp-host", mac=mac))

    def test_dhcp_host_duplicate(self):
        """
        Adding a DHCP host whose MAC is already there is refused and leaves one entry.

        :avocado: tags=api:virNetworkUpdate
        """
        mac = nethelp.random_mac()
        self.update(ADD, "dhcp-host", nethelp.dhcp_host(mac, "acert-h1", self.spec.address(11)))
        fragment = nethelp.dhcp_host(mac, "acert-h1", self.spec.address(11))
        err = self.expect_error(
            (libvirt.VIR_ERR_OPERATION_INVALID, libvirt.VIR_ERR_INVALID_ARG),
            self.net.update,
            ADD,
            nethelp.SECTIONS["dhcp-host"],
            -1,
            fragment,
            BOTH,
        )
        self.assertIsNotNone(err)
        hosts = [h for h in nethelp.section_items(self.net.XMLDesc(0), "dhcp-host") if h.get("mac") == mac]
        self.assertEqual(len(hosts), 1)

    def test_dns_host(self):
        """
        A DNS host entry is added and deleted.

        :avocado: tags=api:virNetworkUpdate
        """
        ip = self.spec.address(21)
        self.update(ADD, "dns-host", nethelp.dns_host(ip, "acert-dns1"))
        self.assertTrue(self.live_has("dns-host", ip=ip, hostname="acert-dns1"))
        self.update(DELETE, "dns-host", nethelp.dns_host(ip, "acert-dns1"))
        self.assertFalse(self.live_has("dns-host", ip=ip))

    def test_portgroup(self):
        """
        A port group is added, modified (its bandwidth) and deleted.

        :avocado: tags=api:virNetworkUpdate
        """
        self.update(ADD_FIRST, "portgroup", nethelp.portgroup("acert-pg", inbound=1000))
        self.assertTrue(self.live_has("portgroup", name="acert-pg", inbound="1000"))
        self.update(MODIFY, "portgroup", nethelp.portgroup("acert-pg", inbound=2000))
        self.assertTrue(self.live_has("portgroup", name="acert-pg", inbound="2000"))
        self.update(DELETE, "portgroup", nethelp.portgroup("acert-pg"))
        self.assertFalse(self.live_has("portgroup", name="acert-pg"))

    def test_dhcp_range(self):
        """
        A DHCP range is added beside the first one, then deleted, leaving the first one intact.

        :avocado: tags=api:virNetworkUpdate
        """
        extra = nethelp.dhcp_range(self.spec.address(200), self.spec.address(210))
        self.update(ADD, "dhcp-range", extra)
        self.assertTrue(self.live_has("dhcp-range", start=self.spec.address(200), end=self.spec.address(210)))
        self.assertTrue(self.live_has("dhcp-range", start=self.spec.address(100)))
        self.update(DELETE, "dhcp-range", extra)
        self.assertFalse(self.live_has("dhcp-range", start=self.spec.address(200)))
        self.assertTrue(self.live_has("dhcp-range", start=self.spec.address(100)))

    def test_modify_refused_where_only_add_delete(self):
        """
        DNS hosts and DHCP ranges are only added or deleted: MODIFY is refused with
        VIR_ERR_OPERATION_UNSUPPORTED and leaves the entries as they were.

        :avocado: tags=api:virNetworkUpdate
        """
        ip = self.spec.address(22)
        self.update(ADD, "dns-host", nethelp.dns_host(ip, "acert-dns1"))
        attempts = (
            ("dns-host", nethelp.dns_host(ip, "acert-dns2")),
            ("dhcp-range", nethelp.dhcp_range(self.spec.address(100), self.spec.address(150))),
        )
        for section, fragment in attempts:
            self.expect_error(
                libvirt.VIR_ERR_OPERATION_UNSUPPORTED,
                self.net.update,
                MODIFY,
                nethelp.SECTIONS[section],
                -1,
                fragment,
                BOTH,
            )
        self.assertTrue(self.live_has("dns-host", ip=ip, hostname="acert-dns1"))
        self.assertFalse(self.live_has("dns-host", hostname="acert-dns2"))
        self.assertTrue(self.live_has("dhcp-range", start=self.spec.address(100), end=self.spec.address(199)))

    def test_inactive_network(self):
        """
        On a stopped network a CONFIG update lands in its definition; a LIVE update is refused
        with VIR_ERR_OPERATION_INVALID.

        :avocado: tags=api:virNetworkUpdate
        """
        self.net.destroy()
        mac = nethelp.random_mac()
        self.update(ADD, "dhcp-host", nethelp.dhcp_host(mac, "acert-cfg", self.spec.address(31)), CONFIG)
        self.assertTrue(self.live_has("dhcp-host", mac=mac))
        other = nethelp.random_mac()
        fragment = nethelp.dhcp_host(other, "acert-live", self.spec.address(32))
        self.expect_error(
            libvirt.VIR_ERR_OPERATION_INVALID,
            self.net.update,
            ADD,
            nethelp.SECTIONS["dhcp-host"],
            -1,
            fragment,
            LIVE,
        )
        self.assertFalse(self.live_has("dhcp-host", mac=other))
        self.net.create()
        self.assertTrue(
            self.live_has("dhcp-host", mac=mac), "the CONFIG update is not in the started network"
        )


class NetworkUpdateScope(UpdateTest):
    """
    :avocado: tags=area:network,cap:network.update_scope
    """

    def test_live_vs_config(self):
        """
        On a running network, a LIVE-only change shows now and is gone after a restart; a CONFIG-only
        change does not show now and is there after a restart.

        :avocado: tags=api:virNetworkUpdate,api:virNetworkGetXMLDesc
        """
        live_mac, config_mac = nethelp.random_mac(), nethelp.random_mac()
        self.update(ADD, "dhcp-host", nethelp.dhcp_host(live_mac, "acert-live", self.spec.address(41)), LIVE)
        self.update(
            ADD, "dhcp-host", nethelp.dhcp_host(config_mac, "acert-cfg", self.spec.address(42)), CONFIG
        )
        self.assertTrue(
            self.live_has("dhcp-host", mac=live_mac), "LIVE change missing from the running network"
        )
        self.assertFalse(
            self.live_has("dhcp-host", mac=config_mac), "CONFIG-only change applied to the running network"
        )
        self.net.destroy()
        self.assertFalse(
            self.live_has("dhcp-host", mac=live_mac), "LIVE-only change leaked into the definition"
        )
        self.assertTrue(
            self.live_has("dhcp-host", mac=config_mac), "CONFIG change missing from the definition"
        )
        self.net.create()
        self.assertFalse(self.live_has("dhcp-host", mac=live_mac), "LIVE-only change survived a restart")
        self.assertTrue(self.live_has("dhcp-host", mac=config_mac), "CONFIG change not applied at restart")

    def test_xml_inactive(self):
        """
        VIR_NETWORK_XML_INACTIVE shows a running network's definition: LIVE-only changes are absent
        from it and present in the live XML.

        :avocado: tags=api:virNetworkGetXMLDesc,api:virNetworkUpdate
        """
        live_mac = nethelp.random_mac()
        self.update(ADD, "dhcp-host", nethelp.dhcp_host(live_mac, "acert-live", self.spec.address(51)), LIVE)
        try:
            inactive = self.net.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_INVALID_ARG and "unsupported flags" in str(err):
                self.unsupported(f"virNetworkGetXMLDesc: {err.get_error_message()}")
            raise
        self.assertIn(self.spec.name, inactive)
        self.assertFalse(
            nethelp.has_item(inactive, "dhcp-host", mac=live_mac), "LIVE change in the INACTIVE XML"
        )
        self.assertTrue(self.live_has("dhcp-host", mac=live_mac))
