"""Power requests as the guest sees them: a reboot or reset boots the guest again (a new boot id, a
fresh uptime), a shutdown request is acted on by the guest OS, which powers itself off."""

import time

import libvirt

from avocado_cert.testing import CertTest

UPTIME = "cut -d. -f1 /proc/uptime"


class GuestPower(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.guest_power
    """

    def _check_rebooted(self, guest, before, asked_at):
        new_boot = guest.wait_reboot()
        self.assertNotEqual(new_boot, before, "the guest must boot again")
        uptime = guest.read_int(UPTIME)
        since = time.monotonic() - asked_at
        self.assertLessEqual(
            uptime, since + 1, f"guest uptime {uptime} s, but the reboot was {since:.1f} s ago"
        )
        self.assertEqual(guest.dom.state()[0], libvirt.VIR_DOMAIN_RUNNING)

    def test_reboot(self):
        """
        A reboot request makes the guest OS restart: a new boot id, an uptime counted from the request,
        and the domain running throughout.

        :avocado: tags=api:virDomainReboot
        """
        guest = self.boot_guest("a reboot request is carried out by the guest OS")
        before = guest.boot_id
        asked_at = time.monotonic()
        self.assertEqual(guest.dom.reboot(0), 0)
        self._check_rebooted(guest, before, asked_at)

    def test_reset(self):
        """
        A reset restarts the guest at once, without asking it: a new boot id and a fresh uptime.

        :avocado: tags=api:virDomainReset
        """
        guest = self.boot_guest("the guest's boot id shows the reset")
        before = guest.boot_id
        asked_at = time.monotonic()
        self.assertEqual(guest.dom.reset(0), 0)
        self._check_rebooted(guest, before, asked_at)

    def _check_shutdown(self, guest, request):
        self.assertEqual(request(), 0)
        timeout = float(self.param("shutdown_timeout", 60))
        self.wait_for(lambda: guest.dom.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF, timeout, what="shut off")
        state, reason = guest.dom.state()
        self.assertEqual(
            reason,
            libvirt.VIR_DOMAIN_SHUTOFF_SHUTDOWN,
            f"the guest powered itself off (shutoff reason {reason}, expected VIR_DOMAIN_SHUTOFF_SHUTDOWN)",
        )
        self.assertEqual(guest.dom.isActive(), 0)
        self.assertEqual(state, libvirt.VIR_DOMAIN_SHUTOFF)

    def test_shutdown(self):
        """
        A shutdown request is acted on by the guest OS: the domain ends shut off with the reason
        VIR_DOMAIN_SHUTOFF_SHUTDOWN (the guest powered off), not destroyed.

        :avocado: tags=api:virDomainShutdown,api:virDomainGetState
        """
        guest = self.boot_guest("a shutdown request is carried out by the guest OS")
        self._check_shutdown(guest, guest.dom.shutdown)

    def test_shutdown_acpi(self):
        """
        VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN presses the ACPI power button, and the guest powers off.

        :avocado: tags=api:virDomainShutdownFlags,api:virDomainGetState
        """
        guest = self.boot_guest("the guest answers the ACPI power button")
        self._check_shutdown(
            guest, lambda: guest.dom.shutdownFlags(libvirt.VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN)
        )
