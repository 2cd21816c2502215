"""The host as the driver reports it: CPU and memory statistics, NUMA cells and their free memory,
huge pages, memory tuning, the CPU map, the security model and the host's SMBIOS information."""

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest

HUGE_PAGE_KIB = 2048


def _cells(conn):
    """{cell id: capabilities <cell> element} of the host's NUMA topology."""
    caps = xmlsafe.fromstring(conn.getCapabilities(), "capabilities XML")
    return {int(cell.get("id")): cell for cell in caps.findall("host/topology/cells/cell")}


def _kib(element):
    """A capabilities memory element in KiB, whatever unit it states."""
    scale = {"KiB": 1, "MiB": 1024, "GiB": 1024 * 1024, "b": 1 / 1024, "bytes": 1 / 1024}
    return float(element.text) * scale[element.get("unit", "KiB")]


class NodeStats(CertTest):
    """
    :avocado: tags=area:host,cap:host.stats
    """

    def test_cpu_stats(self):
        """
        CPU time counters of the whole host and of each CPU are present and never go backwards; the
        host's total is at least any one CPU's.

        :avocado: tags=api:virNodeGetCPUStats
        """
        ncpus = self.conn.getCPUMap(0)[0]
        per_cpu = [self.conn.getCPUStats(cpu, 0) for cpu in range(ncpus)]
        first = self.conn.getCPUStats(libvirt.VIR_NODE_CPU_STATS_ALL_CPUS, 0)
        for key in ("kernel", "user", "idle"):
            self.assertIn(key, first, f"no {key} counter in {first}")
        for key, value in first.items():
            self.assertGreaterEqual(value, 0, f"negative {key}")
            for cpu, stats in enumerate(per_cpu):
                if key in stats:
                    self.assertGreaterEqual(value, stats[key], f"host {key} below CPU {cpu}'s, read earlier")
        second = self.conn.getCPUStats(libvirt.VIR_NODE_CPU_STATS_ALL_CPUS, 0)
        for key, value in first.items():
            self.assertGreaterEqual(second.get(key, value), value, f"{key} went backwards")

    def test_memory_stats(self):
        """
        Memory statistics give total and free memory, free never above total, for the host and for each
        NUMA cell, where a cell's total matches the capabilities; an unknown cell is refused.

        :avocado: tags=api:virNodeGetMemoryStats
        """
        for _ in range(2):
            stats = self.conn.getMemoryStats(libvirt.VIR_NODE_MEMORY_STATS_ALL_CELLS, 0)
            self.assertGreater(stats["total"], 0)
            self.assertGreaterEqual(stats["total"], stats["free"], f"free above total: {stats}")
        cells = _cells(self.conn)
        for cell_id, cell in cells.items():
            stats = self.conn.getMemoryStats(cell_id, 0)
            self.assertGreaterEqual(stats["total"], stats["free"], f"cell {cell_id}: free above total")
            self.assertAlmostEqual(
                stats["total"],
                _kib(cell.find("memory")),
                delta=_kib(cell.find("memory")) * 0.1,
                msg=f"cell {cell_id}: total memory differs from the capabilities by more than 10%",
            )
        self.expect_error(
            libvirt.VIR_ERR_INVALID_ARG, self.conn.getMemoryStats, max(cells, default=0) + 64, 0
        )


class NodeMemory(CertTest):
    """
    :avocado: tags=area:host,cap:host.numa
    """

    def test_cells_free_memory(self):
        """
        Each NUMA cell's free memory is no more than the cell's memory in the capabilities, their sum no
        more than the host's memory, and a range past the last cell is refused.

        :avocado: tags=api:virNodeGetCellsFreeMemory,api:virConnectGetCapabilities,api:virNodeGetInfo
        """
        cells = _cells(self.conn)
        self.require(cells, "the capabilities describe no NUMA cell")
        free = self.conn.getCellsFreeMemory(0, len(cells))
        self.assertEqual(len(free), len(cells))
        for cell_id, cell_free in enumerate(free):
            cell_bytes = _kib(cells[cell_id].find("memory")) * 1024
            self.assertGreater(cell_free, 0, f"cell {cell_id} has no free memory")
            self.assertLessEqual(cell_free, cell_bytes * 1.05, f"cell {cell_id}: more free than it has")
        host_bytes = self.conn.getInfo()[1] * 1024 * 1024
        self.assertLessEqual(
            sum(free), host_bytes * 1.05, "the cells have more free memory than the host has"
        )
        try:
            self.conn.getCellsFreeMemory(len(cells) + 8, 1)
        except libvirt.libvirtError as err:
            self.log.info("a start cell past the last one is refused: %s", err.get_error_message())
        else:
            self.fail("virNodeGetCellsFreeMemory accepted a start cell past the last cell")

    def test_cells_add_up(self):
        """
        The cells' free memory adds up to the host's free memory.

        :avocado: tags=api:virNodeGetCellsFreeMemory,api:virNodeGetFreeMemory
        """
        cells = _cells(self.conn)
        self.require(cells, "the capabilities describe no NUMA cell")
        free = sum(self.conn.getCellsFreeMemory(0, len(cells)))
        host_free = self.conn.getFreeMemory()
        # Both are read a moment apart on a live host: allow 5% of movement.
        self.assertAlmostEqual(
            free,
            host_free,
            delta=max(free, host_free) * 0.05,
            msg=f"cells report {free} bytes free, the host {host_free}",
        )


