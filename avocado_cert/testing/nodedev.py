"""Node devices for tests: the capability filters of virConnectListAllNodeDevices, the capabilities a
device's XML states, and builders of the devices a test may create (vHBA, mediated device)."""

import secrets
import uuid

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing import xmlbuild

# VIR_CONNECT_LIST_NODE_DEVICES_CAP_* suffix -> the capability name in XML and virNodeDeviceListCaps.
_CAP_NAMES = {
    "SYSTEM": "system",
    "PCI_DEV": "pci",
    "USB_DEV": "usb_device",
    "USB_INTERFACE": "usb",
    "NET": "net",
    "SCSI_HOST": "scsi_host",
    "SCSI_TARGET": "scsi_target",
    "SCSI": "scsi",
    "STORAGE": "storage",
    "FC_HOST": "fc_host",
    "VPORTS": "vports",
    "SCSI_GENERIC": "scsi_generic",
    "DRM": "drm",
    "MDEV_TYPES": "mdev_types",
    "MDEV": "mdev",
    "CCW_DEV": "ccw",
    "CSS_DEV": "css",
    "VDPA": "vdpa",
    "AP_CARD": "ap_card",
    "AP_QUEUE": "ap_queue",
    "AP_MATRIX": "ap_matrix",
    "VPD": "vpd",
}
# Nested capabilities whose XML type differs from the name the API uses.
_XML_ALIASES = {"vport_ops": "vports"}


def capability_filters():
    """[(flag name, flag value, capability name)] for every filter this libvirt-python knows."""
    out = []
    for suffix, cap in _CAP_NAMES.items():
        flag = f"VIR_CONNECT_LIST_NODE_DEVICES_CAP_{suffix}"
        if hasattr(libvirt, flag):
            out.append((flag, getattr(libvirt, flag), cap))
    return out


def parse(dev):
    return xmlsafe.fromstring(dev.XMLDesc(0), f"node device {dev.name()} XML")


def top_capabilities(root):
    """The capability types directly under <device>."""
    return {cap.get("type") for cap in root.findall("capability")}


def all_capabilities(root):
    """Every capability type in the XML, nested ones included, under the API's names."""
    types = {cap.get("type") for cap in root.iter("capability") if cap.get("type")}
    return {_XML_ALIASES.get(name, name) for name in types}


def random_wwn(first="2"):
    """A WWN of 16 hex digits (first digit 2 for a node name, 1 for a port name), random otherwise."""
    return f"{first}0{secrets.token_hex(7)}"


def vhba(parent, wwnn, wwpn):
    root = xmlbuild.template("nodedev-vhba")
    root.find("parent").text = parent
    fc_host = root.find("capability/capability")
    fc_host.find("wwnn").text = wwnn
    fc_host.find("wwpn").text = wwpn
    return xmlbuild.to_xml(root)


def mdev(parent, type_id, mdev_uuid=None):
    root = xmlbuild.template("nodedev-mdev")
    root.find("parent").text = parent
    root.find("capability/type").set("id", type_id)
    root.find("capability/uuid").text = mdev_uuid or str(uuid.uuid4())
    return xmlbuild.to_xml(root)
