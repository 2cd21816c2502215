"""Domain information and listing: identity, state, the filters of listAllDomains and the older listing
calls, transient creation and its flags, rename."""

import uuid as uuidlib

import libvirt
from lxml import etree

from avocado_cert.host import libvirt_errors
from avocado_cert.testing import CertTest
from avocado_cert.testing import domain as dx
from avocado_cert.testing import xmlbuild

LIST = {
    name[len("VIR_CONNECT_LIST_DOMAINS_") :]: getattr(libvirt, name)
    for name in dir(libvirt)
    if name.startswith("VIR_CONNECT_LIST_DOMAINS_")
}


class DomainInfo(CertTest):
    """
    :avocado: tags=area:domain
    """

    def test_identity(self):
        """
        Name, UUID (raw and string) and id agree with the XML; the id is -1 while inactive.

        :avocado: tags=cap:domain.info
        :avocado: tags=api:virDomainGetName,api:virDomainGetUUID,api:virDomainGetUUIDString
        :avocado: tags=api:virDomainGetID,api:virDomainLookupByID
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        root = dx.config_xml(dom)
        self.assertEqual(dom.name(), root.findtext("name"))
        self.assertEqual(dom.UUIDString(), root.findtext("uuid"))
        self.assertEqual(dom.UUID(), uuidlib.UUID(root.findtext("uuid")).bytes, "raw UUID and string differ")
        self.assertEqual(dom.ID(), -1, "an inactive domain has an id")
        dom.create()
        self.assertGreater(dom.ID(), 0)
        self.assertEqual(dx.live_xml(dom).get("id"), str(dom.ID()))
        self.assertEqual(self.conn.lookupByID(dom.ID()).UUIDString(), dom.UUIDString())

    def test_state_and_control(self):
        """
        getState gives state and reason through define, start and suspend; getControlInfo says the
        domain's control interface is OK; getInfo's state agrees.

        :avocado: tags=cap:domain.info
        :avocado: tags=api:virDomainGetState,api:virDomainGetControlInfo,api:virDomainGetInfo
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_SHUTOFF)
        dom.create()
        self.assertEqual(dom.state(), [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_BOOTED])
        control = dom.controlInfo()
        self.assertEqual(control[0], libvirt.VIR_DOMAIN_CONTROL_OK, f"control state {control}")
        dom.suspend()
        self.assertEqual(dom.state(), [libvirt.VIR_DOMAIN_PAUSED, libvirt.VIR_DOMAIN_PAUSED_USER])
        self.assertEqual(dom.info()[0], libvirt.VIR_DOMAIN_PAUSED, "getInfo and getState disagree")
        dom.destroy()
        self.assertEqual(dom.state(), [libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_DESTROYED])

    def test_hostname(self):
        """
        getHostname returns the guest's host name.

        :avocado: tags=cap:domain.hostname
        :avocado: tags=api:virDomainGetHostname
        """
        self.require_guest_os("the host name comes from inside the guest")
        dom = dx.define(self, dx.domain_root(self))
        dom.create()
        hostname = self.call_agent("getHostname", dom.hostname)
        self.assertTrue(hostname, "empty host name")
        self.assertNotRegex(hostname, r"\s", "a host name has no white space")

    def test_is_updated(self):
        """
        isUpdated reports no change for a domain defined and started without changes.

        :avocado: tags=cap:domain.info
        :avocado: tags=api:virDomainIsUpdated
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        self.assertEqual(dom.isUpdated(), 0)
        dom.create()
        self.assertEqual(dom.isUpdated(), 0)


class DomainListing(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.listing
    """

    def add_snapshot(self, dom):
        """A snapshot record (redefined metadata), so the domain counts as one with a snapshot."""
        snap = etree.Element("domainsnapshot")
        etree.SubElement(snap, "name").text = "acert-snap"
        etree.SubElement(snap, "state").text = "shutoff"
        etree.SubElement(snap, "creationTime").text = "1700000000"
        snap.append(dx.config_xml(dom))
        created = dom.snapshotCreateXML(xmlbuild.to_xml(snap), libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE)
        self.objects.on_cleanup("snapshot acert-snap", self.remove_snapshot, created)
        return created

    @staticmethod
    def remove_snapshot(snap):
        """Metadata only where the driver can; the test driver knows no flags here."""
        try:
            snap.delete(libvirt.VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY)
        except libvirt.libvirtError as err:
            if not libvirt_errors.unsupported_flags(err):
                raise
            snap.delete(0)

    def test_filters(self):
        """
        Each filter of listAllDomains selects exactly the domains of that kind among the ones created here.

        :avocado: tags=api:virConnectListAllDomains
        """
        inactive = dx.define(self, dx.domain_root(self, boot=False))
        running = dx.define(self, dx.domain_root(self, boot=False))
        running.create()
        paused = dx.define(self, dx.domain_root(self, boot=False))
        paused.create()
        paused.suspend()
        transient = dx.create(self, dx.domain_root(self, boot=False))
        self.add_snapshot(inactive)
        ours = {
            d.UUIDString(): name
            for d, name in (
                (inactive, "inactive"),
                (running, "running"),
                (paused, "paused"),
                (transient, "transient"),
            )
        }
        expected = {
            "ACTIVE": {"running", "paused", "transient"},
            "INACTIVE": {"inactive"},
            "PERSISTENT": {"inactive", "running", "paused"},
            "TRANSIENT": {"transient"},
            "RUNNING": {"running", "transient"},
            "PAUSED": {"paused"},
            "SHUTOFF": {"inactive"},
            "OTHER": set(),
            "MANAGEDSAVE": set(),
            "NO_MANAGEDSAVE": set(ours.values()),
            "HAS_SNAPSHOT": {"inactive"},
            "NO_SNAPSHOT": {"running", "paused", "transient"},
        }
        for flag, wanted in expected.items():
            got = {
                ours[d.UUIDString()] for d in self.conn.listAllDomains(LIST[flag]) if d.UUIDString() in ours
            }
            self.assertEqual(got, wanted, f"listAllDomains({flag}) selects {sorted(got)} of ours")
        both = LIST["ACTIVE"] | LIST["PERSISTENT"]
        got = {ours[d.UUIDString()] for d in self.conn.listAllDomains(both) if d.UUIDString() in ours}
        self.assertEqual(got, {"running", "paused"}, "filters of two groups do not combine as AND")

    def test_counts(self):
        """
        numOfDomains / listDomainsID and numOfDefinedDomains / listDefinedDomains agree with listAllDomains.

        :avocado: tags=api:virConnectNumOfDomains,api:virConnectListDomains,api:virConnectListAllDomains
        :avocado: tags=api:virConnectNumOfDefinedDomains,api:virConnectListDefinedDomains
        """
        inactive = dx.define(self, dx.domain_root(self, boot=False))
        running = dx.define(self, dx.domain_root(self, boot=False))
        running.create()
        self.assertIn(running.ID(), self.conn.listDomainsID())
        self.assertIn(inactive.name(), self.conn.listDefinedDomains())
        self.assertNotIn(running.name(), self.conn.listDefinedDomains())

        def snapshot():
            # Other clients of the same daemon may change the lists: take two equal readings.
            return (
                self.conn.numOfDomains(),
                sorted(self.conn.listDomainsID()),
                sorted(d.ID() for d in self.conn.listAllDomains(LIST["ACTIVE"])),
                self.conn.numOfDefinedDomains(),
                sorted(self.conn.listDefinedDomains()),
                sorted(d.name() for d in self.conn.listAllDomains(LIST["INACTIVE"])),
            )

        def stable():
            first = snapshot()
            return first if first == snapshot() else None

        count, ids, all_ids, defined_count, defined, all_defined = self.wait_for(
            stable, 30, what="stable lists"
        )
        self.assertEqual(ids, all_ids, "listDomainsID and listAllDomains(ACTIVE) differ")
        self.assertEqual(count, len(ids), "numOfDomains and listDomainsID differ")
        self.assertEqual(defined, all_defined, "listDefinedDomains and listAllDomains(INACTIVE) differ")
        self.assertEqual(defined_count, len(defined), "numOfDefinedDomains and listDefinedDomains differ")


