"""Domain autostart: the flag set is read back and selects the domain in listAllDomains' filters."""

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing import domain as dx

AUTOSTART = libvirt.VIR_CONNECT_LIST_DOMAINS_AUTOSTART
NO_AUTOSTART = libvirt.VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART


class Autostart(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.autostart
    """

    def listed(self, flags):
        return {dom.UUIDString() for dom in self.conn.listAllDomains(flags)}

    def test_autostart(self):
        """
        setAutostart turns autostart on and off as autostart() reads it, and the AUTOSTART / NO_AUTOSTART
        filters of listAllDomains follow.

        :avocado: tags=api:virDomainSetAutostart,api:virDomainGetAutostart,api:virConnectListAllDomains
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        other = dx.define(self, dx.domain_root(self, boot=False))
        uuid = dom.UUIDString()
        self.assertEqual(dom.autostart(), 0, "a new domain starts automatically")
        self.assertIn(uuid, self.listed(NO_AUTOSTART))
        self.assertNotIn(uuid, self.listed(AUTOSTART))
        self.assertEqual(dom.setAutostart(1), 0)
        self.assertEqual(dom.autostart(), 1)
        self.assertIn(uuid, self.listed(AUTOSTART))
        self.assertNotIn(uuid, self.listed(NO_AUTOSTART))
        self.assertEqual(other.autostart(), 0, "autostart of one domain changed another")
        self.assertIn(other.UUIDString(), self.listed(NO_AUTOSTART))
        self.assertEqual(dom.setAutostart(0), 0)
        self.assertEqual(dom.autostart(), 0)
        self.assertNotIn(uuid, self.listed(AUTOSTART))
        self.assertIn(uuid, self.listed(NO_AUTOSTART))

    def test_autostart_survives_start_stop(self):
        """
        Autostart is part of the persistent domain: starting and destroying it leaves the flag set.

        :avocado: tags=api:virDomainSetAutostart,api:virDomainGetAutostart
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        self.assertEqual(dom.setAutostart(1), 0)
        dom.create()
        self.assertEqual(dom.autostart(), 1)
        dom.destroy()
        self.assertEqual(dom.autostart(), 1)
        self.assertIn(dom.UUIDString(), self.listed(AUTOSTART | libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE))
