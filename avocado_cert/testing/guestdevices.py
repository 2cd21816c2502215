"""Devices hot-plugged into a running guest by the guest-level checks (templates data/xml/guest-*.xml)."""

import secrets

from avocado_cert.testing import xmlbuild


def disk(path, target="vdb", serial=None):
    """A raw file-backed virtio disk; the serial lets the guest name it (/sys/block/*/serial)."""
    root = xmlbuild.template("guest-disk")
    root.find("source").set("file", path)
    root.find("target").set("dev", target)
    root.find("serial").text = serial or f"acert{secrets.token_hex(4)}"
    return root


def interface(mac=None):
    """A virtio NIC on QEMU's user-mode network, with a fresh locally administered MAC."""
    root = xmlbuild.template("guest-interface")
    root.find("mac").set("address", mac or random_mac())
    return root


def random_mac():
    return "52:54:00:" + ":".join(f"{byte:02x}" for byte in secrets.token_bytes(3))
