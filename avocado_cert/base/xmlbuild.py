"""XML builders for the objects the suite creates, from the templates under data/xml (lxml, no literals).

The builders take the variant's params, so the same test defines a test-driver domain on the
test profile and a bootable QEMU guest on qemu profiles. Pure XML: settling which guest image a
variant boots is the guest package's job (avocado_cert.testing.xmlbuild does both for tests).
"""

import copy
import random
from functools import lru_cache

from lxml import etree

from avocado_cert.base import paths, xmlsafe


@lru_cache(maxsize=None)
def _template(name):
    return xmlsafe.parse(paths.data_path("xml", f"{name}.xml"), f"XML template {name}")


def template(name):
    """A fresh copy of a template's root element."""
    return copy.deepcopy(_template(name))


def to_xml(element):
    return etree.tostring(element, encoding="unicode", pretty_print=True)


def _set(root, path, text=None, **attrs):
    element = root.find(path)
    if element is None:
        parent_path, _, tag = path.rpartition("/")
        parent = root.find(parent_path) if parent_path else root
        element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    for key, value in attrs.items():
        element.set(key.rstrip("_"), str(value))
    return element


def domain(params, name, memory_kib=None, vcpus=1, max_vcpus=None, boot=True):
    """A domain for this variant's params: test driver, a QEMU guest booting the kernel they name, or
    a VMware guest whose disk (and .vmx) lives on the vSphere datastore they name."""
    root = template("domain")
    root.set("type", str(params.get("domain_type", "test")))
    _set(root, "name", name)
    memory = memory_kib or int(params.get("guest_memory_kib", 131072))
    _set(root, "memory", memory, unit="KiB")
    _set(root, "currentMemory", memory, unit="KiB")
    vcpu = _set(root, "vcpu", max_vcpus or vcpus, placement="static")
    if max_vcpus and max_vcpus != vcpus:
        vcpu.set("current", str(vcpus))
    os_type = _set(
        root,
        "os/type",
        params.get("os_type", "hvm"),
        arch=params.get("guest_arch", params.get("arch", "i686")),
    )
    if params.get("machine"):
        os_type.set("machine", str(params["machine"]))
    if params.get("guest_cpu_model"):
        # Where the emulator's default CPU cannot run the guest kernel (aarch64 'virt': a 32-bit core).
        cpu = etree.Element("cpu", mode="custom", match="exact")
        etree.SubElement(cpu, "model", fallback="forbid").text = str(params["guest_cpu_model"])
        root.find("clock").addprevious(cpu)
    devices = root.find("devices")
    if params.get("datastore"):
        devices.append(datastore_disk(params["datastore"], name))
    if params.get("emulator"):
        _set(root, "devices/emulator", params["emulator"])
    if boot and params.get("guest_kernel"):
        os_el = root.find("os")
        etree.SubElement(os_el, "kernel").text = str(params["guest_kernel"])
        if params.get("guest_initrd"):
            etree.SubElement(os_el, "initrd").text = str(params["guest_initrd"])
        etree.SubElement(os_el, "cmdline").text = str(params.get("guest_cmdline", "console=ttyS0"))
        features = [f for f in str(params.get("guest_features", "")).split(",") if f]
        if features and root.find("features") is None:
            features_el = etree.Element("features")
            features_el.extend(etree.Element(feature) for feature in features)
            os_el.addnext(features_el)
        serial = etree.SubElement(devices, "serial", type="pty")
        etree.SubElement(serial, "target", port="0")
        console = etree.SubElement(devices, "console", type="pty")
        etree.SubElement(console, "target", type=str(params.get("console_target", "serial")), port="0")
    return root


def datastore_disk(datastore, name):
    """The hard disk of a domain on a vSphere datastore, in the domain's own folder there."""
    disk = template("datastore-disk")
    disk.find("source").set("file", f"[{datastore}] {name}/{name}.vmdk")
    return disk


def network(name, bridge, subnet=None, forward=None):
    """An isolated (or forward-mode) network on a /24; subnet is the first three octets."""
    root = template("network")
    subnet = subnet or f"10.{random.randint(100, 250)}.{random.randint(0, 255)}"
    _set(root, "name", name)
    _set(root, "bridge", name=bridge)
    ip = root.find("ip")
    ip.set("address", f"{subnet}.1")
    _set(ip, "dhcp/range", start=f"{subnet}.100", end=f"{subnet}.199")
    if forward:
        forward_el = etree.Element("forward", mode=forward)
        root.insert(2, forward_el)
    return root


def dir_pool(name, path):
    root = template("pool-dir")
    _set(root, "name", name)
    _set(root, "target/path", path)
    return root


def volume(name, capacity=1 << 20, fmt="raw", allocation=0):
    root = template("volume")
    _set(root, "name", name)
    _set(root, "capacity", capacity, unit="bytes")
    _set(root, "allocation", allocation, unit="bytes")
    _set(root, "target/format", type_=fmt)
    return root


def secret(usage_name, ephemeral=False, private=False, uuid=None):
    root = template("secret")
    root.set("ephemeral", "yes" if ephemeral else "no")
    root.set("private", "yes" if private else "no")
    _set(root, "usage/name", usage_name)
    if uuid:
        root.insert(0, etree.Element("uuid"))
        root.find("uuid").text = uuid
    return root


def nwfilter(name):
    root = template("nwfilter")
    root.set("name", name)
    return root
