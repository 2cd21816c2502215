"""Starting a transient domain through the pre-0.4.6 name createLinux, and destroyFlags: the default
forceful stop and the graceful one, each leaving the domain shut off (a transient one gone)."""

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import Runtime


class CreateDestroyTest(CertTest):
    """
    :avocado: disable
    """

    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)

    def create_linux(self, flags=0):
        xml, facts = self.rt.domain_xml()
        self.objects.adopt_domain(facts["name"])
        return self.rt.call_flags("createLinux", self.conn.createLinux, xml, flags), facts["name"]


class CreateLinux(CreateDestroyTest):
    """
    :avocado: tags=area:domain,cap:domain.create_destroy_variants
    """

    def test_create_linux(self):
        """
        createLinux starts a transient domain from XML, as createXML does: it runs, is not persistent,
        is found by name with its XML; destroyed, it is gone (VIR_ERR_NO_DOMAIN).

        :avocado: tags=api:virDomainCreateLinux
        """
        dom, name = self.create_linux()
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)
        self.assertFalse(dom.isPersistent(), "createLinux made a persistent domain")
        found = self.conn.lookupByName(name)
        self.assertEqual(found.UUIDString(), dom.UUIDString())
        self.assertEqual(xmlsafe.fromstring(found.XMLDesc(0)).findtext("name"), name)
        dom.destroy()
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.conn.lookupByName, name)


class CreateLinuxPaused(CreateDestroyTest):
    """
    :avocado: tags=area:domain,cap:domain.start_flags
    """

    def test_create_linux_paused(self):
        """
        createLinux with VIR_DOMAIN_START_PAUSED starts the transient domain with its CPUs paused.

        :avocado: tags=api:virDomainCreateLinux
        """
        dom, _name = self.create_linux(libvirt.VIR_DOMAIN_START_PAUSED)
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_PAUSED)
        dom.resume()
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)


class DestroyFlags(CreateDestroyTest):
    """
    :avocado: tags=area:domain,cap:domain.create_destroy_variants
    """

    def test_destroy_flags(self):
        """
        destroyFlags(DEFAULT) and destroyFlags(GRACEFUL) each stop a running domain: shut off, reason
        DESTROYED, still defined; a transient domain is gone; an inactive domain refuses with
        VIR_ERR_OPERATION_INVALID; an unknown flag is refused with VIR_ERR_INVALID_ARG.

        :avocado: tags=api:virDomainDestroyFlags
        """
        dom, _facts = self.rt.domain()
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, dom.destroyFlags, 1 << 30)
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING, "after a refused destroyFlags")
        for flags in (libvirt.VIR_DOMAIN_DESTROY_DEFAULT, libvirt.VIR_DOMAIN_DESTROY_GRACEFUL):
            if not dom.isActive():
                dom.create()
            self.assertEqual(self.rt.call_flags("destroyFlags", dom.destroyFlags, flags), 0)
            self.assertEqual(dom.state(), [libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_DESTROYED])
            self.assertTrue(dom.isPersistent(), "destroyFlags undefined a persistent domain")
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, dom.destroyFlags, 0)
        transient, facts = self.rt.domain(transient=True)
        self.assertEqual(transient.destroyFlags(libvirt.VIR_DOMAIN_DESTROY_GRACEFUL), 0)
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.conn.lookupByName, facts["name"])
