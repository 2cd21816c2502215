"""What a running network changes on the host: its bridge device exists while it is active."""

from avocado_cert.testing import CertTest, hostside
from avocado_cert.testing.network import NetworkSpec


class NetworkOnHost(CertTest):
    """
    :avocado: tags=area:network,cap:network.host_bridge
    """

    def test_bridge_follows_network(self):
        """
        Starting an isolated network creates its bridge on the host; destroy removes it.

        :avocado: tags=api:virNetworkCreate,api:virNetworkDestroy,api:virNetworkGetBridgeName
        """
        self.require(
            hostside.shares_host(self.uri, self.driver),
            f"the host of {self.uri} is not this machine: its network devices cannot be seen",
        )
        spec = NetworkSpec()
        net = self.objects.define_network(spec.xml())
        self.assertFalse(hostside.link_exists(spec.bridge), "the bridge exists before the network starts")
        net.create()
        self.assertEqual(net.bridgeName(), spec.bridge)
        self.wait_for(lambda: hostside.link_exists(spec.bridge), 10, what=f"bridge {spec.bridge} on the host")
        net.destroy()
        self.wait_for(lambda: not hostside.link_exists(spec.bridge), 10, what=f"bridge {spec.bridge} removed")
