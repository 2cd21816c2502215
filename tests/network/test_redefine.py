"""Redefinition of a network (virNetworkDefineXML on a name that exists): the definition changes in
place, an active network keeps its live state until it restarts, and another UUID under the name (or the
UUID under another name) is refused."""

from avocado_cert.testing.redefine import NetworkKind, RedefineTest


class NetworkRedefine(RedefineTest):
    """
    :avocado: tags=area:network,cap:network.redefine,redefine:network
    """

    kind_class = NetworkKind

    def test_update(self):
        """
        Defining an inactive network again with a change updates it: same UUID, the change in its XML.

        :avocado: tags=api:virNetworkDefineXML
        """
        self.check_update()

    def test_active(self):
        """
        Redefining an active network changes its persistent definition only (the XML with
        VIR_NETWORK_XML_INACTIVE); the live XML changes when the network restarts.

        :avocado: tags=api:virNetworkDefineXML
        """
        self.check_active()

    def test_other_uuid(self):
        """
        The name of a network with another UUID is refused (VIR_ERR_OPERATION_FAILED), the network unchanged.

        :avocado: tags=api:virNetworkDefineXML
        """
        self.check_other_uuid()

    def test_uuid_other_name(self):
        """
        The UUID of a network under another name is refused, and no network of that name appears.

        :avocado: tags=api:virNetworkDefineXML
        """
        self.check_uuid_other_name()
