"""What the domain configuration suites share: domain and device XML, reading the XML back, and the
ways a driver says a flag or a host feature is missing."""

import os
import secrets
import shutil

import libvirt
from lxml import etree

from avocado_cert.base import naming, xmlsafe
from avocado_cert.host import libvirt_errors
from avocado_cert.testing import xmlbuild

LIVE = libvirt.VIR_DOMAIN_AFFECT_LIVE
CONFIG = libvirt.VIR_DOMAIN_AFFECT_CONFIG
CURRENT = libvirt.VIR_DOMAIN_AFFECT_CURRENT
INACTIVE_XML = libvirt.VIR_DOMAIN_XML_INACTIVE

METADATA_NS = "https://avocado-cert.example/xmlns/certinfo/1.0"
METADATA_KEY = "acert"
# Where disks of the suite's pools live; each pool gets its own prefixed folder here.
POOL_PARENT = "/var/tmp"


# --- reading the XML back ------------------------------------------------------------------------
def xml_of(dom, flags=0):
    return xmlsafe.fromstring(dom.XMLDesc(flags), "domain XML")


def live_xml(dom):
    return xml_of(dom)


def config_xml(dom):
    return xml_of(dom, INACTIVE_XML)


def find_device(root, tag, **attrs):
    """The first <devices>/<tag> whose sub-elements match path=value (e.g. target__dev='sda')."""
    for element in root.iterfind(f"devices/{tag}"):
        if all(_attr(element, key) == value for key, value in attrs.items()):
            return element
    return None


def _attr(element, key):
    path, _, attr = key.rpartition("__")
    node = element.find(path) if path else element
    return None if node is None else node.get(attr)


def disk_targets(root):
    return sorted(t.get("dev") for t in root.iterfind("devices/disk/target"))


def interface_macs(root):
    return sorted(m.get("address") for m in root.iterfind("devices/interface/mac"))


# --- the ways a driver declines ---------------------------------------------------------------------
def missing_cgroup(err):
    """The QEMU driver's answer when the host mounts no cgroup controller for a tunable."""
    return err.get_error_code() == libvirt.VIR_ERR_OPERATION_INVALID and "cgroup" in (
        err.get_error_message() or ""
    )


def call_flagged(test, func, *args):
    """Call an API with flags; a flag the driver does not implement ends the test as UNSUPPORTED."""
    try:
        return func(*args)
    except libvirt.libvirtError as err:
        if libvirt_errors.unsupported_flags(err):
            test.unsupported(f"{getattr(func, '__name__', func)}: {err.get_error_message()}")
        raise


def io_scheduler_without_weights(err):
    """The cgroup's refusal of a block I/O weight on a host whose I/O scheduler has none (bfq, cfq do)."""
    return err.get_error_code() == libvirt.VIR_ERR_OPERATION_INVALID and "scheduler" in (
        err.get_error_message() or ""
    )


def tc_cannot_shape(err):
    """The host's traffic control cannot shape a tap as libvirt asks (a qdisc its kernel lacks)."""
    return err.get_error_code() == libvirt.VIR_ERR_INTERNAL_ERROR and "qdisc" in (
        err.get_error_message() or ""
    )


def host_lacks(err):
    """Why the host, not the driver, cannot apply a tunable on a running domain (a cgroup controller, an
    I/O scheduler with weights, a qdisc for shaping): the reason, or None."""
    if missing_cgroup(err):
        return f"the host has no cgroup controller for this tunable: {err.get_error_message()}"
    if io_scheduler_without_weights(err):
        return f"the host's block I/O scheduler takes no weights: {err.get_error_message()}"
    if tc_cannot_shape(err):
        return f"the host's traffic control cannot shape the tap: {err.get_error_message()}"
    return None


def call_tunable(test, func, *args):
    """Call a tuning API on a running domain: a host without what the tunable acts on is a SKIP naming
    it (host_lacks)."""
    try:
        return call_flagged(test, func, *args)
    except libvirt.libvirtError as err:
        reason = host_lacks(err)
        if reason:
            test.skip_because(reason)
        raise


