"""The architecture a profile certifies, as the driver describes it and runs it.

The capabilities and domain capabilities of the variant's guest arch decide what is expected: a virt
type, device bus or feature they offer must work for a domain of that arch, one they do not offer must
be refused with VIR_ERR_CONFIG_UNSUPPORTED. A guest of the arch boots and runs that arch's kernel.
"""

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest
from avocado_cert.testing import arch as archkit
from avocado_cert.testing import xmlbuild

# Virt types a libvirt driver may name; the ones the capabilities do not offer for the arch are refused.
KNOWN_VIRT_TYPES = ("qemu", "kvm")


class ArchCertTest(CertTest):
    def setUp(self):
        super().setUp()
        self.target = archkit.Target(self)


class ArchCapabilities(ArchCertTest):
    """
    :avocado: tags=area:arch
    """

    def test_capabilities_offer_the_arch(self):
        """
        The capabilities list an hvm guest of the variant's arch with its word size, an emulator and
        the virt type the profile runs it under; the profile's machine is one of its machines.

        :avocado: tags=cap:arch.capabilities,api:virConnectGetCapabilities
        """
        caps = self.target.capabilities()
        arches = self.target.guest_arches(caps)
        self.assertTrue(arches, f"the capabilities offer no hvm guest of arch {self.target.arch}")
        for arch in arches:
            self.assertTrue(arch.findtext("emulator"), f"{self.target.arch}: no emulator")
            self.assertIn(arch.findtext("wordsize"), ("32", "64"), f"{self.target.arch}: word size")
        self.assertIn(self.target.virttype, self.target.domain_types(caps))
        if self.target.machine:
            machines = {m.text for a in arches for m in a.findall("machine")}
            machines |= {
                m.get("canonical") for a in arches for m in a.findall("machine") if m.get("canonical")
            }
            self.assertIn(self.target.machine, machines, f"machines of {self.target.arch}")
        self.log.info("%s: virt types %s", self.target.arch, ", ".join(self.target.domain_types(caps)))

    def test_domain_capabilities_match(self):
        """
        The domain capabilities of the arch, machine and virt type name that arch and virt type, the
        canonical machine the capabilities give for the machine asked, the arch's emulator, and a vCPU
        limit no higher than the machine's.

        :avocado: tags=cap:arch.domain_capabilities,api:virConnectGetDomainCapabilities
        :avocado: tags=api:virConnectGetCapabilities
        """
        caps = self.target.capabilities()
        root = self.target.domain_capabilities()
        self.assertEqual(root.findtext("arch"), self.target.arch)
        self.assertEqual(root.findtext("domain"), self.target.virttype)
        emulators = {a.findtext("emulator") for a in self.target.guest_arches(caps)}
        self.assertIn(root.findtext("path"), emulators)
        machine = root.findtext("machine")
        known = {}
        for arch in self.target.guest_arches(caps):
            for element in arch.findall("machine"):
                known[element.text] = element
                if element.get("canonical"):
                    known.setdefault(element.get("canonical"), element)
        self.assertIn(machine, known, f"domain capabilities machine {machine} is not in the capabilities")
        if self.target.machine:
            asked = known.get(self.target.machine)
            self.assertIsNotNone(asked, f"machine {self.target.machine}")
            self.assertEqual(machine, asked.get("canonical") or asked.text)
            max_cpus = asked.get("maxCpus")
            if max_cpus:
                self.assertLessEqual(int(root.find("vcpu").get("max")), int(max_cpus))

    def test_unoffered_virt_type_refused(self):
        """
        A domain of the arch under a virt type the capabilities do not offer for it (KVM for an arch the
        host CPU cannot run) is refused at define with VIR_ERR_CONFIG_UNSUPPORTED; under the offered
        type it is defined.

        :avocado: tags=cap:arch.virt_types,api:virDomainDefineXML,api:virConnectGetCapabilities
        """
        if self.target.virttype not in KNOWN_VIRT_TYPES:
            self.skip_because(f"virt type {self.target.virttype} is not QEMU's: no other type to refuse")
        offered = self.target.domain_types()
        dom = self.objects.define_domain(xmlbuild.to_xml(self.target.domain()))
        self.assertEqual(xmlsafe.fromstring(dom.XMLDesc(0)).get("type"), self.target.virttype)
        missing = [t for t in KNOWN_VIRT_TYPES if t not in offered]
        if not missing:
            self.log.info("%s: every virt type is offered (%s): nothing to refuse", self.target.arch, offered)
            return
        for virttype in missing:
            refused = self.target.domain(virttype=virttype)
            self.expect_error(
                libvirt.VIR_ERR_CONFIG_UNSUPPORTED, self.objects.define_domain, xmlbuild.to_xml(refused)
            )


