"""Virtual CPUs: counts, pinning of vCPUs, emulator and I/O threads, each read back live and in the config."""

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing import domain as dx

VCPU_LIVE = libvirt.VIR_DOMAIN_VCPU_LIVE
VCPU_CONFIG = libvirt.VIR_DOMAIN_VCPU_CONFIG
VCPU_MAXIMUM = libvirt.VIR_DOMAIN_VCPU_MAXIMUM


def only_cpu(cpumap_length, cpu):
    return tuple(index == cpu for index in range(cpumap_length))


class VcpuCount(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.vcpu
    """

    def test_config_count_and_maximum(self):
        """
        On an inactive domain, CONFIG changes the vCPU count and CONFIG|MAXIMUM the maximum, as read back.

        :avocado: tags=api:virDomainSetVcpusFlags,api:virDomainGetVcpusFlags
        """
        dom = dx.define(self, dx.domain_root(self, vcpus=1, max_vcpus=4))
        self.assertEqual(dom.vcpusFlags(VCPU_CONFIG), 1)
        self.assertEqual(dom.vcpusFlags(VCPU_CONFIG | VCPU_MAXIMUM), 4)
        self.assertEqual(dom.setVcpusFlags(3, VCPU_CONFIG), 0)
        self.assertEqual(dom.vcpusFlags(VCPU_CONFIG), 3)
        self.assertEqual(dom.setVcpusFlags(6, VCPU_CONFIG | VCPU_MAXIMUM), 0)
        self.assertEqual(dom.vcpusFlags(VCPU_CONFIG | VCPU_MAXIMUM), 6)
        self.assertEqual(dom.vcpusFlags(VCPU_CONFIG), 3, "raising the maximum changed the count")
        vcpu = dx.config_xml(dom).find("vcpu")
        self.assertEqual((int(vcpu.text), int(vcpu.get("current", vcpu.text))), (6, 3))
        self.assertEqual(dom.info()[3], 3, "virDomainGetInfo reports another vCPU count")

    def test_live_count(self):
        """
        On a running domain, LIVE hotplugs vCPUs without touching the config; the running count shows in
        getVcpusFlags; getMaxVcpus gives the maximum.

        :avocado: tags=api:virDomainSetVcpusFlags,api:virDomainGetVcpusFlags,api:virDomainGetMaxVcpus
        """
        dom = dx.define(self, dx.domain_root(self, vcpus=1, max_vcpus=4, acpi=True))
        dom.create()
        self.assertEqual(dom.maxVcpus(), 4)
        self.assertEqual(dom.vcpusFlags(VCPU_LIVE | VCPU_MAXIMUM), 4)
        self.assertEqual(dom.setVcpusFlags(2, VCPU_LIVE), 0)
        self.assertEqual(dom.vcpusFlags(VCPU_LIVE), 2)
        self.assertEqual(dom.vcpusFlags(VCPU_CONFIG), 1, "a LIVE change reached the config")
        self.assertEqual(dx.live_xml(dom).find("vcpu").get("current"), "2")

    def test_live_set_vcpus(self):
        """
        On a running domain, setVcpus hotplugs vCPUs without touching the config; the running count
        shows in getInfo, getVcpus and the live XML.

        :avocado: tags=api:virDomainSetVcpus,api:virDomainGetVcpus
        """
        dom = dx.define(self, dx.domain_root(self, vcpus=1, max_vcpus=4, acpi=True))
        dom.create()
        self.assertEqual(dom.setVcpus(3), 0)
        self.assertEqual(dom.info()[3], 3, "setVcpus on a running domain did not change it")
        info, cpumaps = dom.vcpus()
        self.assertEqual(sorted(entry[0] for entry in info), [0, 1, 2], "getVcpus lists other vCPUs")
        self.assertEqual(len(cpumaps), 3)
        self.assertEqual(dx.live_xml(dom).find("vcpu").get("current"), "3")
        self.assertEqual(dx.config_xml(dom).find("vcpu").get("current"), "1", "setVcpus reached the config")

    def test_live_and_config(self):
        """
        LIVE|CONFIG on a running persistent domain changes both the running count and the config.

        :avocado: tags=api:virDomainSetVcpusFlags,api:virDomainGetVcpusFlags
        """
        dom = dx.define(self, dx.domain_root(self, vcpus=1, max_vcpus=4, acpi=True))
        dom.create()
        self.assertEqual(dom.setVcpusFlags(2, VCPU_LIVE | VCPU_CONFIG), 0)
        self.assertEqual(dom.vcpusFlags(VCPU_LIVE), 2)
        self.assertEqual(dom.vcpusFlags(VCPU_CONFIG), 2)
        self.assertEqual(dx.config_xml(dom).find("vcpu").get("current"), "2")

    def test_above_maximum_refused(self):
        """
        More vCPUs than the maximum are refused (VIR_ERR_INVALID_ARG) and the count stays.

        :avocado: tags=api:virDomainSetVcpusFlags
        """
        dom = dx.define(self, dx.domain_root(self, vcpus=1, max_vcpus=2))
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, dom.setVcpusFlags, 3, VCPU_CONFIG)
        self.assertEqual(dom.vcpusFlags(VCPU_CONFIG), 1)


class VcpuGuest(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.vcpu_guest
    """

    def test_guest_count(self):
        """
        VIR_DOMAIN_VCPU_GUEST asks the guest agent for the vCPUs the guest OS uses, and changes them.

        :avocado: tags=api:virDomainSetVcpusFlags,api:virDomainGetVcpusFlags
        """
        self.require_guest_os("the guest agent answers VIR_DOMAIN_VCPU_GUEST")
        dom = dx.define(self, dx.domain_root(self, vcpus=2, max_vcpus=2))
        dom.create()
        count = self.call_agent("vcpusFlags(VCPU_GUEST)", dom.vcpusFlags, libvirt.VIR_DOMAIN_VCPU_GUEST)
        self.assertEqual(count, 2)
        self.assertEqual(dom.setVcpusFlags(1, libvirt.VIR_DOMAIN_VCPU_GUEST), 0)
        self.assertEqual(dom.vcpusFlags(libvirt.VIR_DOMAIN_VCPU_GUEST), 1)


class VcpuIndividual(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.vcpu_individual
    """

    def test_enable_one_vcpu(self):
        """
        virDomainSetVcpu enables one chosen vCPU of a running domain, live only.
        (Disabling one needs the guest OS to release it: certified with a guest elsewhere.)

        :avocado: tags=api:virDomainSetVcpu
        """
        dom = dx.define(self, dx.domain_root(self, vcpus=1, max_vcpus=4, acpi=True))
        dom.create()
        self.assertEqual(dom.setVcpu("2", 1, dx.LIVE), 0)
        self.assertEqual(dom.vcpusFlags(VCPU_LIVE), 2)
        self.assertEqual(dom.vcpusFlags(VCPU_CONFIG), 1, "a LIVE change reached the config")
        enabled = {v.get("id"): v.get("enabled") for v in dx.live_xml(dom).iterfind("vcpus/vcpu")}
        self.assertEqual(enabled.get("2"), "yes", "vCPU 2 is not enabled in the live XML")
        self.assertEqual(enabled.get("1"), "no", "another vCPU than the one asked for was enabled")


class VcpuPinning(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.vcpu_pin
    """

    def cpumap_length(self, dom):
        length = len(dom.vcpuPinInfo(0)[0])
        self.require(
            length >= 2, f"pinning is observable only with 2 or more host CPUs (the map has {length})"
        )
        return length

    def test_pin_vcpu_live(self):
        """
        pinVcpu on a running domain restricts one vCPU to the CPUs given, live only.

        :avocado: tags=api:virDomainPinVcpu,api:virDomainGetVcpuPinInfo,api:virDomainGetVcpus
        """
        dom = dx.define(self, dx.domain_root(self, vcpus=2))
        dom.create()
        length = self.cpumap_length(dom)
        wanted = only_cpu(length, 1)
        # What libvirt reports before the pin, not all of the map: a host may have fewer CPUs online.
        other_before = tuple(dom.vcpuPinInfo(dx.LIVE)[1])
        config_before = tuple(dom.vcpuPinInfo(dx.CONFIG)[0])
        self.assertNotEqual(config_before, wanted, "vCPU 0 is pinned to the wanted CPU before the test")
        self.assertEqual(dom.pinVcpu(0, wanted), 0)
        self.assertEqual(tuple(dom.vcpuPinInfo(dx.LIVE)[0]), wanted)
        self.assertEqual(tuple(dom.vcpuPinInfo(dx.LIVE)[1]), other_before, "another vCPU was pinned")
        self.assertEqual(tuple(dom.vcpus()[1][0]), wanted, "virDomainGetVcpus shows another affinity")
        self.assertEqual(tuple(dom.vcpuPinInfo(dx.CONFIG)[0]), config_before, "a live pin reached the config")

    def test_pin_vcpu_config(self):
        """
        pinVcpuFlags with CONFIG pins a vCPU in the persistent definition (<cputune><vcpupin>).

        :avocado: tags=api:virDomainPinVcpuFlags,api:virDomainGetVcpuPinInfo
        """
        dom = dx.define(self, dx.domain_root(self, vcpus=2))
        length = self.cpumap_length(dom)
        wanted = only_cpu(length, 0)
        other_before = tuple(dom.vcpuPinInfo(dx.CONFIG)[0])
        self.assertEqual(dx.call_flagged(self, dom.pinVcpuFlags, 1, wanted, dx.CONFIG), 0)
        self.assertEqual(tuple(dom.vcpuPinInfo(dx.CONFIG)[1]), wanted)
        self.assertEqual(tuple(dom.vcpuPinInfo(dx.CONFIG)[0]), other_before, "another vCPU was pinned")
        pins = {p.get("vcpu"): p.get("cpuset") for p in dx.config_xml(dom).iterfind("cputune/vcpupin")}
        self.assertEqual(pins, {"1": "0"})

    def test_pin_emulator(self):
        """
        pinEmulator pins the emulator threads live (config untouched) and, with CONFIG, in the definition.

        :avocado: tags=api:virDomainPinEmulator,api:virDomainGetEmulatorPinInfo
        """
        dom = dx.define(self, dx.domain_root(self))
        length = self.cpumap_length(dom)
        self.assertEqual(dom.pinEmulator(only_cpu(length, 0), dx.CONFIG), 0)
        self.assertEqual(tuple(dom.emulatorPinInfo(dx.CONFIG)), only_cpu(length, 0))
        self.assertEqual(dx.config_xml(dom).find("cputune/emulatorpin").get("cpuset"), "0")
        dom.create()
        self.assertEqual(
            tuple(dom.emulatorPinInfo(dx.LIVE)), only_cpu(length, 0), "the config pin was not applied"
        )
        self.assertEqual(dom.pinEmulator(only_cpu(length, 1), dx.LIVE), 0)
        self.assertEqual(tuple(dom.emulatorPinInfo(dx.LIVE)), only_cpu(length, 1))
        self.assertEqual(
            tuple(dom.emulatorPinInfo(dx.CONFIG)), only_cpu(length, 0), "a live pin reached the config"
        )


class IOThreads(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.iothreads
    """

    @staticmethod
    def thread_ids(dom, flags):
        return sorted(entry[0] for entry in dom.ioThreadInfo(flags))

    def test_iothreads_config(self):
        """
        Adding, pinning and deleting an I/O thread in the config shows in getIOThreadInfo and the XML.

        :avocado: tags=api:virDomainAddIOThread,api:virDomainDelIOThread,api:virDomainPinIOThread
        :avocado: tags=api:virDomainGetIOThreadInfo
        """
        dom = dx.define(self, dx.domain_root(self))
        self.assertEqual(self.thread_ids(dom, dx.CONFIG), [])
        self.assertEqual(dom.addIOThread(5, dx.CONFIG), 0)
        self.assertEqual(self.thread_ids(dom, dx.CONFIG), [5])
        self.assertEqual([t.get("id") for t in dx.config_xml(dom).iterfind("iothreadids/iothread")], ["5"])
        length = len(dom.ioThreadInfo(dx.CONFIG)[0][1])
        self.require(
            length >= 2, f"pinning is observable only with 2 or more host CPUs (the map has {length})"
        )
        self.assertEqual(dom.pinIOThread(5, only_cpu(length, 1), dx.CONFIG), 0)
        self.assertEqual(tuple(dom.ioThreadInfo(dx.CONFIG)[0][1]), only_cpu(length, 1))
        self.assertEqual(dx.config_xml(dom).find("cputune/iothreadpin").get("cpuset"), "1")
        self.assertEqual(dom.delIOThread(5, dx.CONFIG), 0)
        self.assertEqual(self.thread_ids(dom, dx.CONFIG), [])

    def test_iothreads_live(self):
        """
        On a running domain, LIVE adds, pins and deletes an I/O thread without touching the config.

        :avocado: tags=api:virDomainAddIOThread,api:virDomainDelIOThread,api:virDomainPinIOThread
        :avocado: tags=api:virDomainGetIOThreadInfo
        """
        dom = dx.define(self, dx.domain_root(self))
        dom.create()
        self.assertEqual(dom.addIOThread(3, dx.LIVE), 0)
        self.assertEqual(self.thread_ids(dom, dx.LIVE), [3])
        self.assertEqual(self.thread_ids(dom, dx.CONFIG), [], "a live I/O thread reached the config")
        length = len(dom.ioThreadInfo(dx.LIVE)[0][1])
        if length >= 2:
            self.assertEqual(dom.pinIOThread(3, only_cpu(length, 0), dx.LIVE), 0)
            self.assertEqual(tuple(dom.ioThreadInfo(dx.LIVE)[0][1]), only_cpu(length, 0))
        self.assertEqual(dom.delIOThread(3, dx.LIVE), 0)
        self.assertEqual(self.thread_ids(dom, dx.LIVE), [])

    def test_iothread_params(self):
        """
        setIOThreadParams sets the polling limit of a live I/O thread, as its statistics report.

        :avocado: tags=api:virDomainSetIOThreadParams
        """
        dom = dx.define(self, dx.domain_root(self))
        dom.create()
        self.assertEqual(dom.addIOThread(4, dx.LIVE), 0)
        self.assertEqual(
            dom.setIOThreadParams(4, {libvirt.VIR_DOMAIN_IOTHREAD_POLL_MAX_NS: 4096}, dx.LIVE), 0
        )
        stats = self.conn.domainListGetStats([dom], libvirt.VIR_DOMAIN_STATS_IOTHREAD)[0][1]
        key = "iothread.4.poll-max-ns"
        if key not in stats:
            self.skip_because(f"the driver reports no {key} in its statistics to read the value back")
        self.assertEqual(stats[key], 4096)
