"""VIR_DOMAIN_AFFECT_* flags, crossed by the profile's flag axes (`affect` x `domain_state`).

Each variant names one flag combination and one domain state; the test checks the documented effect of
that combination on the live domain and on its persistent definition, or the refusal of AFFECT_LIVE
on an inactive domain. Variants without the axes run the CURRENT flag on a running domain.
"""

import libvirt
from lxml import etree

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest
from avocado_cert.testing import flags as flagkit

NAMESPACE = "https://avocado-cert.example/flags"


class AffectFlags(CertTest):
    """
    :avocado: tags=area:flags,cap:flags.affect
    """

    def setUp(self):
        super().setUp()
        affect = str(self.param("affect", "current"))
        state = str(self.param("domain_state", "running"))
        self.expected = flagkit.expectation(affect, state)
        self.log.info("flags %s (%d) on a %s domain: %s", affect, self.expected.flags, state, self.expected)
        # The firmware only: the flags act on libvirt's definitions, no guest OS takes part.
        self.dom = self.define_domain(boot=False)
        flagkit.put_in_state(self.dom, state)
        self.active = state != "shutoff"

    def _read(self, kind, uri, flags):
        """The metadata the domain holds, or None where it holds none (VIR_ERR_NO_DOMAIN_METADATA)."""
        try:
            return self.dom.metadata(kind, uri, flags)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN_METADATA:
                return None
            raise

    def _check(self, kind, value, uri=None, key=None, same=None):
        same = same or (lambda got: got == value)
        if self.expected.refused:
            self.expect_error(
                libvirt.VIR_ERR_OPERATION_INVALID,
                self.dom.setMetadata,
                kind,
                value,
                key,
                uri,
                self.expected.flags,
            )
            self.assertIsNone(self._read(kind, uri, libvirt.VIR_DOMAIN_AFFECT_CONFIG), "refused, yet stored")
            return
        self.assertEqual(self.dom.setMetadata(kind, value, key, uri, self.expected.flags), 0)
        config = self._read(kind, uri, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        if self.expected.config:
            self.assertTrue(config is not None and same(config), f"persistent definition: {config!r}")
        else:
            self.assertIsNone(config, "the persistent definition changed")
        if self.active:
            live = self._read(kind, uri, libvirt.VIR_DOMAIN_AFFECT_LIVE)
            if self.expected.live:
                self.assertTrue(live is not None and same(live), f"live domain: {live!r}")
            else:
                self.assertIsNone(live, "the live domain changed")

    def test_title(self):
        """
        setMetadata(TITLE) with the variant's AFFECT flags changes the title of the live domain and/or
        the persistent definition as documented, or is refused for LIVE on an inactive domain.

        :avocado: tags=api:virDomainSetMetadata,api:virDomainGetMetadata
        """
        self._check(libvirt.VIR_DOMAIN_METADATA_TITLE, "acert flags title")

    def test_description(self):
        """
        setMetadata(DESCRIPTION) with the variant's AFFECT flags changes the description where the
        flags say, and nowhere else.

        :avocado: tags=api:virDomainSetMetadata,api:virDomainGetMetadata
        """
        self._check(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, "set with the variant's AFFECT flags")

    def test_element(self):
        """
        setMetadata(ELEMENT) with the variant's AFFECT flags stores the namespaced element where the
        flags say, read back as the same element.

        :avocado: tags=api:virDomainSetMetadata,api:virDomainGetMetadata
        """

        def same(got):
            # libvirt gives the element back without the namespace it is stored under.
            element = xmlsafe.fromstring(got, "metadata element")
            return etree.QName(element).localname == "mark" and element.text == "flags"

        self._check(libvirt.VIR_DOMAIN_METADATA_ELEMENT, "<mark>flags</mark>", NAMESPACE, "acert", same)
