"""Domain statistics: per-device counters, memory and CPU figures, bulk stats records, peeks.

Every figure is checked against what the domain is (the disks and NICs of its XML, its memory and
vCPUs, its state), and counters are read twice: a counter never goes backwards.
"""

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import MIB, Runtime

BLOCK_FIELDS = ("rd_req", "rd_bytes", "wr_req", "wr_bytes", "errs")
IFACE_FIELDS = (
    "rx_bytes",
    "rx_packets",
    "rx_errs",
    "rx_drop",
    "tx_bytes",
    "tx_packets",
    "tx_errs",
    "tx_drop",
)


class StatsTest(CertTest):
    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)

    def assert_not_backwards(self, first, second, names, what):
        for name, old, new in zip(names, first, second):
            # -1 is the documented "not known" value of one field.
            if old == -1 or new == -1:
                continue
            self.assertGreaterEqual(new, old, f"{what}: counter {name} went backwards ({old} -> {new})")

    def running_domain(self, **devices):
        dom, facts, vol = self.rt.disk_domain(nic=True, **devices)
        return dom, facts, vol


class DomainDeviceStats(StatsTest):
    """
    :avocado: tags=area:domain
    """

    def test_block_stats(self):
        """
        blockStats names a disk of the XML by target or path; counters are non-negative and never go
        backwards; a disk the domain does not have is refused with VIR_ERR_INVALID_ARG.

        :avocado: tags=cap:domain.stats,api:virDomainBlockStats
        """
        dom, facts, _vol = self.running_domain()
        first = dom.blockStats(facts["target"])
        self.assertEqual(len(first), 5)
        for name, value in zip(BLOCK_FIELDS, first):
            self.assertGreaterEqual(value, -1, f"{name} is {value}")
        by_path = dom.blockStats(facts["disk"])
        second = dom.blockStats(facts["target"])
        self.assert_not_backwards(first, by_path, BLOCK_FIELDS, "blockStats by path after by target")
        self.assert_not_backwards(by_path, second, BLOCK_FIELDS, "blockStats by target after by path")
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, dom.blockStats, "vdz")

    def test_block_stats_flags(self):
        """
        blockStatsFlags gives the typed counters of the disk, agreeing with blockStats.

        :avocado: tags=cap:domain.block_stats_flags,api:virDomainBlockStatsFlags
        """
        dom, facts, _vol = self.running_domain()
        legacy = dom.blockStats(facts["target"])
        typed = dom.blockStatsFlags(facts["target"], 0)
        for key in ("rd_operations", "rd_bytes", "wr_operations", "wr_bytes"):
            self.assertIn(key, typed, f"blockStatsFlags lacks {key}: {typed}")
            self.assertGreaterEqual(typed[key], 0)
        self.assertGreaterEqual(typed["rd_bytes"], legacy[1], "rd_bytes went backwards")
        self.assertGreaterEqual(typed["wr_bytes"], legacy[3], "wr_bytes went backwards")
        again = dom.blockStatsFlags(facts["target"], 0)
        for key, value in typed.items():
            if isinstance(value, int) and not key.endswith("_times") and value >= 0:
                self.assertGreaterEqual(again.get(key, value), value, f"{key} went backwards")
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, dom.blockStatsFlags, "vdz", 0)

    def test_block_info(self):
        """
        blockInfo reports the disk's capacity: for an image on the host, the image's virtual size.

        :avocado: tags=cap:domain.stats,api:virDomainGetBlockInfo
        """
        dom, facts, vol = self.running_domain()
        capacity, allocation, physical = dom.blockInfo(facts["target"], 0)
        self.assertGreater(capacity, 0)
        self.assertGreaterEqual(allocation, 0)
        self.assertGreaterEqual(physical, 0)
        if not self.rt.test_driver:
            self.assertEqual(capacity, vol.info()[1], "capacity differs from the volume's capacity")
            self.assertEqual(capacity, 64 * MIB)
        self.assertEqual(dom.blockInfo(facts["disk"], 0)[0], capacity, "by path and by target differ")
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, dom.blockInfo, "vdz", 0)

    def test_interface_stats(self):
        """
        interfaceStats names a NIC of the XML by host device or MAC; counters never go backwards.

        :avocado: tags=cap:domain.stats,api:virDomainInterfaceStats
        """
        dom, facts, _vol = self.running_domain()
        first = dom.interfaceStats(facts["ifname"])
        self.assertEqual(len(first), 8)
        for name, value in zip(IFACE_FIELDS, first):
            self.assertGreaterEqual(value, -1, f"{name} is {value}")
        by_mac = dom.interfaceStats(facts["mac"])
        self.assert_not_backwards(first, by_mac, IFACE_FIELDS, "interfaceStats by MAC after by device")
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, dom.interfaceStats, "acert000000")

    def test_memory_stats(self):
        """
        memoryStats reports the balloon's current size as the domain's current memory.

        :avocado: tags=cap:domain.stats,api:virDomainMemoryStats
        """
        dom, _facts, _vol = self.running_domain(memory_kib=131072, balloon=True)
        stats = dom.memoryStats()
        self.assertIn("actual", stats, f"no balloon size in {stats}")
        current = int(self.rt.xml_of(dom).findtext("currentMemory"))
        self.assertEqual(stats["actual"], current, "balloon size differs from currentMemory")
        for key, value in stats.items():
            self.assertGreaterEqual(value, 0, f"{key} is {value}")

    def test_cpu_stats(self):
        """
        getCPUStats gives the domain's total CPU time, which never goes backwards, and per host CPU
        figures for no more CPUs than the host has.

        :avocado: tags=cap:domain.cpu_stats,api:virDomainGetCPUStats
        """
        dom, _facts, _vol = self.running_domain()
        try:
            first = dom.getCPUStats(True)
        except libvirt.libvirtError as err:
            if (
                err.get_error_code() == libvirt.VIR_ERR_OPERATION_INVALID
                and "cgroup" in err.get_error_message()
            ):
                self.skip_because(
                    f"the host gives the daemon no CPU accounting cgroup: {err.get_error_message()}"
                )
            raise
        self.assertEqual(len(first), 1)
        self.assertIn("cpu_time", first[0])
        second = dom.getCPUStats(True)
        self.assertGreaterEqual(second[0]["cpu_time"], first[0]["cpu_time"], "cpu_time went backwards")
        per_cpu = dom.getCPUStats(False)
        host_cpus = self.conn.getCPUMap()[0]
        self.assertGreater(len(per_cpu), 0)
        self.assertLessEqual(len(per_cpu), host_cpus, "more per-CPU records than host CPUs")
        for record in per_cpu:
            self.assertGreaterEqual(record.get("cpu_time", 0), 0)


