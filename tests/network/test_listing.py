"""Finding networks: lookups by name and UUID, listAllNetworks filters, and the legacy counters."""

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing.network import NetworkSpec

FILTERS = {
    "ACTIVE": libvirt.VIR_CONNECT_LIST_NETWORKS_ACTIVE,
    "INACTIVE": libvirt.VIR_CONNECT_LIST_NETWORKS_INACTIVE,
    "PERSISTENT": libvirt.VIR_CONNECT_LIST_NETWORKS_PERSISTENT,
    "TRANSIENT": libvirt.VIR_CONNECT_LIST_NETWORKS_TRANSIENT,
    "AUTOSTART": libvirt.VIR_CONNECT_LIST_NETWORKS_AUTOSTART,
    "NO_AUTOSTART": libvirt.VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART,
}


class NetworkLookup(CertTest):
    """
    :avocado: tags=area:network,cap:network.lookup
    """

    def test_lookup(self):
        """
        A network is found by name, raw UUID and UUID string, and reports the same identity each way.

        :avocado: tags=api:virNetworkLookupByName,api:virNetworkLookupByUUID
        :avocado: tags=api:virNetworkLookupByUUIDString,api:virNetworkGetName
        :avocado: tags=api:virNetworkGetUUID,api:virNetworkGetUUIDString
        """
        spec = NetworkSpec()
        net = self.objects.define_network(spec.xml())
        uuid = net.UUIDString()
        self.assertEqual(len(net.UUID()), 16)
        self.assertEqual(self.conn.networkLookupByName(spec.name).UUIDString(), uuid)
        self.assertEqual(self.conn.networkLookupByUUIDString(uuid).name(), spec.name)
        self.assertEqual(self.conn.networkLookupByUUID(net.UUID()).name(), spec.name)

    def test_lookup_missing(self):
        """
        Looking up a network that does not exist gives VIR_ERR_NO_NETWORK, by name and by UUID.

        :avocado: tags=api:virNetworkLookupByName,api:virNetworkLookupByUUIDString
        """
        spec = NetworkSpec()
        net = self.objects.define_network(spec.xml())
        uuid = net.UUIDString()
        net.undefine()
        self.expect_error(libvirt.VIR_ERR_NO_NETWORK, self.conn.networkLookupByName, spec.name)
        self.expect_error(libvirt.VIR_ERR_NO_NETWORK, self.conn.networkLookupByUUIDString, uuid)


class NetworkListing(CertTest):
    """
    :avocado: tags=area:network,cap:network.list
    """

    def setUp(self):
        super().setUp()
        # One network per kind: defined with autostart, defined and running, transient and running.
        self.stopped = NetworkSpec()
        parked = self.objects.define_network(self.stopped.xml())
        parked.setAutostart(1)
        self.started = NetworkSpec()
        self.objects.define_network(self.started.xml()).create()
        self.transient = NetworkSpec()
        self.objects.create_network(self.transient.xml())

    def listed(self, flags):
        return {net.name() for net in self.conn.listAllNetworks(flags)}

    def test_filters(self):
        """
        Every listAllNetworks filter keeps exactly the networks in that state.

        :avocado: tags=api:virConnectListAllNetworks
        """
        expected = {
            "ACTIVE": {self.started.name, self.transient.name},
            "INACTIVE": {self.stopped.name},
            "PERSISTENT": {self.stopped.name, self.started.name},
            "TRANSIENT": {self.transient.name},
            "AUTOSTART": {self.stopped.name},
            "NO_AUTOSTART": {self.started.name, self.transient.name},
        }
        ours = {self.stopped.name, self.started.name, self.transient.name}
        self.assertTrue(ours <= self.listed(0), "listAllNetworks(0) misses a network")
        for label, flags in FILTERS.items():
            got = self.listed(flags) & ours
            self.assertEqual(got, expected[label], f"VIR_CONNECT_LIST_NETWORKS_{label}")
        both = self.listed(FILTERS["ACTIVE"] | FILTERS["PERSISTENT"]) & ours
        self.assertEqual(both, {self.started.name}, "ACTIVE|PERSISTENT must intersect the two filters")

    def snapshot(self):
        """The listings read twice in a row until they agree (other clients may change the host)."""
        for _attempt in range(20):
            before = (self.listed(FILTERS["ACTIVE"]), self.listed(FILTERS["INACTIVE"]))
            counts = (self.conn.numOfNetworks(), self.conn.numOfDefinedNetworks())
            legacy = (set(self.conn.listNetworks()), set(self.conn.listDefinedNetworks()))
            after = (self.listed(FILTERS["ACTIVE"]), self.listed(FILTERS["INACTIVE"]))
            if before == after:
                return after, counts, legacy
        self.skip_because("the host's networks kept changing while they were being counted")
        return None

    def test_counts_agree(self):
        """
        numOfNetworks/listNetworks and numOfDefinedNetworks/listDefinedNetworks agree with
        listAllNetworks' ACTIVE and INACTIVE filters.

        :avocado: tags=api:virConnectNumOfNetworks,api:virConnectListNetworks
        :avocado: tags=api:virConnectNumOfDefinedNetworks,api:virConnectListDefinedNetworks
        """
        (active, inactive), (num_active, num_inactive), (names, defined) = self.snapshot()
        self.assertEqual(names, active)
        self.assertEqual(defined, inactive)
        self.assertEqual(num_active, len(active))
        self.assertEqual(num_inactive, len(inactive))
        self.assertIn(self.started.name, names)
        self.assertIn(self.transient.name, names)
        self.assertIn(self.stopped.name, defined)
