"""CPU models of the host and the hypervisor: model names, baseline and comparison of CPU definitions,
and the domain and storage pool capabilities documents."""

import libvirt
from lxml import etree

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest, hypervisorcpu

EXPAND = libvirt.VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES
# A feature no plain x86 model enables, added to prove the baseline keeps only what all CPUs share.
EXTRA_FEATURE = "avx"


def _host_cpu(conn):
    caps = xmlsafe.fromstring(conn.getCapabilities(), "capabilities XML")
    return caps.find("host/cpu")


def _cpu_xml(arch, model, features=(), vendor=None):
    root = etree.Element("cpu")
    etree.SubElement(root, "arch").text = arch
    etree.SubElement(root, "model").text = model
    if vendor:
        etree.SubElement(root, "vendor").text = vendor
    for name in features:
        etree.SubElement(root, "feature", name=name)
    return xmlsafe.tostring(root)


def _features(xml, policy="require"):
    root = xmlsafe.fromstring(xml, "CPU XML")
    return {f.get("name") for f in root.findall("feature") if f.get("policy", "require") == policy}


class CPUTest(CertTest):
    """
    :avocado: disable
    """

    @property
    def host_arch(self):
        return _host_cpu(self.conn).findtext("arch")

    @property
    def virttype(self):
        """The profile's domain type where the host offers it for its architecture (a profile may say
        'auto'), else kvm, else qemu, else the first type offered."""
        caps = xmlsafe.fromstring(self.conn.getCapabilities(), "capabilities XML")
        offered = [
            d.get("type")
            for g in caps.findall("guest")
            if g.find("arch") is not None and g.find("arch").get("name") == self.host_arch
            for d in g.findall("arch/domain")
        ]
        requested = str(self.param("domain_type", ""))
        for choice in [requested, "kvm", "qemu"] + offered:
            if choice in offered:
                return choice
        return requested

    def plain_model(self):
        """A model of the host's architecture every CPU of it can run: qemu64 on x86, else the first."""
        models = self.conn.getCPUModelNames(self.host_arch, 0)
        self.require(models, f"libvirt knows no CPU model for {self.host_arch}")
        for candidate in ("qemu64", "qemu32", "kvm64"):
            if candidate in models:
                return candidate
        return models[0]


class CPUModels(CPUTest):
    """
    :avocado: tags=area:host,cap:host.cpu_models
    """

    def test_model_names(self):
        """
        The host's architecture has named CPU models, each listed once; an unknown one is refused.

        :avocado: tags=api:virConnectGetCPUModelNames
        """
        models = self.conn.getCPUModelNames(self.host_arch, 0)
        self.assertTrue(models, f"no CPU model for the host's architecture {self.host_arch}")
        self.assertEqual(len(models), len(set(models)), "a model is listed twice")
        self.assertTrue(all(isinstance(m, str) and m for m in models))
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, self.conn.getCPUModelNames, "acert-no-such-arch", 0)


