"""Network filters for tests: a prefixed filter with one rule and its binding to a port."""

import uuid as uuidlib

from avocado_cert.testing import xmlbuild


def nwfilter(name, port=31337, filter_uuid=None):
    """A root-chain filter dropping inbound TCP to one port."""
    root = xmlbuild.nwfilter(name)
    root.find("rule/tcp").set("dstportstart", str(port))
    if filter_uuid:
        element = root.makeelement("uuid", {})
        element.text = filter_uuid
        root.insert(0, element)
    return xmlbuild.to_xml(root)


def binding(portdev, filter_name, mac, owner_name, owner_uuid=None, port=31337):
    root = xmlbuild.template("nwfilter-binding")
    root.find("owner/name").text = owner_name
    root.find("owner/uuid").text = owner_uuid or str(uuidlib.uuid4())
    root.find("portdev").set("name", portdev)
    root.find("mac").set("address", mac)
    ref = root.find("filterref")
    ref.set("filter", filter_name)
    ref.find("parameter").set("value", str(port))
    return xmlbuild.to_xml(root)
