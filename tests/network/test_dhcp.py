"""DHCP leases of a network: none without clients, and a guest's lease where a guest asks for one."""

import libvirt
from lxml import etree

from avocado_cert.testing import CertTest
from avocado_cert.testing import network as nethelp
from avocado_cert.testing import xmlbuild
from avocado_cert.testing.network import NetworkSpec


class LeaseTest(CertTest):
    """A running isolated network with DHCP."""

    def setUp(self):
        super().setUp()
        self.spec = NetworkSpec()
        self.net = self.objects.create_network(self.spec.xml())


class DhcpLeases(LeaseTest):
    """
    :avocado: tags=area:network,cap:network.dhcp_leases
    """

    def test_no_clients(self):
        """
        A running network no client has asked an address of has no leases, in full or for one MAC.

        :avocado: tags=api:virNetworkGetDHCPLeases
        """
        self.assertEqual(self.net.DHCPLeases(), [])
        self.assertEqual(self.net.DHCPLeases(nethelp.random_mac()), [])

    def test_static_host_is_not_a_lease(self):
        """
        A static DHCP host entry is configuration, not a lease: it does not appear until a client asks.

        :avocado: tags=api:virNetworkGetDHCPLeases
        """
        mac = nethelp.random_mac()
        fragment = nethelp.dhcp_host(mac, "acert-static", self.spec.address(60))
        self.net.update(
            libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
            libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST,
            -1,
            fragment,
            libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE,
        )
        self.assertEqual(self.net.DHCPLeases(mac), [])
        self.assertEqual(self.net.DHCPLeases(), [])


class DhcpGuestLease(LeaseTest):
    """
    :avocado: tags=area:network,cap:network.dhcp_guest_lease
    """

    def test_guest_lease(self):
        """
        A guest whose NIC asks for an address gets a lease that the network reports, with the
        guest's MAC and an address in the DHCP range, and that the MAC filter finds.

        :avocado: tags=api:virNetworkGetDHCPLeases
        """
        # Needs a guest OS with a NIC driver and a DHCP client, which the profile declares.
        self.require_guest_os("a DHCP lease is requested by the guest OS")
        self.require(
            str(self.param("guest_dhcp_client", "no")).lower() in ("yes", "true", "1"),
            "the profile's guest runs no DHCP client on a NIC (guest_dhcp_client is not set)",
        )
        mac = nethelp.random_mac()
        root = xmlbuild.domain(self.variant_params, self.objects.name("dom"))
        iface = etree.SubElement(root.find("devices"), "interface", type="network")
        etree.SubElement(iface, "source", network=self.spec.name)
        etree.SubElement(iface, "mac", address=mac)
        etree.SubElement(iface, "model", type=str(self.param("guest_nic_model", "virtio")))
        dom = self.objects.define_domain(xmlbuild.to_xml(root))
        dom.create()
        timeout = float(self.param("dhcp_lease_timeout", 60))
        leases = self.wait_for(lambda: self.net.DHCPLeases(mac), timeout, step=0.5, what=f"a lease for {mac}")
        lease = leases[0]
        self.assertEqual(lease["mac"].lower(), mac)
        last = int(lease["ipaddr"].rsplit(".", 1)[1])
        self.assertTrue(
            lease["ipaddr"].startswith(self.spec.subnet + ".") and 100 <= last <= 199, lease["ipaddr"]
        )
        self.assertIn(lease["ipaddr"], [entry["ipaddr"] for entry in self.net.DHCPLeases()])