class CPUBaseline(CPUTest):
    """
    :avocado: tags=area:host,cap:host.cpu_baseline
    """

    def test_baseline_common_features(self):
        """
        The baseline of CPUs keeps a feature all of them have and drops one only some have; expanded,
        its features are those every input CPU has.

        :avocado: tags=api:virConnectBaselineCPU
        """
        arch, model = self.host_arch, self.plain_model()
        with_extra = _cpu_xml(arch, model, [EXTRA_FEATURE])
        without = _cpu_xml(arch, model)
        both = self.conn.baselineCPU([with_extra, with_extra], EXPAND)
        self.assertIn(EXTRA_FEATURE, _features(both), "a feature every CPU has is missing from the baseline")
        common = self.conn.baselineCPU([with_extra, without], EXPAND)
        self.assertNotIn(EXTRA_FEATURE, _features(common), "the baseline requires a feature one CPU lacks")
        alone = self.conn.baselineCPU([without], EXPAND)
        self.assertTrue(_features(alone), "an expanded CPU lists no feature")
        self.assertLessEqual(_features(common), _features(alone) & _features(both))
        plain = self.conn.baselineCPU([without, without], 0)
        root = xmlsafe.fromstring(plain, "baseline CPU")
        self.assertIn(
            root.findtext("model"), self.conn.getCPUModelNames(arch, 0), "the baseline model is unknown"
        )

    def test_baseline_hypervisor(self):
        """
        The hypervisor's baseline of a CPU is a model the hypervisor can run.

        :avocado: tags=api:virConnectBaselineHypervisorCPU,api:virConnectCompareHypervisorCPU
        """
        cpu = _cpu_xml(self.host_arch, self.plain_model())
        baseline = self.conn.baselineHypervisorCPU(None, self.host_arch, None, self.virttype, [cpu], 0)
        root = xmlsafe.fromstring(baseline, "baseline CPU")
        self.assertTrue(root.findtext("model"), "the baseline names no model")
        result = self.conn.compareHypervisorCPU(None, self.host_arch, None, self.virttype, baseline, 0)
        self.assertIn(
            result,
            (libvirt.VIR_CPU_COMPARE_IDENTICAL, libvirt.VIR_CPU_COMPARE_SUPERSET),
            "the hypervisor cannot run its own baseline",
        )


class CPUCompare(CPUTest):
    """
    :avocado: tags=area:host,cap:host.cpu_compare
    """

    def _foreign(self):
        """A CPU of the other x86 vendor than the one libvirt reports for the host CPU."""
        vendor = _host_cpu(self.conn).findtext("vendor")
        self.require(
            vendor in ("Intel", "AMD"), f"the host CPU vendor is {vendor!r}: no foreign vendor to compare"
        )
        other = {"Intel": "AMD", "AMD": "Intel"}[vendor]
        return _cpu_xml(self.host_arch, self.plain_model(), vendor=other)

    def _hypervisor_cpu(self):
        """What the domain capabilities say the hypervisor can run, for the host's architecture (the
        variant's machine where the variant is of that architecture) and the variant's virt type."""
        machine = (
            self.param("machine") if str(self.param("guest_arch", self.host_arch)) == self.host_arch else None
        )
        return hypervisorcpu.read(self.conn, self.host_arch, str(machine) if machine else None, self.virttype)

    def test_compare_host(self):
        """
        The host CPU compares as identical (or a superset) to itself; a CPU of the other vendor than
        the capabilities report for the host is incompatible, and with
        VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE the comparison fails.

        :avocado: tags=api:virConnectCompareCPU
        """
        host = xmlsafe.tostring(_host_cpu(self.conn))
        result = self.conn.compareCPU(host, 0)
        self.assertIn(result, (libvirt.VIR_CPU_COMPARE_IDENTICAL, libvirt.VIR_CPU_COMPARE_SUPERSET))
        foreign = self._foreign()
        self.assertEqual(self.conn.compareCPU(foreign, 0), libvirt.VIR_CPU_COMPARE_INCOMPATIBLE)
        self.expect_error(
            libvirt.VIR_ERR_CPU_INCOMPATIBLE,
            self.conn.compareCPU,
            foreign,
            libvirt.VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE,
        )

    def test_compare_hypervisor(self):
        """
        The hypervisor runs a CPU model its domain capabilities mark usable, and not one they mark
        unusable (or one requiring a feature its host-model CPU lacks); with
        VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE the latter fails. Under TCG a CPU of either x86
        vendor may be usable: the expectation is libvirt's report, never the host CPU's vendor.

        :avocado: tags=api:virConnectCompareHypervisorCPU
        """
        compare = self.conn.compareHypervisorCPU
        arch, virttype = self.host_arch, self.virttype
        # The call under test first: a driver without it is UNSUPPORTED whatever else it lacks.
        plain_model = self.plain_model()
        plain_result = compare(None, arch, None, virttype, _cpu_xml(arch, plain_model), 0)
        try:
            cpus = self._hypervisor_cpu()
        except libvirt.libvirtError as err:
            self.skip_because(
                f"the domain capabilities, which say what the hypervisor can run, are not available: {err}"
            )
        model = cpus.compatible_model((plain_model,))
        self.require(model, f"the domain capabilities mark no {arch} CPU model usable under {virttype}")
        result = (
            plain_result
            if model == plain_model
            else compare(None, arch, None, virttype, _cpu_xml(arch, model), 0)
        )
        self.assertIn(
            result,
            (libvirt.VIR_CPU_COMPARE_IDENTICAL, libvirt.VIR_CPU_COMPARE_SUPERSET),
            f"{model}, usable under {virttype} by the domain capabilities, compares as {result}",
        )
        incompatible = cpus.incompatible()
        self.require(
            incompatible,
            f"the hypervisor ({virttype}) can run every {arch} CPU model libvirt knows and lacks no feature "
            "of its host-model CPU: no incompatible CPU to compare",
        )
        bad_model, feature = incompatible
        self.log.info(
            "incompatible CPU from the domain capabilities: model %s, feature %s", bad_model, feature
        )
        foreign = _cpu_xml(arch, bad_model, [feature] if feature else [])
        self.assertEqual(
            compare(None, arch, None, virttype, foreign, 0),
            libvirt.VIR_CPU_COMPARE_INCOMPATIBLE,
            f"{bad_model} (+{feature}) compares as runnable, yet the domain capabilities say it is not",
        )
        self.expect_error(
            libvirt.VIR_ERR_CPU_INCOMPATIBLE,
            compare,
            None,
            arch,
            None,
            virttype,
            foreign,
            libvirt.VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE,
        )


