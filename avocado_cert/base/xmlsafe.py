"""XML parsing with entity resolution and network access off, for everything the suite reads."""

from lxml import etree

from avocado_cert.base.errors import CertError

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def fromstring(text, what="XML", path=None):
    """Parse XML text (str or bytes); malformed input is a one-line CertError."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    try:
        return etree.fromstring(text, _PARSER)
    except etree.XMLSyntaxError as details:
        raise CertError(f"malformed {what}: {details}", path) from None


def parse(path, what="XML file"):
    try:
        with open(path, "rb") as stream:
            return fromstring(stream.read(), what, path)
    except OSError as details:
        raise CertError(f"cannot read {what}: {details.strerror}", path) from None


def tostring(element):
    return etree.tostring(element, encoding="unicode")