class ArchDomainCapabilities(ArchCertTest):
    """
    :avocado: tags=area:arch,cap:arch.domcaps_enforced
    """

    def test_disk_buses(self):
        """
        Of the controller buses (IDE, SATA, SCSI), a CD-ROM on one the domain capabilities list for the
        machine is defined and starts; one they do not list is refused with VIR_ERR_CONFIG_UNSUPPORTED.

        :avocado: tags=api:virConnectGetDomainCapabilities,api:virDomainDefineXML
        :avocado: tags=api:virDomainCreateWithFlags
        """
        listed = {
            v.text for v in self.target.domain_capabilities().findall("devices/disk/enum[@name='bus']/value")
        }
        self.log.info("%s %s: disk buses %s", self.target.arch, self.target.machine, sorted(listed))
        for bus in archkit.CONTROLLER_BUSES:
            root = self.target.domain()
            archkit.add_cdrom(root, bus)
            if bus in listed:
                dom = self.objects.define_domain(xmlbuild.to_xml(root))
                buses = [
                    t.get("bus") for t in xmlsafe.fromstring(dom.XMLDesc(0)).iterfind("devices/disk/target")
                ]
                self.assertEqual(buses, [bus])
                self.assertEqual(archkit.start_paused_and_stop(dom), 1, f"a domain with a {bus} CD-ROM")
            else:
                self.expect_error(
                    libvirt.VIR_ERR_CONFIG_UNSUPPORTED, self.objects.define_domain, xmlbuild.to_xml(root)
                )

    def test_gic_versions(self):
        """
        Where the domain capabilities support the GIC feature (aarch64 'virt'), each listed version is
        kept in the definition and the domain starts; where they do not, a GIC is refused with
        VIR_ERR_CONFIG_UNSUPPORTED.

        :avocado: tags=api:virConnectGetDomainCapabilities,api:virDomainDefineXML
        :avocado: tags=api:virDomainCreateWithFlags
        """
        gic = self.target.domain_capabilities().find("features/gic")
        self.assertIsNotNone(gic, "the domain capabilities say nothing of the GIC feature")
        versions = [v.text for v in gic.findall("enum[@name='version']/value")]
        if gic.get("supported") != "yes":
            root = self.target.domain()
            archkit.add_feature(root, "gic", version="2")
            self.expect_error(
                libvirt.VIR_ERR_CONFIG_UNSUPPORTED, self.objects.define_domain, xmlbuild.to_xml(root)
            )
            return
        self.assertTrue(versions, "GIC supported with no version listed")
        for version in versions:
            root = self.target.domain()
            archkit.add_feature(root, "gic", version=version)
            dom = self.objects.define_domain(xmlbuild.to_xml(root))
            self.assertEqual(xmlsafe.fromstring(dom.XMLDesc(0)).find("features/gic").get("version"), version)
            self.assertEqual(archkit.start_paused_and_stop(dom), 1, f"a domain with GIC version {version}")


class ArchGuest(ArchCertTest):
    """
    :avocado: tags=area:arch,cap:arch.guest
    """

    def test_guest_runs_the_arch(self):
        """
        A guest of the arch boots: its kernel reports that machine, sees the vCPUs and memory the
        definition gives, and the live XML keeps the arch and the canonical machine.

        :avocado: tags=api:virDomainCreateWithFlags,api:virDomainGetXMLDesc,api:virDomainGetInfo
        """
        guest = self.boot_guest("the check reads the architecture inside the guest", vcpus=2)
        expected = archkit.KERNEL_MACHINE.get(self.target.arch, self.target.arch)
        self.assertEqual(guest.check("uname -m").strip(), expected)
        self.assertEqual(guest.read_int("nproc"), 2)
        state, max_kib, mem_kib, vcpus, _cpu_time = guest.dom.info()
        self.assertEqual(state, libvirt.VIR_DOMAIN_RUNNING)
        self.assertEqual(vcpus, 2)
        total_kib = guest.read_int("grep MemTotal /proc/meminfo | tr -s ' ' | cut -d' ' -f2")
        # The kernel keeps part of the memory for itself; it never sees more than the domain has.
        self.assertLessEqual(total_kib, max_kib)
        self.assertGreater(total_kib, mem_kib // 2)
        live = xmlsafe.fromstring(guest.dom.XMLDesc(0))
        self.assertEqual(live.find("os/type").get("arch"), self.target.arch)
        if self.target.machine:
            self.assertEqual(live.find("os/type").get("machine"), self.target.canonical_machine())
