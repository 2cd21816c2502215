"""Domain metadata: title, description and an application's own element, live and in the config."""

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest
from avocado_cert.testing import domain as dx

TITLE = libvirt.VIR_DOMAIN_METADATA_TITLE
DESCRIPTION = libvirt.VIR_DOMAIN_METADATA_DESCRIPTION
ELEMENT = libvirt.VIR_DOMAIN_METADATA_ELEMENT


class Metadata(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.metadata
    """

    def test_title_and_description(self):
        """
        A title and description set in the config are read back and shown in the XML; setting None removes
        them, after which reading gives VIR_ERR_NO_DOMAIN_METADATA.

        :avocado: tags=api:virDomainSetMetadata,api:virDomainGetMetadata
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN_METADATA, dom.metadata, TITLE, None, dx.CONFIG)
        self.assertEqual(dom.setMetadata(TITLE, "certified title", None, None, dx.CONFIG), 0)
        self.assertEqual(
            dom.setMetadata(DESCRIPTION, "a description\non two lines", None, None, dx.CONFIG), 0
        )
        self.assertEqual(dom.metadata(TITLE, None, dx.CONFIG), "certified title")
        self.assertEqual(dom.metadata(DESCRIPTION, None, dx.CONFIG), "a description\non two lines")
        root = dx.config_xml(dom)
        self.assertEqual(root.findtext("title"), "certified title")
        self.assertEqual(root.findtext("description"), "a description\non two lines")
        self.assertEqual(dom.setMetadata(TITLE, None, None, None, dx.CONFIG), 0)
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN_METADATA, dom.metadata, TITLE, None, dx.CONFIG)
        self.assertIsNone(dx.config_xml(dom).find("title"), "the removed title is still in the XML")

    def test_element_with_namespace(self):
        """
        An element stored under a namespace is read back by that namespace and shows in <metadata>;
        other namespaces are not affected, and removing it leaves none.

        :avocado: tags=api:virDomainSetMetadata,api:virDomainGetMetadata
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        element = dx.metadata_element("avocado-cert", "metadata check")
        self.assertEqual(dom.setMetadata(ELEMENT, element, dx.METADATA_KEY, dx.METADATA_NS, dx.CONFIG), 0)
        got = xmlsafe.fromstring(dom.metadata(ELEMENT, dx.METADATA_NS, dx.CONFIG))
        self.assertEqual(got.findtext("owner"), "avocado-cert")
        self.assertEqual(got.findtext("purpose"), "metadata check")
        stored = dx.config_xml(dom).find(f"metadata/{{{dx.METADATA_NS}}}certinfo")
        self.assertIsNotNone(stored, "the element is not in the domain's <metadata> under its namespace")
        self.assertEqual(stored.findtext(f"{{{dx.METADATA_NS}}}owner"), "avocado-cert")
        self.expect_error(
            libvirt.VIR_ERR_NO_DOMAIN_METADATA, dom.metadata, ELEMENT, dx.METADATA_NS + "/other", dx.CONFIG
        )
        self.assertEqual(dom.setMetadata(ELEMENT, None, dx.METADATA_KEY, dx.METADATA_NS, dx.CONFIG), 0)
        self.expect_error(
            libvirt.VIR_ERR_NO_DOMAIN_METADATA, dom.metadata, ELEMENT, dx.METADATA_NS, dx.CONFIG
        )

    def test_live_and_config(self):
        """
        On a running persistent domain, LIVE metadata shows only in the live XML and CONFIG only in the
        persistent one.

        :avocado: tags=api:virDomainSetMetadata,api:virDomainGetMetadata
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        dom.create()
        self.assertEqual(dom.setMetadata(TITLE, "live title", None, None, dx.LIVE), 0)
        self.assertEqual(dom.setMetadata(DESCRIPTION, "config description", None, None, dx.CONFIG), 0)
        self.assertEqual(dom.metadata(TITLE, None, dx.LIVE), "live title")
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN_METADATA, dom.metadata, TITLE, None, dx.CONFIG)
        self.assertEqual(dom.metadata(DESCRIPTION, None, dx.CONFIG), "config description")
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN_METADATA, dom.metadata, DESCRIPTION, None, dx.LIVE)
        live, config = dx.live_xml(dom), dx.config_xml(dom)
        self.assertEqual((live.findtext("title"), live.findtext("description")), ("live title", None))
        self.assertEqual(
            (config.findtext("title"), config.findtext("description")), (None, "config description")
        )
        dom.destroy()
        self.assertEqual(dom.metadata(DESCRIPTION, None, 0), "config description", "the config lost it")
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN_METADATA, dom.metadata, TITLE, None, 0)
