"""What the arch suite stands on: the variant's guest architecture, machine and virt type, the parts of
the capabilities and domain capabilities that describe them, and domains of that architecture."""

import libvirt
from lxml import etree

from avocado_cert.base import xmlbuild, xmlsafe
from avocado_cert.testing.objects import Objects

# `uname -m` in a guest of each libvirt arch (libvirt names the architectures as the kernel does).
KERNEL_MACHINE = {
    "i686": "i686",
    "x86_64": "x86_64",
    "aarch64": "aarch64",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
}

# Disk buses whose absence from the domain capabilities means the machine has no such controller.
CONTROLLER_BUSES = ("ide", "sata", "scsi")


class Target:
    """The architecture a variant certifies, as the variant's params and the driver describe it."""

    def __init__(self, test):
        self.test = test
        self.params = test.variant_params
        self.arch = str(self.params.get("guest_arch") or self.params.get("arch") or "x86_64")
        self.machine = str(self.params.get("machine") or "") or None
        self.virttype = str(self.params.get("domain_type") or "test")

    def capabilities(self):
        return xmlsafe.fromstring(self.test.conn.getCapabilities(), "capabilities XML")

    def guest_arches(self, caps=None):
        """The <guest><arch> elements of the capabilities for this arch (one per os type)."""
        caps = caps if caps is not None else self.capabilities()
        return [
            guest.find("arch")
            for guest in caps.findall("guest")
            if guest.findtext("os_type") == "hvm" and guest.find("arch").get("name") == self.arch
        ]

    def domain_types(self, caps=None):
        """The virt types the capabilities offer for this arch (hvm)."""
        return sorted({d.get("type") for arch in self.guest_arches(caps) for d in arch.findall("domain")})

    def canonical_machine(self, caps=None):
        """The machine type the capabilities give for the variant's machine (its canonical name)."""
        for arch in self.guest_arches(caps):
            for element in arch.findall("machine"):
                if self.machine in (element.text, element.get("canonical")):
                    return element.get("canonical") or element.text
        return None

    def domain_capabilities(self, machine=None, virttype=None):
        xml = self.test.conn.getDomainCapabilities(
            None, self.arch, machine or self.machine, virttype or self.virttype, 0
        )
        return xmlsafe.fromstring(xml, "domain capabilities")

    def domain(self, name=None, virttype=None, boot=False):
        """A domain element of this arch and machine (no kernel unless boot), named with the prefix."""
        params = dict(self.params)
        if virttype:
            params["domain_type"] = virttype
        return xmlbuild.domain(params, name or Objects.name("dom"), boot=boot)


def add_feature(root, tag, **attrs):
    """Add <features><tag .../></features> after <os> (creating <features> where missing)."""
    features = root.find("features")
    if features is None:
        features = etree.Element("features")
        root.find("os").addnext(features)
    return etree.SubElement(features, tag, **attrs)


def add_cdrom(root, bus):
    """An empty read-only CD-ROM drive on bus (the controller is the driver's to add)."""
    disk = etree.SubElement(root.find("devices"), "disk", type="file", device="cdrom")
    etree.SubElement(disk, "target", dev="hda" if bus == "ide" else "sda", bus=bus)
    etree.SubElement(disk, "readonly")
    return disk


def start_paused_and_stop(dom):
    """Start dom paused (nothing runs), check it is active, and stop it again."""
    dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
    active = dom.isActive()
    dom.destroy()
    return active
