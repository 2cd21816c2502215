"""Redefinition of a network filter (virNWFilterDefineXML on a name that exists): the rules change in
place under the same UUID, and another UUID under the name (or the UUID under another name) is refused."""

from avocado_cert.testing.redefine import NWFilterKind, RedefineTest


class NWFilterRedefine(RedefineTest):
    """
    :avocado: tags=area:nwfilter,cap:nwfilter.redefine,redefine:nwfilter
    """

    kind_class = NWFilterKind

    def test_update(self):
        """
        Defining a filter again with another rule updates it: same UUID, the new rule in its XML.

        :avocado: tags=api:virNWFilterDefineXML
        """
        self.check_update()

    def test_other_uuid(self):
        """
        The name of a filter with another UUID is refused (VIR_ERR_OPERATION_FAILED), the filter unchanged.

        :avocado: tags=api:virNWFilterDefineXML
        """
        self.check_other_uuid()

    def test_uuid_other_name(self):
        """
        The UUID of a filter under another name is refused, and no filter of that name appears.

        :avocado: tags=api:virNWFilterDefineXML
        """
        self.check_uuid_other_name()
