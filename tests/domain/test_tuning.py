"""Tuning parameters (typed parameters): each is set in the config and on the running domain, then read back.

Live tunables of the QEMU driver are cgroup controllers: on a host that mounts none, the driver answers
VIR_ERR_OPERATION_INVALID ("cgroup ... controller is not mounted"), which is a missing host precondition
(SKIP), not a missing driver feature.
"""

import libvirt
from lxml import etree

from avocado_cert.testing import CertTest
from avocado_cert.testing import domain as dx


def set_config_and_read_back(test, dom, getter, setter, key, value):
    """Set key=value with CONFIG on an inactive domain; read it back from the config."""
    before = dx.call_flagged(test, getter, dx.CONFIG)
    test.assertIn(key, before, f"{key} is not among the parameters {sorted(before)}")
    test.assertNotEqual(before[key], value, f"{key} already is {value!r}: the check would prove nothing")
    test.assertEqual(dx.call_flagged(test, setter, {key: value}, dx.CONFIG), 0)
    test.assertEqual(getter(dx.CONFIG)[key], value, f"{key} read back from the config differs")


def set_live_and_read_back(test, dom, getter, setter, key, value):
    """Set key=value with LIVE on a running domain; the live value changes, the config's does not."""
    before = dx.call_tunable(test, getter, dx.LIVE)
    test.assertIn(key, before, f"{key} is not among the parameters {sorted(before)}")
    test.assertNotEqual(before[key], value, f"{key} already is {value!r}: the check would prove nothing")
    config_before = getter(dx.CONFIG)[key]
    test.assertEqual(dx.call_tunable(test, setter, {key: value}, dx.LIVE), 0)
    test.assertEqual(getter(dx.LIVE)[key], value, f"{key} read back from the running domain differs")
    test.assertEqual(getter(dx.CONFIG)[key], config_before, f"a LIVE {key} reached the config")


