"""Secrets for tests: the XML of a prefixed secret of each usage type libvirt knows."""

from lxml import etree

from avocado_cert.testing import xmlbuild

# usage type -> (element naming the usage, VIR_SECRET_USAGE_TYPE_* constant name)
USAGES = {
    "ceph": ("name", "VIR_SECRET_USAGE_TYPE_CEPH"),
    "volume": ("volume", "VIR_SECRET_USAGE_TYPE_VOLUME"),
    "iscsi": ("target", "VIR_SECRET_USAGE_TYPE_ISCSI"),
    "tls": ("name", "VIR_SECRET_USAGE_TYPE_TLS"),
    "vtpm": ("name", "VIR_SECRET_USAGE_TYPE_VTPM"),
}


def usage_id(usage_type, unique_name):
    """The usage identifier libvirt reports for a usage: a volume is named by its path."""
    if usage_type == "volume":
        return f"/var/lib/libvirt/images/{unique_name}.img"
    return unique_name


def secret(usage_type, usage, ephemeral=False, private=False, uuid=None, description=None):
    """A secret whose <usage> has the given type and identifier."""
    element, _constant = USAGES[usage_type]
    root = xmlbuild.secret("placeholder", ephemeral=ephemeral, private=private, uuid=uuid)
    old = root.find("usage")
    new = etree.Element("usage", type=usage_type)
    etree.SubElement(new, element).text = usage
    old.getparent().replace(old, new)
    if description is not None:
        root.find("description").text = description
    return xmlbuild.to_xml(root)
