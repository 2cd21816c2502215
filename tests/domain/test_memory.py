"""Domain memory: maximum and current sizes live and in the config, balloon statistics, and getInfo."""

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing import domain as dx

MEM_MAXIMUM = libvirt.VIR_DOMAIN_MEM_MAXIMUM


def memory_of(root):
    return int(root.findtext("memory")), int(root.findtext("currentMemory"))


class MemorySize(CertTest):
    """
    :avocado: tags=area:domain
    """

    def test_max_memory(self):
        """
        setMaxMemory on an inactive domain changes the maximum that maxMemory, getInfo and the XML report.

        :avocado: tags=cap:domain.memory
        :avocado: tags=api:virDomainSetMaxMemory,api:virDomainGetMaxMemory,api:virDomainGetInfo
        """
        dom = dx.define(self, dx.domain_root(self, memory_kib=131072))
        self.assertEqual(dom.maxMemory(), 131072)
        self.assertEqual(dom.setMaxMemory(262144), 0)
        self.assertEqual(dom.maxMemory(), 262144)
        self.assertEqual(dom.info()[1], 262144)
        self.assertEqual(memory_of(dx.config_xml(dom))[0], 262144)

    def test_config_memory(self):
        """
        setMemoryFlags with CONFIG sets the current size, with CONFIG|MAXIMUM the maximum; more than the
        maximum is refused with VIR_ERR_INVALID_ARG.

        :avocado: tags=cap:domain.memory
        :avocado: tags=api:virDomainSetMemoryFlags,api:virDomainGetMaxMemory,api:virDomainGetInfo
        """
        dom = dx.define(self, dx.domain_root(self, memory_kib=262144))
        self.assertEqual(dom.setMemoryFlags(131072, dx.CONFIG), 0)
        self.assertEqual(memory_of(dx.config_xml(dom)), (262144, 131072))
        self.assertEqual(dom.info()[2], 131072, "getInfo reports another current memory")
        self.assertEqual(dom.setMemoryFlags(327680, dx.CONFIG | MEM_MAXIMUM), 0)
        self.assertEqual(dom.maxMemory(), 327680)
        self.assertEqual(memory_of(dx.config_xml(dom)), (327680, 131072))
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, dom.setMemoryFlags, 393216, dx.CONFIG)
        self.assertEqual(memory_of(dx.config_xml(dom)), (327680, 131072))

    def test_live_memory(self):
        """
        On a running domain, setMemoryFlags(LIVE) changes the current memory the domain reports, and
        leaves the config as it was.

        :avocado: tags=cap:domain.memory_live
        :avocado: tags=api:virDomainSetMemoryFlags,api:virDomainGetInfo
        """
        self.require_guest_os("the balloon is moved by the guest OS's balloon driver")
        dom = self.start_guest_domain(dx.domain_root(self, memory_kib=262144, memballoon=True))
        self.assertEqual(dom.setMemoryFlags(196608, dx.LIVE), 0)
        self.wait_for(lambda: dom.info()[2] == 196608, 30, what="the balloon to reach 196608 KiB")
        self.assertEqual(memory_of(dx.config_xml(dom)), (262144, 262144), "a LIVE change reached the config")

    def test_live_memory_set(self):
        """
        On a running domain, setMemory changes the current memory the domain reports (live XML and
        getInfo), and leaves the config as it was.

        :avocado: tags=cap:domain.memory_live
        :avocado: tags=api:virDomainSetMemory,api:virDomainGetInfo
        """
        self.require_guest_os("the balloon is moved by the guest OS's balloon driver")
        dom = self.start_guest_domain(dx.domain_root(self, memory_kib=262144, memballoon=True))
        self.assertEqual(dom.setMemory(163840), 0)
        self.wait_for(lambda: dom.info()[2] == 163840, 30, what="the balloon to reach 163840 KiB")
        self.assertEqual(memory_of(dx.live_xml(dom))[1], 163840)
        self.assertEqual(memory_of(dx.config_xml(dom)), (262144, 262144), "setMemory reached the config")

    def test_info_agrees_with_xml(self):
        """
        getInfo of a running domain gives the state, memory sizes and vCPU count of its live XML.

        :avocado: tags=cap:domain.memory
        :avocado: tags=api:virDomainGetInfo
        """
        dom = dx.define(self, dx.domain_root(self, memory_kib=196608, vcpus=2, boot=False))
        state, max_kib, cur_kib, vcpus, _cpu_time = dom.info()
        self.assertEqual(state, libvirt.VIR_DOMAIN_SHUTOFF)
        self.assertEqual((max_kib, cur_kib, vcpus), (196608, 196608, 2))
        dom.create()
        state, max_kib, cur_kib, vcpus, cpu_time = dom.info()
        live = dx.live_xml(dom)
        self.assertEqual(state, libvirt.VIR_DOMAIN_RUNNING)
        self.assertEqual(state, dom.state()[0], "getInfo and getState disagree")
        self.assertEqual((max_kib, cur_kib), memory_of(live))
        self.assertEqual(vcpus, int(live.find("vcpu").get("current", live.findtext("vcpu"))))
        self.assertGreaterEqual(cpu_time, 0)


class MemoryStats(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.memory_stats
    """

    def test_memory_stats(self):
        """
        memoryStats of a running domain reports the balloon's actual size, which getInfo agrees with.

        :avocado: tags=api:virDomainMemoryStats
        """
        dom = dx.define(self, dx.domain_root(self, memory_kib=196608, memballoon=True, boot=False))
        dom.create()
        stats = dom.memoryStats()
        self.assertIn("actual", stats, f"no balloon size in {sorted(stats)}")
        self.assertEqual(stats["actual"], dom.info()[2])
        self.assertTrue(all(isinstance(value, int) and value >= 0 for value in stats.values()), stats)

    def test_stats_period(self):
        """
        setMemoryStatsPeriod sets the balloon's collection period live (config untouched) and in the config.

        :avocado: tags=api:virDomainSetMemoryStatsPeriod
        """
        dom = dx.define(self, dx.domain_root(self, memballoon=True, boot=False))
        dom.create()

        def period(root):
            stats = root.find("devices/memballoon/stats")
            return None if stats is None else int(stats.get("period"))

        self.assertEqual(dom.setMemoryStatsPeriod(7, dx.LIVE), 0)
        self.assertEqual(period(dx.live_xml(dom)), 7)
        self.assertIn(period(dx.config_xml(dom)), (None, 0), "a LIVE period reached the config")
        self.assertEqual(dom.setMemoryStatsPeriod(11, dx.CONFIG), 0)
        self.assertEqual(period(dx.config_xml(dom)), 11)
        self.assertEqual(period(dx.live_xml(dom)), 7, "a CONFIG period changed the running domain")