class SchedulerTuning(CertTest):
    """
    :avocado: tags=area:domain
    """

    def writable_key(self, params):
        for key in (libvirt.VIR_DOMAIN_SCHEDULER_CPU_SHARES, libvirt.VIR_DOMAIN_SCHEDULER_WEIGHT):
            if key in params:
                return key
        self.skip_because(f"no known writable scheduler parameter among {sorted(params)}")
        return None

    def test_type_and_current(self):
        """
        schedulerType names the scheduler and its parameter count; setSchedulerParameters changes the value
        schedulerParameters reads back.

        :avocado: tags=cap:domain.tuning_scheduler
        :avocado: tags=api:virDomainGetSchedulerType,api:virDomainGetSchedulerParameters
        :avocado: tags=api:virDomainSetSchedulerParameters
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        name, count = dom.schedulerType()
        self.assertTrue(name, "the scheduler has no name")
        params = dom.schedulerParameters()
        self.assertEqual(count, len(params), f"schedulerType counts {count} parameters, got {sorted(params)}")
        key = self.writable_key(params)
        value = 2 * params[key] + 100
        self.assertEqual(dom.setSchedulerParameters({key: value}), 0)
        self.assertEqual(dom.schedulerParameters()[key], value, f"{key} did not change")

    def test_config(self):
        """
        setSchedulerParametersFlags with CONFIG changes the persistent value (<cputune><shares>).

        :avocado: tags=cap:domain.tuning_scheduler
        :avocado: tags=api:virDomainSetSchedulerParametersFlags,api:virDomainGetSchedulerParametersFlags
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        key = self.writable_key(dx.call_flagged(self, dom.schedulerParametersFlags, dx.CONFIG))
        set_config_and_read_back(
            self, dom, dom.schedulerParametersFlags, dom.setSchedulerParametersFlags, key, 512
        )

    def test_live(self):
        """
        setSchedulerParametersFlags with LIVE changes the running domain's value only.

        :avocado: tags=cap:domain.tuning_live
        :avocado: tags=api:virDomainSetSchedulerParametersFlags,api:virDomainGetSchedulerParametersFlags
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        dom.create()
        key = self.writable_key(dx.call_tunable(self, dom.schedulerParametersFlags, dx.LIVE))
        set_live_and_read_back(
            self, dom, dom.schedulerParametersFlags, dom.setSchedulerParametersFlags, key, 768
        )


class BlkioTuning(CertTest):
    """
    :avocado: tags=area:domain
    """

    def test_config(self):
        """
        setBlkioParameters with CONFIG changes the persistent block I/O weight (<blkiotune><weight>).

        :avocado: tags=cap:domain.tuning_blkio
        :avocado: tags=api:virDomainSetBlkioParameters,api:virDomainGetBlkioParameters
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        key = libvirt.VIR_DOMAIN_BLKIO_WEIGHT
        set_config_and_read_back(self, dom, dom.blkioParameters, dom.setBlkioParameters, key, 500)
        self.assertEqual(dx.config_xml(dom).findtext("blkiotune/weight"), "500")

    def test_live(self):
        """
        setBlkioParameters with LIVE changes the running domain's weight only.

        :avocado: tags=cap:domain.tuning_live
        :avocado: tags=api:virDomainSetBlkioParameters,api:virDomainGetBlkioParameters
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        dom.create()
        key = libvirt.VIR_DOMAIN_BLKIO_WEIGHT
        set_live_and_read_back(self, dom, dom.blkioParameters, dom.setBlkioParameters, key, 300)


class MemoryTuning(CertTest):
    """
    :avocado: tags=area:domain
    """

    def test_config(self):
        """
        setMemoryParameters with CONFIG changes the persistent soft limit (<memtune><soft_limit>).

        :avocado: tags=cap:domain.tuning_memory
        :avocado: tags=api:virDomainSetMemoryParameters,api:virDomainGetMemoryParameters
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        key = libvirt.VIR_DOMAIN_MEMORY_SOFT_LIMIT
        set_config_and_read_back(self, dom, dom.memoryParameters, dom.setMemoryParameters, key, 1048576)
        self.assertEqual(int(dx.config_xml(dom).findtext("memtune/soft_limit")), 1048576)

    def test_live(self):
        """
        setMemoryParameters with LIVE changes the running domain's soft limit only.

        :avocado: tags=cap:domain.tuning_live
        :avocado: tags=api:virDomainSetMemoryParameters,api:virDomainGetMemoryParameters
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        dom.create()
        key = libvirt.VIR_DOMAIN_MEMORY_SOFT_LIMIT
        set_live_and_read_back(self, dom, dom.memoryParameters, dom.setMemoryParameters, key, 2097152)


class NumaTuning(CertTest):
    """
    :avocado: tags=area:domain
    """

    def test_config(self):
        """
        setNumaParameters with CONFIG sets the memory mode and nodeset of the definition (<numatune>).

        :avocado: tags=cap:domain.tuning_numa
        :avocado: tags=api:virDomainSetNumaParameters,api:virDomainGetNumaParameters
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        mode = libvirt.VIR_DOMAIN_NUMATUNE_MEM_INTERLEAVE
        params = {libvirt.VIR_DOMAIN_NUMA_MODE: mode, libvirt.VIR_DOMAIN_NUMA_NODESET: "0"}
        self.assertEqual(dx.call_flagged(self, dom.setNumaParameters, params, dx.CONFIG), 0)
        got = dom.numaParameters(dx.CONFIG)
        self.assertEqual(got[libvirt.VIR_DOMAIN_NUMA_MODE], mode)
        self.assertEqual(got[libvirt.VIR_DOMAIN_NUMA_NODESET], "0")
        memory = dx.config_xml(dom).find("numatune/memory")
        self.assertIsNotNone(memory, "no <numatune><memory> in the config")
        self.assertEqual((memory.get("mode"), memory.get("nodeset")), ("interleave", "0"))

    def test_live(self):
        """
        numaParameters of a running domain gives the mode and nodeset it was started with; setting the
        nodeset LIVE is read back (libvirt changes a running domain's nodeset only in restrictive mode).

        :avocado: tags=cap:domain.tuning_live
        :avocado: tags=api:virDomainSetNumaParameters,api:virDomainGetNumaParameters
        """
        root = dx.domain_root(self, boot=False)
        numatune = etree.Element("numatune")
        etree.SubElement(numatune, "memory", mode="restrictive", nodeset="0")
        root.insert(list(root).index(root.find("os")), numatune)
        dom = dx.define(self, root)
        dom.create()
        got = dx.call_tunable(self, dom.numaParameters, dx.LIVE)
        self.assertEqual(got[libvirt.VIR_DOMAIN_NUMA_MODE], libvirt.VIR_DOMAIN_NUMATUNE_MEM_RESTRICTIVE)
        self.assertEqual(got[libvirt.VIR_DOMAIN_NUMA_NODESET], "0")
        params = {libvirt.VIR_DOMAIN_NUMA_NODESET: "0"}
        self.assertEqual(dx.call_tunable(self, dom.setNumaParameters, params, dx.LIVE), 0)
        self.assertEqual(dom.numaParameters(dx.LIVE)[libvirt.VIR_DOMAIN_NUMA_NODESET], "0")