class DomainBulkStats(StatsTest):
    """
    :avocado: tags=area:domain
    """

    def test_state_group(self):
        """
        getAllDomainStats and domainListGetStats report the state group as state() does, for
        running and inactive domains, and the ACTIVE/INACTIVE filters select them accordingly.

        :avocado: tags=cap:domain.stats,api:virConnectGetAllDomainStats,api:virDomainListGetStats
        """
        running, _facts = self.rt.domain()
        inactive, _facts = self.rt.domain(start=False)
        group = libvirt.VIR_DOMAIN_STATS_STATE
        every = {dom.UUIDString(): stats for dom, stats in self.conn.getAllDomainStats(group, 0)}
        for dom in (running, inactive):
            self.assertIn(dom.UUIDString(), every, f"{dom.name()} missing from getAllDomainStats")
            state, reason = dom.state()
            self.assertEqual(every[dom.UUIDString()]["state.state"], state, f"{dom.name()}: state differs")
            self.assertEqual(every[dom.UUIDString()]["state.reason"], reason, f"{dom.name()}: reason differs")
        active = {
            d.UUIDString()
            for d, _ in self.conn.getAllDomainStats(group, libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE)
        }
        self.assertIn(running.UUIDString(), active)
        self.assertNotIn(inactive.UUIDString(), active, "ACTIVE filter lists an inactive domain")
        shut = {
            d.UUIDString()
            for d, _ in self.conn.getAllDomainStats(group, libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE)
        }
        self.assertIn(inactive.UUIDString(), shut)
        self.assertNotIn(running.UUIDString(), shut, "INACTIVE filter lists a running domain")
        listed = self.conn.domainListGetStats([running], group, 0)
        self.assertEqual(
            [d.UUIDString() for d, _ in listed],
            [running.UUIDString()],
            "domainListGetStats reports other domains than the one asked for",
        )
        self.assertEqual(listed[0][1]["state.state"], libvirt.VIR_DOMAIN_RUNNING)
        running.suspend()
        paused = self.conn.domainListGetStats([running], group, 0)[0][1]
        self.assertEqual(paused["state.state"], libvirt.VIR_DOMAIN_PAUSED, "state group missed the pause")

    def test_cpu_total_group(self):
        """
        The cpu-total group reports cpu.time, which never goes backwards.

        :avocado: tags=cap:domain.stats_groups,api:virDomainListGetStats
        """
        dom, _facts = self.rt.domain()
        first = self.rt.stats_group(libvirt.VIR_DOMAIN_STATS_CPU_TOTAL, [dom])[dom.UUIDString()]
        self.assertIn("cpu.time", first)
        second = self.rt.stats_group(libvirt.VIR_DOMAIN_STATS_CPU_TOTAL, [dom])[dom.UUIDString()]
        self.assertGreaterEqual(second["cpu.time"], first["cpu.time"], "cpu.time went backwards")

    def test_balloon_group(self):
        """
        The balloon group reports the current and maximum memory of the XML.

        :avocado: tags=cap:domain.stats_groups,api:virDomainListGetStats
        """
        dom, _facts = self.rt.domain(memory_kib=131072, balloon=True)
        stats = self.rt.stats_group(libvirt.VIR_DOMAIN_STATS_BALLOON, [dom])[dom.UUIDString()]
        xml = self.rt.xml_of(dom)
        self.assertEqual(stats["balloon.current"], int(xml.findtext("currentMemory")))
        self.assertEqual(stats["balloon.maximum"], int(xml.findtext("memory")))

    def test_vcpu_group(self):
        """
        The vcpu group reports the current and maximum vCPUs of the XML, each with a state.

        :avocado: tags=cap:domain.stats_groups,api:virDomainListGetStats
        """
        dom, _facts = self.rt.domain(vcpus=2)
        stats = self.rt.stats_group(libvirt.VIR_DOMAIN_STATS_VCPU, [dom])[dom.UUIDString()]
        self.assertEqual(stats["vcpu.current"], 2)
        self.assertEqual(stats["vcpu.maximum"], 2)
        for index in range(2):
            self.assertEqual(stats[f"vcpu.{index}.state"], libvirt.VIR_VCPU_RUNNING, f"vCPU {index} state")

    def test_interface_group(self):
        """
        The interface group names the NIC of the XML and agrees with interfaceStats.

        :avocado: tags=cap:domain.stats_groups,api:virDomainListGetStats
        """
        dom, facts = self.rt.domain(nic=True)
        stats = self.rt.stats_group(libvirt.VIR_DOMAIN_STATS_INTERFACE, [dom])[dom.UUIDString()]
        self.assertEqual(stats["net.count"], 1)
        self.assertEqual(stats["net.0.name"], facts["ifname"])
        later = dom.interfaceStats(facts["ifname"])
        self.assertGreaterEqual(later[0], stats["net.0.rx.bytes"], "rx.bytes went backwards")
        self.assertGreaterEqual(later[4], stats["net.0.tx.bytes"], "tx.bytes went backwards")

    def test_block_group(self):
        """
        The block group names the disk of the XML with its source path and capacity, and agrees
        with blockStats.

        :avocado: tags=cap:domain.stats_groups,api:virDomainListGetStats
        """
        dom, facts, vol = self.rt.disk_domain()
        stats = self.rt.stats_group(libvirt.VIR_DOMAIN_STATS_BLOCK, [dom])[dom.UUIDString()]
        self.assertEqual(stats["block.count"], 1)
        self.assertEqual(stats["block.0.name"], facts["target"])
        self.assertEqual(stats["block.0.path"], facts["disk"])
        if not self.rt.test_driver:
            self.assertEqual(stats["block.0.capacity"], vol.info()[1])
        later = dom.blockStats(facts["target"])
        self.assertGreaterEqual(later[1], stats["block.0.rd.bytes"], "rd.bytes went backwards")

    def test_block_threshold(self):
        """
        setBlockThreshold sets the write threshold the block group then reports for the disk.

        :avocado: tags=cap:domain.block_threshold,api:virDomainSetBlockThreshold,api:virDomainListGetStats
        """
        dom, facts, _vol = self.rt.disk_domain()
        threshold = 32 * MIB
        self.assertEqual(dom.setBlockThreshold(facts["target"], threshold, 0), 0)
        stats = self.rt.stats_group(libvirt.VIR_DOMAIN_STATS_BLOCK, [dom])[dom.UUIDString()]
        self.assertEqual(stats.get("block.0.threshold"), threshold, f"threshold not reported: {stats}")


