"""The domain lifecycle: each transition checked through the state the driver reports."""

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest


class DomainLifecycle(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.lifecycle
    """

    def test_define_undefine(self):
        """
        A defined domain is persistent and inactive, keeps its XML, and is gone after undefine.

        :avocado: tags=api:virDomainDefineXML,api:virDomainUndefine,api:virDomainIsActive
        :avocado: tags=api:virDomainIsPersistent
        """
        xml = self.domain_xml(memory_kib=262144, vcpus=2)
        dom = self.objects.define_domain(xml)
        self.assertEqual(dom.isPersistent(), 1)
        self.assertEqual(dom.isActive(), 0)
        self.assert_state(dom, libvirt.VIR_DOMAIN_SHUTOFF)
        wanted = xmlsafe.fromstring(xml)
        got = xmlsafe.fromstring(dom.XMLDesc(0))
        self.assertEqual(got.findtext("name"), wanted.findtext("name"))
        self.assertEqual(int(got.findtext("memory")), 262144)
        self.assertEqual(int(got.findtext("vcpu")), 2)
        name = dom.name()
        self.assertEqual(dom.undefine(), 0)
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.conn.lookupByName, name)

    def test_start_destroy(self):
        """
        Starting makes the domain active and running with an id; destroy stops it.

        :avocado: tags=api:virDomainCreate,api:virDomainDestroy,api:virDomainGetState
        """
        dom = self.define_domain(boot=False)
        self.assertEqual(dom.create(), 0)
        self.assertEqual(dom.isActive(), 1)
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)
        self.assertGreater(dom.ID(), 0, "a running domain has a positive id")
        self.assertEqual(dom.destroy(), 0)
        self.assertEqual(dom.isActive(), 0)
        self.assert_state(dom, libvirt.VIR_DOMAIN_SHUTOFF)
        self.assertEqual(dom.isPersistent(), 1, "destroy must not undefine a persistent domain")

    def test_suspend_resume(self):
        """
        Suspend pauses a running domain; resume makes it run again.

        :avocado: tags=api:virDomainSuspend,api:virDomainResume
        """
        dom = self.define_domain(boot=False)
        dom.create()
        self.assertEqual(dom.suspend(), 0)
        self.assert_state(dom, libvirt.VIR_DOMAIN_PAUSED)
        self.assertEqual(dom.isActive(), 1, "a paused domain is still active")
        self.assertEqual(dom.resume(), 0)
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)

    def test_shutdown(self):
        """
        A shutdown request ends with the domain shut off.

        :avocado: tags=api:virDomainShutdown
        """
        self.require_guest_os("a shutdown request is answered by the guest OS")
        if self.guest == "simulated":
            dom = self.define_domain()
            dom.create()
        else:
            # A real guest OS answers the request only once it is up.
            dom = self.boot_guest("a shutdown request is answered by the guest OS").dom
        self.assertEqual(dom.shutdown(), 0)
        timeout = float(self.param("shutdown_timeout", 30))
        self.wait_for(lambda: dom.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF, timeout, what="shut off")
        self.assertEqual(dom.isActive(), 0)


class DomainStateErrors(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.state_errors
    """

    def test_suspend_inactive(self):
        """
        Suspending a domain that is not running is refused with VIR_ERR_OPERATION_INVALID.

        :avocado: tags=api:virDomainSuspend
        """
        dom = self.define_domain()
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, dom.suspend)
        self.assert_state(dom, libvirt.VIR_DOMAIN_SHUTOFF)


class DomainLookup(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.lookup
    """

    def test_lookup(self):
        """
        A domain is found by name, UUID and (while running) id, and is listed.

        :avocado: tags=api:virDomainLookupByName,api:virDomainLookupByUUIDString
        :avocado: tags=api:virDomainLookupByID,api:virConnectListAllDomains,api:virDomainGetName
        :avocado: tags=api:virDomainGetUUIDString,api:virDomainGetID
        """
        dom = self.define_domain(boot=False)
        uuid = dom.UUIDString()
        self.assertEqual(self.conn.lookupByName(dom.name()).UUIDString(), uuid)
        self.assertEqual(self.conn.lookupByUUIDString(uuid).name(), dom.name())
        self.assertIn(uuid, [d.UUIDString() for d in self.conn.listAllDomains(0)])
        inactive = [
            d.UUIDString() for d in self.conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE)
        ]
        self.assertIn(uuid, inactive)
        dom.create()
        self.assertEqual(self.conn.lookupByID(dom.ID()).UUIDString(), uuid)
        active = [d.UUIDString() for d in self.conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)]
        self.assertIn(uuid, active)

    def test_lookup_missing(self):
        """
        Looking up a domain that does not exist gives VIR_ERR_NO_DOMAIN.

        :avocado: tags=api:virDomainLookupByName
        """
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.conn.lookupByName, self.objects.name("missing"))
