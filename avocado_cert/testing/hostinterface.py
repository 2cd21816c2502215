"""Host interfaces (virInterface) for tests: the XML of a prefixed ethernet interface."""

import secrets

from avocado_cert.testing import xmlbuild


def random_mac():
    """A MAC in QEMU's locally administered 52:54:00 range."""
    return "52:54:00:" + ":".join(secrets.token_hex(1) for _ in range(3))


def ethernet(name, mac, address="192.0.2.10", prefix=24):
    """An ethernet interface brought up at boot with a static IPv4 address (TEST-NET-1 by default)."""
    root = xmlbuild.template("host-interface")
    root.set("name", name)
    root.find("mac").set("address", mac)
    ip = root.find("protocol/ip")
    ip.set("address", address)
    ip.set("prefix", str(prefix))
    return xmlbuild.to_xml(root)