class DriverCapabilities(CPUTest):
    """
    :avocado: tags=area:host
    """

    def test_domain_capabilities(self):
        """
        The domain capabilities describe the requested architecture and virtualization type, with an
        emulator and a vCPU limit; the same emulator asked by path gives the same document; an unknown
        virtualization type is refused.

        :avocado: tags=cap:host.domain_capabilities,api:virConnectGetDomainCapabilities
        """
        arch = str(self.param("guest_arch", self.host_arch))
        xml = self.conn.getDomainCapabilities(None, arch, None, self.virttype, 0)
        root = xmlsafe.fromstring(xml, "domain capabilities")
        self.assertEqual(root.tag, "domainCapabilities")
        self.assertEqual(root.findtext("arch"), arch)
        self.assertEqual(root.findtext("domain"), self.virttype)
        path = root.findtext("path")
        self.assertTrue(path, "no emulator path")
        self.assertGreater(int(root.find("vcpu").get("max")), 0)
        by_path = xmlsafe.fromstring(self.conn.getDomainCapabilities(path, arch, None, self.virttype, 0))
        self.assertEqual(by_path.findtext("path"), path)
        self.assertEqual(by_path.findtext("machine"), root.findtext("machine"))
        self.expect_error(
            libvirt.VIR_ERR_INVALID_ARG,
            self.conn.getDomainCapabilities,
            None,
            arch,
            None,
            "acert-no-such-type",
            0,
        )

    def test_storage_pool_capabilities(self):
        """
        The storage pool capabilities list pool types with whether each is supported; dir pools are.

        :avocado: tags=cap:host.pool_capabilities,api:virConnectGetStoragePoolCapabilities
        """
        root = xmlsafe.fromstring(self.conn.getStoragePoolCapabilities(0), "storage pool capabilities")
        self.assertEqual(root.tag, "storagepoolCapabilities")
        pools = {pool.get("type"): pool.get("supported") for pool in root.findall("pool")}
        self.assertTrue(pools, "no pool type listed")
        self.assertLessEqual(set(pools.values()), {"yes", "no"})
        self.assertEqual(pools.get("dir"), "yes", "directory pools are not supported")
