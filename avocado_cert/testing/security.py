"""Helpers of the security suite: security labels, the security models a driver reports, secrets used
by disks and pools (templates data/xml/seclabel.xml, disk-network-auth.xml, pool-iscsi-chap.xml), and
the forms a secret value could take in a document."""

import base64

from lxml import etree

from avocado_cert.base import xmlsafe
from avocado_cert.testing import xmlbuild

# A model no libvirt driver implements under this name: the foreign model a client may ask for.
FOREIGN_MODELS = ("selinux", "apparmor")
# The model that labels nothing: it cannot carry a static or dynamic label.
NO_LABELS = "none"


def models(conn):
    """The security models the capabilities report, in their order."""
    caps = xmlsafe.fromstring(conn.getCapabilities(), "capabilities")
    return [m.findtext("model") for m in caps.findall("host/secmodel") if m.findtext("model")]


def labelling_model(conn):
    """The first reported model that labels (not 'none'), or None."""
    return next((m for m in models(conn) if m != NO_LABELS), None)


def foreign_model(conn):
    reported = set(models(conn))
    return next((m for m in FOREIGN_MODELS if m not in reported), None)


def seclabel(label_type, model=None, label=None, relabel=None):
    root = xmlbuild.template("seclabel")
    root.set("type", label_type)
    if model is None:
        del root.attrib["model"]
    else:
        root.set("model", model)
    if relabel is None:
        del root.attrib["relabel"]
    else:
        root.set("relabel", relabel)
    if label is not None:
        etree.SubElement(root, "label").text = label
    return root


def with_seclabel(domain_xml, *labels):
    """The domain XML with these <seclabel> elements appended (after <devices>, as the schema wants)."""
    root = xmlsafe.fromstring(domain_xml)
    for label in labels:
        root.append(label)
    return xmlbuild.to_xml(root)


def seclabels(domain_xml):
    """[(type, model, relabel, label)] of a domain XML's top-level <seclabel> elements."""
    root = xmlsafe.fromstring(domain_xml)
    return [
        (s.get("type"), s.get("model"), s.get("relabel"), s.findtext("label"))
        for s in root.findall("seclabel")
    ]


def static_label(model):
    """A static label of the model's syntax: uid:gid for DAC, a context-like string elsewhere."""
    return "+0:+0" if model == "dac" else "acert_u:acert_r:acert_t:s0"


def auth_disk(secret_uuid, target="vdb"):
    root = xmlbuild.template("disk-network-auth")
    root.find("auth/secret").set("uuid", secret_uuid)
    root.find("target").set("dev", target)
    return root


def chap_pool(name, secret_usage):
    root = xmlbuild.template("pool-iscsi-chap")
    root.find("name").text = name
    root.find("source/auth/secret").set("usage", secret_usage)
    return xmlbuild.to_xml(root)


def value_forms(value):
    """The ways a secret's bytes could show in a document: raw, base64, and the printable core."""
    forms = {value.decode("latin-1"), base64.b64encode(value).decode("ascii")}
    printable = value.strip(b"\x00\n").decode("latin-1")
    if len(printable) >= 4:
        forms.add(printable)
    return forms