class TransientDomains(CertTest):
    """
    :avocado: tags=area:domain
    """

    def test_create_xml(self):
        """
        createXML starts a transient domain: running, not persistent, and gone once destroyed.

        :avocado: tags=cap:domain.transient
        :avocado: tags=api:virDomainCreateXML
        """
        root = dx.domain_root(self, boot=False)
        dom = dx.create(self, root)
        self.assertEqual(dom.name(), root.findtext("name"))
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_RUNNING)
        self.assertEqual(dom.isPersistent(), 0)
        self.assertEqual(dom.destroy(), 0)
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.conn.lookupByName, root.findtext("name"))

    def test_start_paused(self):
        """
        VIR_DOMAIN_START_PAUSED starts a transient domain paused, by createXML.

        :avocado: tags=cap:domain.start_flags
        :avocado: tags=api:virDomainCreateXML
        """
        transient = dx.call_flagged(
            self, dx.create, self, dx.domain_root(self, boot=False), libvirt.VIR_DOMAIN_START_PAUSED
        )
        self.assertEqual(transient.state()[0], libvirt.VIR_DOMAIN_PAUSED)

    def test_start_paused_defined(self):
        """
        VIR_DOMAIN_START_PAUSED starts a defined domain paused, by createWithFlags; resume runs it.

        :avocado: tags=cap:domain.start_flags
        :avocado: tags=api:virDomainCreateWithFlags
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        self.assertEqual(dx.call_flagged(self, dom.createWithFlags, libvirt.VIR_DOMAIN_START_PAUSED), 0)
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_PAUSED)
        dom.resume()
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_RUNNING)

    def test_autodestroy(self):
        """
        A domain started with VIR_DOMAIN_START_AUTODESTROY is destroyed when its connection closes.

        :avocado: tags=cap:domain.start_flags
        :avocado: tags=api:virDomainCreateXML
        """
        root = dx.domain_root(self, boot=False)
        name = root.findtext("name")
        self.objects.adopt_domain(name)
        other = self.open_connection()
        try:
            dx.call_flagged(
                self, other.createXML, xmlbuild.to_xml(root), libvirt.VIR_DOMAIN_START_AUTODESTROY
            )
            self.assertEqual(self.conn.lookupByName(name).isActive(), 1)
        finally:
            other.close()

        def gone():
            try:
                self.conn.lookupByName(name)
            except libvirt.libvirtError as err:
                return err.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN
            return False

        self.wait_for(gone, 10, what="the domain to go with its connection")

    def test_create_with_files(self):
        """
        createXMLWithFiles starts a transient domain (here with no files to pass).

        :avocado: tags=cap:domain.create_with_files
        :avocado: tags=api:virDomainCreateXMLWithFiles
        """
        root = dx.domain_root(self)
        name = root.findtext("name")
        self.objects.adopt_domain(name)
        dom = self.conn.createXMLWithFiles(xmlbuild.to_xml(root), [], 0)
        self.assertEqual(dom.name(), name)
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_RUNNING)
        self.assertEqual(dom.isPersistent(), 0)


class DomainRename(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.rename
    """

    def test_rename(self):
        """
        rename gives an inactive domain a new name with the same UUID; the old name is gone; a running
        domain is refused with VIR_ERR_OPERATION_INVALID.

        :avocado: tags=api:virDomainRename
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        old, uuid = dom.name(), dom.UUIDString()
        new = self.objects.name("dom")
        self.objects.adopt_domain(new)
        self.assertEqual(dom.rename(new, 0), 0)
        self.assertEqual(self.conn.lookupByName(new).UUIDString(), uuid)
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.conn.lookupByName, old)
        self.assertEqual(dx.config_xml(self.conn.lookupByUUIDString(uuid)).findtext("name"), new)
        renamed = self.conn.lookupByName(new)
        renamed.create()
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, renamed.rename, self.objects.name("dom"), 0)
        self.assertEqual(renamed.name(), new)
