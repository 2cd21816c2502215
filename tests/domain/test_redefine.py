"""Redefinition of a domain (virDomainDefineXML on a name that exists, what `virsh edit` does): the
persistent definition changes in place, a running domain keeps its live state until it restarts and
says it is updated, and another UUID under the name (or the UUID under another name) is refused."""

from avocado_cert.testing.redefine import DomainKind, RedefineTest


class DomainRedefine(RedefineTest):
    """
    :avocado: tags=area:domain,cap:domain.redefine,redefine:domain
    """

    kind_class = DomainKind

    def test_update(self):
        """
        Defining an inactive domain again with a change updates it: same UUID, the change in its XML.

        :avocado: tags=api:virDomainDefineXML
        """
        self.check_update()

    def test_running(self):
        """
        Redefining a running domain changes its persistent definition only; the live XML keeps the old
        definition until the domain restarts, then shows the new one.

        :avocado: tags=api:virDomainDefineXML
        """
        self.check_active()

    def test_other_uuid(self):
        """
        The name of a domain with another UUID is refused (VIR_ERR_OPERATION_FAILED), the domain unchanged.

        :avocado: tags=api:virDomainDefineXML
        """
        self.check_other_uuid()

    def test_uuid_other_name(self):
        """
        The UUID of a domain under another name is refused, and no domain of that name appears.

        :avocado: tags=api:virDomainDefineXML
        """
        self.check_uuid_other_name()

    def test_is_updated(self):
        """
        A domain started from its definition is not updated, nor is one restarted after its definition
        was redefined (the restart applies it). What isUpdated answers between a redefinition and the
        restart, libvirt does not document (QEMU and the test driver answer 0): it is not asserted.

        :avocado: tags=api:virDomainIsUpdated
        """
        dom = self.define_domain(boot=False)
        redefined = self._redefined_xml(dom)
        dom.create()
        self.assertEqual(dom.isUpdated(), 0, "a domain started from its definition is updated")
        self.kind.define(redefined)
        self.assertIn(dom.isUpdated(), (0, 1), "isUpdated answers neither 0 nor 1")
        dom.destroy()
        dom.create()
        self.assertEqual(dom.isUpdated(), 0, "the restarted domain is still updated")
