"""Requests a domain's guest side carries out: a signal to a process inside it (container drivers),
and a user's password set through the guest agent."""

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import Runtime

AGENT_CHANNEL = "org.qemu.guest_agent.0"


class GuestRequestTest(CertTest):
    """
    :avocado: disable
    """

    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)


class ProcessSignal(GuestRequestTest):
    """
    :avocado: tags=area:domain,cap:domain.process_signal
    """

    def test_signal_init(self):
        """
        sendProcessSignal with VIR_DOMAIN_PROCESS_SIGNAL_NOP to pid 1 of a running domain reports that
        init runs; pid 0 and a signal number past the enum are refused with VIR_ERR_INVALID_ARG; a
        read-only connection is refused with VIR_ERR_OPERATION_DENIED.

        :avocado: tags=api:virDomainSendProcessSignal
        """
        dom, _facts = self.rt.domain()
        self.assertEqual(dom.sendProcessSignal(1, libvirt.VIR_DOMAIN_PROCESS_SIGNAL_NOP, 0), 0)
        self.expect_error(
            libvirt.VIR_ERR_INVALID_ARG, dom.sendProcessSignal, 0, libvirt.VIR_DOMAIN_PROCESS_SIGNAL_NOP, 0
        )
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, dom.sendProcessSignal, 1, 999, 0)
        readonly = self.open_connection(readonly=True)
        self.objects.on_cleanup("read-only connection", readonly.close)
        self.expect_error(
            libvirt.VIR_ERR_OPERATION_DENIED,
            readonly.lookupByUUIDString(dom.UUIDString()).sendProcessSignal,
            1,
            libvirt.VIR_DOMAIN_PROCESS_SIGNAL_NOP,
            0,
        )
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING, "after a NOP signal")

    def test_signal_inactive(self):
        """
        An inactive domain has no process to signal: even VIR_DOMAIN_PROCESS_SIGNAL_NOP, which reports
        whether the process runs, is refused with VIR_ERR_OPERATION_INVALID.

        :avocado: tags=api:virDomainSendProcessSignal
        """
        dom, _facts = self.rt.domain(start=False)
        self.expect_error(
            libvirt.VIR_ERR_OPERATION_INVALID,
            dom.sendProcessSignal,
            1,
            libvirt.VIR_DOMAIN_PROCESS_SIGNAL_NOP,
            0,
        )


class UserPassword(GuestRequestTest):
    """
    :avocado: tags=area:domain,cap:domain.user_password
    """

    def test_set_user_password(self):
        """
        setUserPassword is refused for an inactive domain (VIR_ERR_OPERATION_INVALID); on a running one
        the guest agent sets the password, which only a login inside the guest can show.

        :avocado: tags=api:virDomainSetUserPassword
        """
        inactive, _facts = self.rt.domain(start=False, channel=AGENT_CHANNEL)
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, inactive.setUserPassword, "root", "acert-pw", 0)
        dom, _facts = self.rt.domain(channel=AGENT_CHANNEL)
        self.rt.call_agent("setUserPassword", dom.setUserPassword, "root", "acert-pw", 0)
        self.skip_because(
            f"the password was taken, but the {self.guest} guest offers no login to show it changed"
        )