# --- domains ---------------------------------------------------------------------------------------
def domain_root(test, name=None, acpi=False, memballoon=False, **kwargs):
    """A fresh prefixed domain of the variant, as an lxml element to extend. It boots the guest kernel
    unless boot=False: then a started domain runs the firmware only, all a test of libvirt's own state
    (XML, states, listings, hotplug the hypervisor completes alone) needs, at a fraction of the CPU."""
    root = xmlbuild.domain(test.variant_params, name or naming.unique("dom"), **kwargs)
    if acpi and test.driver != "test":
        # PCI and vCPU hotplug on x86 machines go through ACPI.
        features = etree.Element("features")
        etree.SubElement(features, "acpi")
        root.insert(list(root).index(root.find("os")) + 1, features)
    if memballoon:
        etree.SubElement(root.find("devices"), "memballoon", model="virtio")
    return root


def define(test, root, flags=0):
    return test.objects.define_domain(xmlbuild.to_xml(root), flags)


def create(test, root, flags=0):
    return test.objects.create_domain(xmlbuild.to_xml(root), flags)


def add_device(root, element):
    root.find("devices").append(element)
    return root


# --- devices --------------------------------------------------------------------------------------
def _alias(element, alias):
    alias_el = element.find("alias")
    if alias:
        alias_el.set("name", alias)
    else:
        element.remove(alias_el)


def volume_disk(pool_name, volume_name, target="sda", bus="scsi", alias=None):
    disk = xmlbuild.template("disk-volume")
    disk.find("source").set("pool", pool_name)
    disk.find("source").set("volume", volume_name)
    disk.find("target").set("dev", target)
    disk.find("target").set("bus", bus)
    _alias(disk, alias)
    return disk


def cdrom(medium=None):
    drive = xmlbuild.template("cdrom")
    if medium:
        source = etree.Element("source", file=medium)
        drive.insert(1, source)
    return drive


def network_interface(network_name, mac=None, alias=None, link=None):
    iface = xmlbuild.template("interface-network")
    iface.find("source").set("network", network_name)
    if mac:
        iface.insert(0, etree.Element("mac", address=mac))
    if link:
        etree.SubElement(iface, "link", state=link)
    _alias(iface, alias)
    return iface


def scsi_controller(index=0, alias=None):
    controller = xmlbuild.template("controller-scsi")
    controller.set("index", str(index))
    _alias(controller, alias)
    return controller


def metadata_element(owner, purpose):
    element = xmlbuild.template("metadata-element")
    element.find("owner").text = owner
    element.find("purpose").text = purpose
    return xmlbuild.to_xml(element)


def random_mac():
    """A locally administered MAC in QEMU's range, fresh for each device."""
    return "52:54:00:" + ":".join(secrets.token_hex(1) for _ in range(3))


def user_alias():
    """A user alias for a device (libvirt requires the ua- prefix)."""
    return "ua-" + naming.unique("dev")


# --- what devices attach to -----------------------------------------------------------------------
def make_pool(test):
    """A started dir pool in a prefixed folder of POOL_PARENT, removed with the test."""
    name = test.objects.name("pool")
    path = os.path.join(POOL_PARENT, name)
    os.makedirs(path, exist_ok=False)
    test.objects.on_cleanup(f"folder {path}", shutil.rmtree, path, True)
    return test.objects.create_pool(xmlbuild.to_xml(xmlbuild.dir_pool(name, path)))


def make_volume(test, pool, capacity=1 << 20):
    name = test.objects.name("vol") + ".img"
    return test.objects.create_volume(pool, xmlbuild.to_xml(xmlbuild.volume(name, capacity=capacity)))


def make_network(test):
    """A started isolated network of the suite's own, removed with the test."""
    name = test.objects.name("net")
    return test.objects.create_network(xmlbuild.to_xml(xmlbuild.network(name, naming.netdev())))
