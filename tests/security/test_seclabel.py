"""Domain security labels: what a client asks for in <seclabel> is honoured or refused, never silently
dropped, on drivers that report a security model in their capabilities."""

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest
from avocado_cert.testing import security as sec


class SecLabelTest(CertTest):
    """
    :avocado: disable
    """

    def model(self):
        model = sec.labelling_model(self.conn)
        self.require(
            model, f"the driver reports no labelling security model (models: {sec.models(self.conn)})"
        )
        return model

    def define_labelled(self, *labels):
        return self.objects.define_domain(sec.with_seclabel(self.domain_xml(boot=False), *labels))


class SecurityLabels(SecLabelTest):
    """
    :avocado: tags=area:security,cap:security.seclabel
    """

    def test_define_round_trip(self):
        """
        Static (with its label), dynamic and none labels of the driver's model come back in the defined
        XML with the type, model, relabel and label asked for.

        :avocado: tags=api:virDomainDefineXML,api:virDomainGetXMLDesc
        """
        model = self.model()
        asked = {
            "static": sec.seclabel("static", model, sec.static_label(model), relabel="no"),
            "dynamic": sec.seclabel("dynamic", model, relabel="yes"),
            "none": sec.seclabel("none", model),
        }
        for kind, label in asked.items():
            wanted = (label.get("type"), label.get("model"), label.get("relabel"), label.findtext("label"))
            dom = self.define_labelled(label)
            got = sec.seclabels(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
            self.assertIn(wanted, got, f"{kind} label of model {model}: asked {wanted}, the XML has {got}")
            # Defining the XML read back keeps the label (a round trip, not a one-way translation).
            again = self.conn.defineXML(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
            self.assertEqual(sec.seclabels(again.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)), got)

    def test_labels_applied(self):
        """
        A running domain carries the static label asked for, and a generated one for a dynamic label:
        its live XML and virDomainGetSecurityLabelList agree, and virDomainGetSecurityLabel is the
        label of the first model the list reports.

        :avocado: tags=api:virDomainCreate,api:virDomainGetSecurityLabel,api:virDomainGetSecurityLabelList
        :avocado: tags=api:virDomainGetXMLDesc
        """
        model = self.model()
        wanted = sec.static_label(model)
        for kind, label in (
            ("static", sec.seclabel("static", model, wanted, relabel="no")),
            ("dynamic", sec.seclabel("dynamic", model, relabel="yes")),
        ):
            dom = self.define_labelled(label)
            dom.create()
            listed = dom.securityLabelList()
            live = {s[1]: s[3] for s in sec.seclabels(dom.XMLDesc(0))}
            self.assertIn(model, live, f"{kind}: the live XML lost the {model} label")
            if kind == "static":
                self.assertEqual(
                    live[model], wanted, "the live XML does not carry the static label asked for"
                )
            else:
                self.assertTrue(live[model], f"no label was generated for the dynamic {model} label")
            self.assertIn(
                live[model], [entry[0] for entry in listed], f"{kind}: {listed} lacks the live label"
            )
            self.assertEqual(
                dom.securityLabel()[0], listed[0][0], "virDomainGetSecurityLabel is not the first"
            )
            dom.destroy()

    def test_foreign_model(self):
        """
        A label of a model the driver does not report is refused at define, or kept as asked and the
        start refused (VIR_ERR_CONFIG_UNSUPPORTED) with the domain left shut off: never run unlabelled.

        :avocado: tags=api:virDomainDefineXML,api:virDomainCreate,api:virDomainGetXMLDesc
        """
        self.model()
        foreign = sec.foreign_model(self.conn)
        label = sec.seclabel("dynamic", foreign, relabel="yes")
        xml = sec.with_seclabel(self.domain_xml(boot=False), label)
        name = xmlsafe.fromstring(xml).findtext("name")
        try:
            dom = self.objects.define_domain(xml)
        except libvirt.libvirtError as err:
            self.log.info("define refused the %s label: %s", foreign, err.get_error_message())
            self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.conn.lookupByName, name)
            return
        got = sec.seclabels(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        self.assertIn(
            ("dynamic", foreign, "yes", None), got, f"the {foreign} label was changed or dropped: {got}"
        )
        self.expect_error(libvirt.VIR_ERR_CONFIG_UNSUPPORTED, dom.create)
        self.assertEqual(dom.isActive(), 0, f"the domain runs without the {foreign} label it asked for")
