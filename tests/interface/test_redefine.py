"""Redefinition of a host interface (virInterfaceDefineXML on a name that exists), where the driver
manages interface configuration: the definition changes in place and stays one interface."""

from avocado_cert.testing.redefine import InterfaceKind, RedefineTest


class InterfaceRedefine(RedefineTest):
    """
    :avocado: tags=area:interface,cap:interface.redefine,redefine:interface
    """

    kind_class = InterfaceKind

    def test_update(self):
        """
        Defining an interface again with another address updates its definition: one interface of the
        name, the new address in its XML.

        :avocado: tags=api:virInterfaceDefineXML
        """
        self.check_update()
