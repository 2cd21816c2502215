"""Memory ballooning as the guest sees it: after a live virDomainSetMemoryFlags the guest's MemTotal
shrinks or grows by the amount taken or given back."""

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest

LIVE = libvirt.VIR_DOMAIN_AFFECT_LIVE
CONFIG = libvirt.VIR_DOMAIN_AFFECT_CONFIG
MEMORY_KIB = 262144
STEP_KIB = 65536
# The balloon moves whole pages and the kernel rounds; a few MiB either way is still the change asked.
SLACK_KIB = 4096


class GuestMemory(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.guest_memory
    """

    @staticmethod
    def _mem_total(guest):
        return guest.read_int("awk '/^MemTotal:/ {print $2}' /proc/meminfo")

    def _wait_total(self, guest, wanted, what):
        def near():
            return abs(self._mem_total(guest) - wanted) <= SLACK_KIB

        self.wait_for(near, 60, step=0.5, what=what)

    def _wait_current(self, guest, wanted):
        """The domain's current memory (virDomainGetInfo) follows the balloon to the size asked."""
        self.wait_for(
            lambda: abs(guest.dom.info()[2] - wanted) <= SLACK_KIB,
            30,
            step=0.5,
            what=f"the domain's current memory to reach {wanted} KiB",
        )

    def _balloon(self, set_memory):
        """Take STEP_KIB from a running guest with set_memory(kib) and give it back: the guest's MemTotal
        and the domain's current memory follow both ways; the persistent definition keeps its size."""
        guest = self.running_guest("the guest reports its memory", memory_kib=MEMORY_KIB)
        before = self._mem_total(guest)
        self.log.info("guest MemTotal at boot: %d KiB", before)
        self.assertEqual(set_memory(guest.dom, MEMORY_KIB - STEP_KIB), 0)
        self._wait_total(guest, before - STEP_KIB, f"the guest's MemTotal to drop by {STEP_KIB} KiB")
        self._wait_current(guest, MEMORY_KIB - STEP_KIB)
        inactive = xmlsafe.fromstring(guest.dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        self.assertEqual(
            int(inactive.findtext("currentMemory")), MEMORY_KIB, "a live change must not touch the definition"
        )
        self.assertEqual(set_memory(guest.dom, MEMORY_KIB), 0)
        self._wait_total(guest, before, "the guest's MemTotal to come back")
        self._wait_current(guest, MEMORY_KIB)

    def test_balloon_live(self):
        """
        Taking memory from a running guest with setMemoryFlags(LIVE) lowers its MemTotal by that much;
        giving it back restores it. The persistent definition keeps its size.

        :avocado: tags=api:virDomainSetMemoryFlags,api:virDomainGetInfo
        """
        self._balloon(lambda dom, kib: dom.setMemoryFlags(kib, LIVE))

    def test_balloon_set_memory(self):
        """
        setMemory on a running guest is a live change: it lowers the guest's MemTotal by the memory taken
        and restores it when given back. The persistent definition keeps its size.

        :avocado: tags=api:virDomainSetMemory,api:virDomainGetInfo
        """
        self._balloon(lambda dom, kib: dom.setMemory(kib))