class NodePages(CertTest):
    """
    :avocado: tags=area:host,cap:host.pages
    """

    def _pool_size(self, cell_id, size_kib):
        pages = _cells(self.conn)[cell_id].find(f"pages[@size='{size_kib}']")
        return None if pages is None else int(pages.text)

    def _free_huge_pages(self):
        free = self.conn.getFreePages([HUGE_PAGE_KIB], 0, 1, 0)
        if HUGE_PAGE_KIB not in free.get(0, {}):
            self.fail(f"virNodeGetFreePages reports no {HUGE_PAGE_KIB} KiB pages for cell 0: {free}")
        return free[0][HUGE_PAGE_KIB]

    def test_free_pages(self):
        """
        Free pages of each size the capabilities list are reported for every cell, no more than the
        cell's pool of that size.

        :avocado: tags=api:virNodeGetFreePages
        """
        self.hold_host_resource("hugepages")  # test_alloc_pages changes a pool for a moment
        cells = _cells(self.conn)
        self.require(cells, "the capabilities describe no NUMA cell")
        sizes = sorted({int(p.get("size")) for cell in cells.values() for p in cell.findall("pages")})
        self.require(sizes, "the capabilities list no page size")
        free = self.conn.getFreePages(sizes, 0, len(cells), 0)
        self.assertEqual(
            sorted(free), sorted(cells), f"virNodeGetFreePages answered for cells {sorted(free)}"
        )
        for cell_id, counts in free.items():
            self.assertEqual(sorted(counts), sizes)
            for size, count in counts.items():
                pool = self._pool_size(cell_id, size)
                if pool is not None:
                    self.assertLessEqual(
                        count, pool, f"cell {cell_id}: {count} free {size} KiB pages of {pool}"
                    )

    def test_alloc_pages(self):
        """
        Allocating one huge page grows the cell's pool by one (free pages too); setting the old size
        shrinks it back.

        :avocado: tags=api:virNodeAllocPages,api:virNodeGetFreePages
        """
        self.hold_host_resource("hugepages")  # until the pool is restored, at cleanup
        cells = _cells(self.conn)
        self.require(cells, "the capabilities describe no NUMA cell")
        before = self._pool_size(0, HUGE_PAGE_KIB)
        self.require(before is not None, f"the host has no {HUGE_PAGE_KIB} KiB page size")
        # Adding no page changes nothing: it shows whether the driver implements the call at all.
        self.assertEqual(self.conn.allocPages({HUGE_PAGE_KIB: 0}, 0, 1, libvirt.VIR_NODE_ALLOC_PAGES_ADD), 1)
        self.assertEqual(self._pool_size(0, HUGE_PAGE_KIB), before, "adding no page changed the pool")
        free_before = self._free_huge_pages()
        self.objects.on_cleanup(
            "huge page pool",
            self.conn.allocPages,
            {HUGE_PAGE_KIB: before},
            0,
            1,
            libvirt.VIR_NODE_ALLOC_PAGES_SET,
        )
        self.assertEqual(self.conn.allocPages({HUGE_PAGE_KIB: 1}, 0, 1, libvirt.VIR_NODE_ALLOC_PAGES_ADD), 1)
        after = self._pool_size(0, HUGE_PAGE_KIB)
        if after == before:
            self.skip_because(
                f"the kernel could not find a free {HUGE_PAGE_KIB} KiB page (memory fragmented)"
            )
        self.assertEqual(after, before + 1)
        self.assertEqual(self._free_huge_pages(), free_before + 1)
        self.assertEqual(
            self.conn.allocPages({HUGE_PAGE_KIB: before}, 0, 1, libvirt.VIR_NODE_ALLOC_PAGES_SET), 1
        )
        self.assertEqual(self._pool_size(0, HUGE_PAGE_KIB), before)
        self.expect_error(
            (libvirt.VIR_ERR_OPERATION_FAILED, libvirt.VIR_ERR_INVALID_ARG),
            self.conn.allocPages,
            {3: 1},
            0,
            1,
            0,
        )


