"""Saving a domain's state to a file and restoring it; managed save, which the next start resumes.

After save the domain is no longer running; after restore it runs again (or is paused, as asked)
with the same identity and XML; an XML updated in the image is the XML the restored domain has.
"""

import os

import libvirt
from lxml import etree

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import Runtime


def description(xml_root):
    return xml_root.findtext("description") or ""


def with_description(xml, text):
    """The domain XML with its <description> set to text (an ABI-neutral change a save image accepts)."""
    root = xmlsafe.fromstring(xml)
    element = root.find("description")
    if element is None:
        element = etree.Element("description")
        root.find("name").addnext(element)
    element.text = text
    return etree.tostring(root, encoding="unicode")


class SaveTest(CertTest):
    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)

    def saved_domain(self):
        """A running persistent domain on a disk of the test's pool, and a path for its image."""
        dom, _facts, _vol = self.rt.disk_domain()
        return dom, self.rt.scratch_file("domain.save")

    def assert_saved(self, dom, path):
        self.assertEqual(dom.isActive(), 0, "the domain is still active after save")
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_SHUTOFF)
        self.assertTrue(os.path.isfile(path), f"no save image at {path}")
        self.assertGreater(os.path.getsize(path), 0, "the save image is empty")


class DomainSaveRestore(SaveTest):
    """
    :avocado: tags=area:domain
    """

    def test_save_restore(self):
        """
        save stops the domain and writes its state to a file; restore runs the same domain again
        with the XML it had.

        :avocado: tags=cap:domain.save,api:virDomainSave,api:virDomainRestore
        """
        dom, path = self.saved_domain()
        before = self.rt.xml_of(dom, libvirt.VIR_DOMAIN_XML_INACTIVE)
        uuid = dom.UUIDString()
        self.assertEqual(dom.save(path), 0)
        self.assert_saved(dom, path)
        self.assertEqual(dom.state()[1], libvirt.VIR_DOMAIN_SHUTOFF_SAVED, "shutoff reason is not SAVED")
        self.assertEqual(self.conn.restore(path), 0)
        restored = self.conn.lookupByUUIDString(uuid)
        self.assert_state(restored, libvirt.VIR_DOMAIN_RUNNING)
        self.assertEqual(
            restored.state()[1], libvirt.VIR_DOMAIN_RUNNING_RESTORED, "running reason is not RESTORED"
        )
        after = self.rt.xml_of(restored, libvirt.VIR_DOMAIN_XML_INACTIVE)
        for path_ in ("name", "uuid", "memory", "vcpu", "devices/disk/source"):
            got, wanted = after.find(path_), before.find(path_)
            self.assertEqual(
                (got.text, dict(got.attrib)), (wanted.text, dict(wanted.attrib)), f"{path_} changed"
            )

    def test_save_transient(self):
        """
        A transient domain is gone after save (lookup fails with VIR_ERR_NO_DOMAIN) and back after restore.

        :avocado: tags=cap:domain.save,api:virDomainSave,api:virDomainRestore
        """
        dom, facts = self.rt.domain(transient=True, disk=self.rt.volume().path())
        path = self.rt.scratch_file("transient.save")
        self.assertEqual(dom.save(path), 0)
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.conn.lookupByName, facts["name"])
        self.assertGreater(os.path.getsize(path), 0)
        self.assertEqual(self.conn.restore(path), 0)
        self.assert_state(self.conn.lookupByName(facts["name"]), libvirt.VIR_DOMAIN_RUNNING)

    def test_save_flags_paused_running(self):
        """
        saveFlags with SAVE_PAUSED makes restore give a paused domain; restoreFlags with SAVE_RUNNING
        overrides what the image says.

        :avocado: tags=cap:domain.save_flags,api:virDomainSaveFlags,api:virDomainRestoreFlags
        """
        dom, path = self.saved_domain()
        self.assertEqual(
            self.rt.call_flags(
                "saveFlags(SAVE_PAUSED)", dom.saveFlags, path, None, libvirt.VIR_DOMAIN_SAVE_PAUSED
            ),
            0,
        )
        self.assert_saved(dom, path)
        self.assertEqual(self.conn.restoreFlags(path, None, 0), 0)
        self.assert_state(dom, libvirt.VIR_DOMAIN_PAUSED, "restored from an image saved with SAVE_PAUSED")
        self.assertEqual(dom.saveFlags(path, None, 0), 0)
        self.assertEqual(
            self.rt.call_flags(
                "restoreFlags(SAVE_RUNNING)",
                self.conn.restoreFlags,
                path,
                None,
                libvirt.VIR_DOMAIN_SAVE_RUNNING,
            ),
            0,
        )
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING, "restored with SAVE_RUNNING")

    def test_save_image_xml(self):
        """
        saveImageGetXMLDesc gives the saved domain's XML; saveImageDefineXML replaces it, and the
        restored domain has the new XML.

        :avocado: tags=cap:domain.save,api:virDomainSaveImageGetXMLDesc,api:virDomainSaveImageDefineXML
        :avocado: tags=api:virDomainRestore
        """
        dom, path = self.saved_domain()
        dom.save(path)
        image_xml = self.conn.saveImageGetXMLDesc(path, 0)
        root = self.rt.xml_of(dom)
        image = self.rt.xml_of_text(image_xml)
        self.assertEqual(image.findtext("name"), root.findtext("name"))
        self.assertEqual(image.findtext("uuid"), root.findtext("uuid"))
        self.assertEqual(
            self.conn.saveImageDefineXML(path, with_description(image_xml, "acert: image xml"), 0), 0
        )
        self.assertEqual(
            description(self.rt.xml_of_text(self.conn.saveImageGetXMLDesc(path, 0))), "acert: image xml"
        )
        self.conn.restore(path)
        self.assertEqual(
            description(self.rt.xml_of(dom)), "acert: image xml", "restore ignored the updated XML"
        )

    def test_restore_with_xml(self):
        """
        restoreFlags with an updated XML restores the domain with that XML.

        :avocado: tags=cap:domain.save_flags,api:virDomainRestoreFlags,api:virDomainSaveImageGetXMLDesc
        """
        dom, path = self.saved_domain()
        dom.save(path)
        updated = with_description(self.conn.saveImageGetXMLDesc(path, 0), "acert: restore xml")
        try:
            self.conn.restoreFlags(path, updated, 0)
        except libvirt.libvirtError as err:
            # The driver's documented way to say it cannot restore with a changed XML.
            if err.get_error_code() == libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED:
                self.unsupported(err.get_error_message())
            raise
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)
        self.assertEqual(description(self.rt.xml_of(dom)), "acert: restore xml", "restoreFlags ignored dxml")

    def test_save_inactive(self):
        """
        Saving a domain that is not running is refused with VIR_ERR_OPERATION_INVALID and writes no image.

        :avocado: tags=cap:domain.save,api:virDomainSave
        """
        dom, _facts = self.rt.domain(start=False)
        path = self.rt.scratch_file("inactive.save")
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, dom.save, path)
        self.assertFalse(os.path.exists(path), "a refused save left an image")


