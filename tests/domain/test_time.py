"""The guest's clock through getTime/setTime: the guest agent answers, so the promise is the guest's.

With no agent in the guest, the documented answer is VIR_ERR_AGENT_UNRESPONSIVE (or
VIR_ERR_ARGUMENT_UNSUPPORTED): the test is then a SKIP with that reason.
"""

import time

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import Runtime

# A guest clock read back within this many seconds of what was set counts as set.
TOLERANCE = 30


class DomainTime(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.guest_time
    """

    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)
        self.dom, _facts = self.rt.domain(channel="org.qemu.guest_agent.0")

    def test_get_time(self):
        """
        getTime returns the guest's time as seconds and nanoseconds.

        :avocado: tags=api:virDomainGetTime
        """
        now = self.rt.call_agent("getTime", self.dom.getTime)
        self.assertIn("seconds", now)
        self.assertIn("nseconds", now)
        self.assertTrue(0 <= now["nseconds"] < 1_000_000_000, f"nseconds out of range: {now}")
        self.assertGreater(now["seconds"], 0)

    def test_set_time(self):
        """
        setTime sets the guest's clock: getTime then reads the time that was set.

        :avocado: tags=api:virDomainSetTime,api:virDomainGetTime
        """
        self.rt.call_agent("getTime", self.dom.getTime)
        wanted = int(time.time()) - 86400 * 365
        self.assertEqual(self.dom.setTime({"seconds": wanted, "nseconds": 0}, 0), 0)
        got = self.dom.getTime()
        self.assertLessEqual(abs(got["seconds"] - wanted), TOLERANCE, f"set {wanted}, read back {got}")

    def test_set_time_sync(self):
        """
        setTime with TIME_SYNC sets the guest's clock from the host's: getTime then reads the host time.

        :avocado: tags=api:virDomainSetTime,api:virDomainGetTime
        """
        self.rt.call_agent("getTime", self.dom.getTime)
        self.rt.call_flags("setTime(TIME_SYNC)", self.dom.setTime, None, libvirt.VIR_DOMAIN_TIME_SYNC)
        got = self.dom.getTime()
        self.assertLessEqual(
            abs(got["seconds"] - time.time()), TOLERANCE, f"host {time.time():.0f}, guest {got}"
        )