class NodeMemoryParameters(CertTest):
    """
    :avocado: tags=area:host,cap:host.memory_parameters
    """

    KEY = "shm_pages_to_scan"

    def test_set_get(self):
        """
        A node memory parameter set reads back changed, and is restored.

        :avocado: tags=api:virNodeGetMemoryParameters,api:virNodeSetMemoryParameters
        """
        params = self.conn.getMemoryParameters(0)
        self.assertTrue(params, "no node memory parameter")
        self.require(self.KEY in params, f"the host has no {self.KEY} (KSM) parameter")
        old = params[self.KEY]
        self.objects.on_cleanup(
            f"node memory parameter {self.KEY}", self.conn.setMemoryParameters, {self.KEY: old}, 0
        )
        new = old + 1 if old < 10000 else old - 1
        self.assertEqual(self.conn.setMemoryParameters({self.KEY: new}, 0), 0)
        self.assertEqual(self.conn.getMemoryParameters(0)[self.KEY], new)
        self.assertEqual(self.conn.setMemoryParameters({self.KEY: old}, 0), 0)
        self.assertEqual(self.conn.getMemoryParameters(0)[self.KEY], old)


class NodeIdentity(CertTest):
    """
    :avocado: tags=area:host
    """

    def test_cpu_map(self):
        """
        The CPU map has one entry per CPU and counts the online ones.

        :avocado: tags=cap:host.identity,api:virNodeGetCPUMap
        """
        ncpus, cpumap, online = self.conn.getCPUMap(0)
        self.assertGreater(ncpus, 0)
        self.assertEqual(len(cpumap), ncpus)
        self.assertEqual(sum(1 for cpu in cpumap if cpu), online)
        self.assertGreaterEqual(online, 1)

    def test_security_model(self):
        """
        The security model and DOI are those of the capabilities' first <secmodel>.

        :avocado: tags=cap:host.identity,api:virNodeGetSecurityModel
        """
        model, doi = self.conn.getSecurityModel()
        caps = xmlsafe.fromstring(self.conn.getCapabilities(), "capabilities XML")
        secmodel = caps.find("host/secmodel")
        if secmodel is None:
            self.assertEqual((model, doi), ("", ""), "a security model with none in the capabilities")
            return
        self.assertEqual(model, secmodel.findtext("model") or "")
        self.assertEqual(doi, secmodel.findtext("doi") or "")

    def test_sysinfo(self):
        """
        The host's SMBIOS information is a <sysinfo> document (or refused where the host has none).

        :avocado: tags=cap:host.sysinfo,api:virConnectGetSysinfo
        """
        try:
            xml = self.conn.getSysinfo(0)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_CONFIG_UNSUPPORTED:
                self.skip_because(f"the host exposes no SMBIOS information: {err.get_error_message()}")
            raise
        root = xmlsafe.fromstring(xml, "sysinfo XML")
        self.assertEqual(root.tag, "sysinfo")
        self.assertTrue(root.get("type"), "sysinfo names no type")
        self.assertTrue(len(root), "sysinfo is empty")


class NodeSEV(CertTest):
    """
    :avocado: tags=area:host,cap:host.sev
    """

    def test_sev_info(self):
        """
        On an AMD SEV host the platform's certificates and memory encryption parameters are reported.

        :avocado: tags=api:virNodeGetSEVInfo
        """
        try:
            info = self.conn.getSEVInfo(0)
        except libvirt.libvirtError as err:
            if err.get_error_code() in (
                libvirt.VIR_ERR_OPERATION_UNSUPPORTED,
                libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED,
            ):
                self.skip_because(f"the host offers no AMD SEV: {err.get_error_message()}")
            raise
        for key in ("pdh", "cert-chain", "cbitpos", "reduced-phys-bits"):
            self.assertIn(key, info, f"SEV info lacks {key}: {sorted(info)}")
        self.assertTrue(info["pdh"], "empty platform Diffie-Hellman key")
        self.assertGreater(info["cbitpos"], 0, "no C-bit position")