class DomainJobIdle(StatsTest):
    """
    :avocado: tags=area:domain,cap:domain.jobs
    """

    def test_job_info_idle(self):
        """
        A domain with no job reports job type NONE through getJobInfo and getJobStats.

        :avocado: tags=api:virDomainGetJobInfo,api:virDomainGetJobStats
        """
        dom, _facts = self.rt.domain()
        self.assertEqual(dom.jobInfo()[0], libvirt.VIR_DOMAIN_JOB_NONE)
        self.assertEqual(dom.jobStats(0).get("type"), libvirt.VIR_DOMAIN_JOB_NONE)


class DomainPeek(StatsTest):
    """
    :avocado: tags=area:domain,cap:domain.peek
    """

    def test_block_peek(self):
        """
        blockPeek reads the bytes a raw disk holds: a marker uploaded into the volume reads back.

        :avocado: tags=api:virDomainBlockPeek
        """
        vol = self.rt.volume(fmt="raw", capacity=MIB)
        marker = b"acert-block-peek" * 32
        stream = self.conn.newStream(0)
        vol.upload(stream, 0, len(marker), 0)
        stream.send(marker)
        stream.finish()
        dom, facts = self.rt.domain(disk=vol.path(), disk_format="raw")
        self.assertEqual(dom.blockPeek(facts["target"], 0, len(marker), 0), marker)
        self.assertEqual(dom.blockPeek(facts["target"], 16, 16, 0), marker[16:32], "offset ignored")

    def test_memory_peek(self):
        """
        memoryPeek returns as many bytes as asked, and the same bytes twice while the domain is paused.

        :avocado: tags=api:virDomainMemoryPeek
        """
        dom, _facts = self.rt.domain()
        dom.suspend()
        first = dom.memoryPeek(0, 64, libvirt.VIR_MEMORY_PHYSICAL)
        self.assertEqual(len(first), 64)
        self.assertEqual(
            dom.memoryPeek(0, 64, libvirt.VIR_MEMORY_PHYSICAL), first, "memory changed while paused"
        )
        self.assertEqual(dom.memoryPeek(32, 16, libvirt.VIR_MEMORY_PHYSICAL), first[32:48], "offset ignored")
