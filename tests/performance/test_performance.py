"""Performance of basic operations, measured in the certification run and bounded per profile by the
criteria (thresholds): query latency, listing throughput, domain lifecycle and volume create/delete
times. Every figure has a warm-up, many samples and a median; latencies are also given as ratios to a
virConnectGetVersion round trip timed in the same run, which a slow or busy host slows alike."""

from avocado_cert.base import naming
from avocado_cert.testing import CertTest
from avocado_cert.testing import consistency as cons
from avocado_cert.testing import performance as perf
from avocado_cert.testing import xmlbuild


class PerformanceTest(CertTest):
    """
    :avocado: disable
    """

    def setUp(self):
        super().setUp()
        load = perf.load_average()
        # The host's load when the figures were taken: a reader of a slow figure needs it.
        self.record_metric("host_load_1min", load[0])

    def count(self, key, default):
        return int(self.params.get(key, default=default))

    def record_timing(self, name, timing, reference=None):
        self.record_metric(f"{name}_median_us", perf.microseconds(timing.median), "us")
        self.record_metric(f"{name}_p99_us", perf.microseconds(timing.p99), "us")
        if reference is not None:
            self.record_metric(f"{name}_ratio", round(timing.median / reference.median, 3), "x")


class QueryLatency(PerformanceTest):
    """
    :avocado: tags=area:performance,cap:performance.query_latency
    """

    def test_basic_queries(self):
        """
        Lookup by name, virDomainGetInfo and virDomainGetXMLDesc of a defined domain: median and 99th
        percentile over many calls, and each median as a ratio to a virConnectGetVersion round trip.

        :avocado: tags=api:virDomainLookupByName,api:virDomainGetInfo,api:virDomainGetXMLDesc
        :avocado: tags=api:virConnectGetVersion
        """
        samples = self.count("perf_samples", 1000)
        dom = self.define_domain(boot=False)
        name = dom.name()
        self.assertEqual(self.conn.lookupByName(name).UUIDString(), dom.UUIDString())
        reference = None
        for label, func in (
            ("lookup", lambda: self.conn.lookupByName(name)),
            ("info", dom.info),
            ("xmldesc", lambda: dom.XMLDesc(0)),
        ):
            timing, ref = perf.paired(func, self.conn.getVersion, samples)
            reference = ref if reference is None else perf.Timing(reference.samples + ref.samples)
            self.record_timing(label, timing, ref)
        self.record_timing("getversion", reference)


class ListingThroughput(PerformanceTest):
    """
    :avocado: tags=area:performance,cap:performance.listing
    """

    def test_list_all(self):
        """
        virConnectListAllDomains and virStoragePoolListAllVolumes over many objects of the test's own:
        every object is listed, and the objects listed per second (median call) are recorded.

        :avocado: tags=api:virConnectListAllDomains,api:virStoragePoolListAllVolumes
        """
        objects = self.count("perf_objects", 50)
        samples = self.count("perf_list_samples", 200)
        mine = {self.define_domain(boot=False).name() for _ in range(objects)}
        pool = cons.pool(self)
        volumes = {cons.volume(self, pool, capacity=4096).name() for _ in range(objects)}
        listed = {d.name() for d in self.conn.listAllDomains(0)}
        self.assertLessEqual(mine, listed, "virConnectListAllDomains missed domains of the test")
        self.assertEqual({v.name() for v in pool.listAllVolumes(0)}, volumes)
        domains = perf.time_calls(lambda: self.conn.listAllDomains(0), samples)
        vols = perf.time_calls(lambda: pool.listAllVolumes(0), samples)
        self.record_timing("listall_domains", domains)
        self.record_timing("listall_volumes", vols)
        self.record_metric("listall_domains_per_s", round(len(listed) / domains.median), "objects/s")
        self.record_metric("listall_volumes_per_s", round(len(volumes) / vols.median), "objects/s")


class LifecycleTimes(PerformanceTest):
    """
    :avocado: tags=area:performance
    """

    def test_domain_define_start_destroy(self):
        """
        Median times to define, start, destroy and undefine a domain; each step is checked done.

        :avocado: tags=cap:performance.lifecycle
        :avocado: tags=api:virDomainDefineXML,api:virDomainCreate,api:virDomainDestroy
        :avocado: tags=api:virDomainUndefine
        """
        rounds = self.count("perf_lifecycle_rounds", 3)
        xmls = [self.domain_xml(boot=False) for _ in range(rounds)]
        doms = []

        def define(index):
            doms.append(self.objects.define_domain(xmls[index]))

        steps = {"define": perf.time_each(define, rounds)}
        steps["start"] = perf.time_each(lambda i: doms[i].create(), rounds)
        self.assertTrue(all(d.isActive() for d in doms), "a started domain is not running")
        steps["destroy"] = perf.time_each(lambda i: doms[i].destroy(), rounds)
        self.assertFalse(any(d.isActive() for d in doms), "a destroyed domain still runs")
        steps["undefine"] = perf.time_each(lambda i: doms[i].undefine(), rounds)
        names = {d.name() for d in self.conn.listAllDomains(0)}
        self.assertFalse(names & {d.name() for d in doms}, "an undefined domain is still listed")
        for step, timing in steps.items():
            self.record_metric(f"domain_{step}_ms", perf.milliseconds(timing.median), "ms")

    def test_volume_create_delete(self):
        """
        Median times to create and to delete a volume in a pool of the test's own; each is checked.

        :avocado: tags=cap:performance.volumes
        :avocado: tags=api:virStorageVolCreateXML,api:virStorageVolDelete
        """
        rounds = self.count("perf_volume_rounds", 20)
        pool = cons.pool(self)
        xmls = [
            xmlbuild.to_xml(xmlbuild.volume(naming.unique("vol") + ".img", capacity=1 << 20))
            for _ in range(rounds)
        ]
        vols = []
        created = perf.time_each(lambda i: vols.append(self.objects.create_volume(pool, xmls[i])), rounds)
        self.assertEqual(len(pool.listAllVolumes(0)), rounds)
        deleted = perf.time_each(lambda i: vols[i].delete(0), rounds)
        self.assertEqual(pool.listAllVolumes(0), [], "a deleted volume is still listed")
        self.record_metric("volume_create_ms", perf.milliseconds(created.median), "ms")
        self.record_metric("volume_delete_ms", perf.milliseconds(deleted.median), "ms")