class PerfTuning(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.tuning_perf
    """

    def test_config(self):
        """
        setPerfEvents with CONFIG enables an event in the definition (<perf><event enabled='yes'>).

        :avocado: tags=api:virDomainSetPerfEvents,api:virDomainGetPerfEvents
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        key = libvirt.VIR_PERF_PARAM_CPU_CYCLES
        set_config_and_read_back(self, dom, dom.perfEvents, dom.setPerfEvents, key, True)
        events = {e.get("name"): e.get("enabled") for e in dx.config_xml(dom).iterfind("perf/event")}
        self.assertEqual(events.get("cpu_cycles"), "yes")


def set_throttle(test, dom, key, value, flags):
    """A rate alone is a valid throttle (the burst maximum is optional): refusing it fails the promise."""
    try:
        return dom.setBlockIoTune("vdb", {key: value}, flags)
    except libvirt.libvirtError as err:
        if err.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT:
            raise
        test.fail(f"setBlockIoTune refused {key}={value} without a burst maximum: {err.get_error_message()}")
    return None


class BlockIoTuning(CertTest):
    """
    :avocado: tags=area:domain
    """

    def domain_with_disk(self):
        pool = dx.make_pool(self)
        volume = dx.make_volume(self, pool)
        root = dx.domain_root(self, boot=False)
        dx.add_device(root, dx.volume_disk(pool.name(), volume.name(), target="vdb", bus="virtio"))
        return dx.define(self, root)

    def test_config(self):
        """
        setBlockIoTune with CONFIG sets a disk's throttle in the definition (<disk><iotune>).

        :avocado: tags=cap:domain.tuning_block_iotune
        :avocado: tags=api:virDomainSetBlockIoTune,api:virDomainGetBlockIoTune
        """
        dom = self.domain_with_disk()
        key = libvirt.VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC
        before = dom.blockIoTune("vdb", dx.CONFIG)
        self.assertEqual(before[key], 0)
        self.assertEqual(set_throttle(self, dom, key, 10485760, dx.CONFIG), 0)
        self.assertEqual(dom.blockIoTune("vdb", dx.CONFIG)[key], 10485760)
        disk = dx.find_device(dx.config_xml(dom), "disk", target__dev="vdb")
        self.assertEqual(disk.findtext("iotune/total_bytes_sec"), "10485760")

    def test_live(self):
        """
        setBlockIoTune with LIVE throttles a running domain's disk, config untouched.

        :avocado: tags=cap:domain.tuning_live
        :avocado: tags=api:virDomainSetBlockIoTune,api:virDomainGetBlockIoTune
        """
        dom = self.domain_with_disk()
        dom.create()
        key = libvirt.VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC
        self.assertEqual(dom.blockIoTune("vdb", dx.LIVE)[key], 0)
        self.assertEqual(set_throttle(self, dom, key, 5242880, dx.LIVE), 0)
        self.assertEqual(dom.blockIoTune("vdb", dx.LIVE)[key], 5242880)
        self.assertEqual(dom.blockIoTune("vdb", dx.CONFIG)[key], 0, "a LIVE throttle reached the config")


class InterfaceTuning(CertTest):
    """
    :avocado: tags=area:domain
    """

    def domain_with_nic(self):
        network = dx.make_network(self)
        root = dx.domain_root(self, boot=False)
        mac = dx.random_mac()
        dx.add_device(root, dx.network_interface(network.name(), mac=mac))
        return dx.define(self, root), mac

    def test_config(self):
        """
        setInterfaceParameters with CONFIG sets a NIC's inbound average in the definition (<bandwidth>).

        :avocado: tags=cap:domain.tuning_interface
        :avocado: tags=api:virDomainSetInterfaceParameters,api:virDomainGetInterfaceParameters
        """
        dom, mac = self.domain_with_nic()
        key = libvirt.VIR_DOMAIN_BANDWIDTH_IN_AVERAGE
        self.assertEqual(dom.interfaceParameters(mac, dx.CONFIG)[key], 0)
        self.assertEqual(dom.setInterfaceParameters(mac, {key: 1000}, dx.CONFIG), 0)
        self.assertEqual(dom.interfaceParameters(mac, dx.CONFIG)[key], 1000)
        nic = dx.find_device(dx.config_xml(dom), "interface", mac__address=mac)
        self.assertEqual(nic.find("bandwidth/inbound").get("average"), "1000")

    def test_live(self):
        """
        setInterfaceParameters with LIVE shapes a running domain's NIC, config untouched.

        :avocado: tags=cap:domain.tuning_live
        :avocado: tags=api:virDomainSetInterfaceParameters,api:virDomainGetInterfaceParameters
        """
        dom, mac = self.domain_with_nic()
        dom.create()
        key = libvirt.VIR_DOMAIN_BANDWIDTH_IN_AVERAGE
        self.assertEqual(dom.interfaceParameters(mac, dx.LIVE)[key], 0)
        try:
            dom.setInterfaceParameters(mac, {key: 2000}, dx.LIVE)
        except libvirt.libvirtError as err:
            if dx.tc_cannot_shape(err):
                self.skip_because(dx.host_lacks(err))
            raise
        self.assertEqual(dom.interfaceParameters(mac, dx.LIVE)[key], 2000)
        self.assertEqual(dom.interfaceParameters(mac, dx.CONFIG)[key], 0, "a LIVE setting reached the config")