class DomainSaveParams(SaveTest):
    """
    :avocado: tags=area:domain,cap:domain.save_params
    """

    def test_save_restore_params(self):
        """
        saveParams writes the image named by the file parameter; restoreParams restores it with the
        XML given as a parameter.

        :avocado: tags=api:virDomainSaveParams,api:virDomainRestoreParams
        """
        dom, path = self.saved_domain()
        self.assertEqual(dom.saveParams({libvirt.VIR_DOMAIN_SAVE_PARAM_FILE: path}, 0), 0)
        self.assert_saved(dom, path)
        updated = with_description(self.conn.saveImageGetXMLDesc(path, 0), "acert: params")
        params = {libvirt.VIR_DOMAIN_SAVE_PARAM_FILE: path, libvirt.VIR_DOMAIN_SAVE_PARAM_DXML: updated}
        self.assertEqual(self.conn.restoreParams(params, 0), 0)
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)
        self.assertEqual(description(self.rt.xml_of(dom)), "acert: params")


class DomainManagedSave(SaveTest):
    """
    :avocado: tags=area:domain
    """

    def test_managed_save_start(self):
        """
        managedSave stops the domain and keeps an image; the next start runs the domain and
        consumes the image.

        :avocado: tags=cap:domain.managed_save,api:virDomainManagedSave,api:virDomainHasManagedSaveImage,api:virDomainCreate
        """
        dom, _facts, _vol = self.rt.disk_domain()
        self.assertEqual(dom.hasManagedSaveImage(0), 0, "a fresh domain has a managed save image")
        self.assertEqual(dom.managedSave(0), 0)
        self.assertEqual(dom.isActive(), 0)
        self.assertEqual(dom.state(), [libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_SAVED])
        self.assertEqual(dom.hasManagedSaveImage(0), 1)
        self.assertEqual(dom.create(), 0)
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)
        self.assertEqual(dom.hasManagedSaveImage(0), 0, "the image outlived the start")

    def test_managed_save_remove(self):
        """
        managedSaveRemove discards the image: the next start boots afresh.

        :avocado: tags=cap:domain.managed_save,api:virDomainManagedSaveRemove,api:virDomainHasManagedSaveImage
        """
        dom, _facts, _vol = self.rt.disk_domain()
        dom.managedSave(0)
        self.assertEqual(dom.managedSaveRemove(0), 0)
        self.assertEqual(dom.hasManagedSaveImage(0), 0)
        dom.create()
        self.assertEqual(
            dom.state(),
            [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_BOOTED],
            "start after managedSaveRemove did not boot afresh",
        )

    def test_managed_save_xml(self):
        """
        managedSaveGetXMLDesc gives the saved XML; managedSaveDefineXML replaces it, and the domain
        started from the image has the new XML.

        :avocado: tags=cap:domain.managed_save_xml,api:virDomainManagedSaveGetXMLDesc,api:virDomainManagedSaveDefineXML
        """
        dom, _facts, _vol = self.rt.disk_domain()
        dom.managedSave(0)
        saved = self.conn.lookupByUUIDString(dom.UUIDString()).managedSaveGetXMLDesc(0)
        self.assertEqual(self.rt.xml_of_text(saved).findtext("uuid"), dom.UUIDString())
        self.assertEqual(dom.managedSaveDefineXML(with_description(saved, "acert: managed xml"), 0), 0)
        self.assertEqual(description(self.rt.xml_of_text(dom.managedSaveGetXMLDesc(0))), "acert: managed xml")
        dom.create()
        self.assertEqual(
            description(self.rt.xml_of(dom)), "acert: managed xml", "start ignored the updated XML"
        )


class DomainManagedSaveResume(SaveTest):
    """
    :avocado: tags=area:domain,cap:domain.managed_save_resume
    """

    def test_start_resumes(self):
        """
        The start after managedSave resumes the saved state (running reason RESTORED, not BOOTED).

        :avocado: tags=api:virDomainManagedSave,api:virDomainCreate
        """
        dom, _facts, _vol = self.rt.disk_domain()
        dom.managedSave(0)
        dom.create()
        self.assertEqual(
            dom.state(),
            [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_RESTORED],
            "start after managed save booted afresh instead of resuming the image",
        )

    def test_managed_save_paused(self):
        """
        managedSave with SAVE_PAUSED makes the next start give a paused domain.

        :avocado: tags=api:virDomainManagedSave
        """
        dom, _facts, _vol = self.rt.disk_domain()
        self.rt.call_flags("managedSave(SAVE_PAUSED)", dom.managedSave, libvirt.VIR_DOMAIN_SAVE_PAUSED)
        self.assertEqual(dom.hasManagedSaveImage(0), 1)
        dom.create()
        self.assert_state(dom, libvirt.VIR_DOMAIN_PAUSED, "start after managedSave(SAVE_PAUSED)")
