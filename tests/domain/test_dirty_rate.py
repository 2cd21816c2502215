"""The memory dirty rate of a running domain: startDirtyRateCalc measures it over a period, and the
dirtyrate group of the domain stats reports the measurement (status, period, mode, rate)."""

import time

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import Runtime

MODES = {
    libvirt.VIR_DOMAIN_DIRTYRATE_MODE_PAGE_SAMPLING: "page-sampling",
    libvirt.VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP: "dirty-bitmap",
    libvirt.VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_RING: "dirty-ring",
}


class DirtyRateTest(CertTest):
    """
    :avocado: disable
    """

    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)

    def dirtyrate(self, dom):
        return self.rt.stats_group(libvirt.VIR_DOMAIN_STATS_DIRTYRATE, [dom]).get(dom.UUIDString(), {})

    @staticmethod
    def stops_within(dom, timeout):
        """Whether the domain is shut off within timeout seconds (a hypervisor that died is noticed late)."""
        deadline = time.monotonic() + timeout
        while dom.isActive():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    def measure(self, dom, seconds, mode):
        """Start a calculation and wait for its result; return the dirtyrate stats."""
        try:
            self.rt.call_flags(f"startDirtyRateCalc({MODES[mode]})", dom.startDirtyRateCalc, seconds, mode)
        except libvirt.libvirtError as err:
            if self.stops_within(dom, 10):
                self.fail(
                    f"the domain died on startDirtyRateCalc({MODES[mode]}): {err.get_error_message()}; "
                    f"state {dom.state()}"
                )
            raise

        def measured():
            if not dom.isActive():
                self.fail(f"the domain stopped during the {MODES[mode]} calculation: state {dom.state()}")
            stats = self.dirtyrate(dom)
            return (
                stats if stats.get("dirtyrate.calc_status") == libvirt.VIR_DOMAIN_DIRTYRATE_MEASURED else None
            )

        stats = self.wait_for(measured, seconds + 30, step=0.1, what="the dirty rate measurement")
        self.log.info("dirtyrate stats: %s", stats)
        return stats


class DirtyRate(DirtyRateTest):
    """
    :avocado: tags=area:domain,cap:domain.dirty_rate
    """

    def test_page_sampling(self):
        """
        Before any calculation the dirtyrate group says UNSTARTED; startDirtyRateCalc (default mode,
        page sampling) over 1 s ends MEASURED, with that period, the mode and a rate in MiB/s;
        a period of 0 s is refused.

        :avocado: tags=api:virDomainStartDirtyRateCalc
        """
        dom, _facts = self.rt.domain()
        # The period's range is the driver's (QEMU: 1-60 s), reported as an invalid or unsupported value.
        self.expect_error(
            (libvirt.VIR_ERR_INVALID_ARG, libvirt.VIR_ERR_CONFIG_UNSUPPORTED), dom.startDirtyRateCalc, 0, 0
        )
        before = self.dirtyrate(dom)
        self.assertEqual(
            before.get("dirtyrate.calc_status"), libvirt.VIR_DOMAIN_DIRTYRATE_UNSTARTED, f"{before}"
        )
        stats = self.measure(dom, 1, libvirt.VIR_DOMAIN_DIRTYRATE_MODE_PAGE_SAMPLING)
        self.assertEqual(stats.get("dirtyrate.calc_period"), 1)
        self.assertEqual(stats.get("dirtyrate.calc_mode"), "page-sampling")
        self.assertIn("dirtyrate.megabytes_per_second", stats)
        self.assertGreaterEqual(stats["dirtyrate.megabytes_per_second"], 0)
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING, "after the measurement")


class DirtyRateModes(DirtyRateTest):
    """
    :avocado: tags=area:domain,cap:domain.dirty_rate_modes
    """

    def test_dirty_bitmap(self):
        """
        VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP measures through the dirty bitmap: the domain keeps
        running and the stats report a MEASURED result in that mode.

        :avocado: tags=api:virDomainStartDirtyRateCalc
        """
        dom, _facts = self.rt.domain()
        stats = self.measure(dom, 1, libvirt.VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP)
        self.assertEqual(stats.get("dirtyrate.calc_mode"), "dirty-bitmap")
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING, "after the measurement")

    def test_dirty_ring(self):
        """
        VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_RING measures through KVM's dirty ring where the domain has it
        (a host without it refuses with VIR_ERR_OPERATION_UNSUPPORTED: SKIP).

        :avocado: tags=api:virDomainStartDirtyRateCalc
        """
        dom, _facts = self.rt.domain()
        try:
            stats = self.measure(dom, 1, libvirt.VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_RING)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_OPERATION_UNSUPPORTED:
                self.skip_because(f"no KVM dirty ring for this domain: {err.get_error_message()}")
            raise
        self.assertEqual(stats.get("dirtyrate.calc_mode"), "dirty-ring")
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING, "after the measurement")
