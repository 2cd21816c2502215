"""Jobs and the calls a running domain takes from the host: job info and abort during a save, keys,
NMI, reset and reboot requests, power management, control state, channel streams, and
launch security (absent on a host without it)."""

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import Runtime

KEY_A = 30  # KEY_A in the Linux keycode set
CHANNEL = "org.acert.channel.0"
# VIR_DOMAIN_SEND_KEY_MAX_KEYS of libvirt-domain.h, which libvirt-python does not export.
SEND_KEY_MAX_KEYS = 16


class JobsTest(CertTest):
    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)


class DomainJobs(JobsTest):
    """
    :avocado: tags=area:domain,cap:domain.jobs
    """

    def test_abort_idle(self):
        """
        abortJob on a domain with no job is refused with VIR_ERR_OPERATION_INVALID.

        :avocado: tags=api:virDomainAbortJob
        """
        dom, _facts = self.rt.domain()
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, dom.abortJob)

    def test_job_during_save(self):
        """
        While a save runs, getJobStats reports an unbounded SAVE job; once it ended, the completed
        job's statistics say so.

        :avocado: tags=api:virDomainGetJobStats,api:virDomainGetControlInfo
        """
        dom, _facts, _vol = self.rt.disk_domain(memory_kib=262144)
        dom.jobInfo()  # a driver without job queries answers VIR_ERR_NO_SUPPORT here (UNSUPPORTED)
        thread, outcome = self.rt.start_save(dom, self.rt.scratch_file("job.save"))
        seen = {}

        def job_seen():
            try:
                stats = dom.jobStats(0)
                if stats.get("type", libvirt.VIR_DOMAIN_JOB_NONE) != libvirt.VIR_DOMAIN_JOB_NONE:
                    seen.update(stats=stats, control=dom.controlInfo())
                    return True
            except libvirt.libvirtError:
                pass
            return not thread.is_alive()

        self.wait_for(job_seen, 60, step=0.01, what="the save job")
        thread.join(60)
        self.assertNotIn("error", outcome, f"save failed: {outcome.get('error')}")
        if not seen:
            self.skip_because("the save ended before its job could be observed")
        self.assertEqual(seen["stats"]["type"], libvirt.VIR_DOMAIN_JOB_UNBOUNDED)
        self.assertEqual(seen["stats"].get("operation"), libvirt.VIR_DOMAIN_JOB_OPERATION_SAVE)
        self.assertIn(seen["control"][0], (libvirt.VIR_DOMAIN_CONTROL_JOB, libvirt.VIR_DOMAIN_CONTROL_OK))

    def test_abort_save(self):
        """
        abortJob during a save cancels it: save fails with VIR_ERR_OPERATION_ABORTED and the domain runs on.

        :avocado: tags=api:virDomainAbortJob
        """
        dom, _facts, _vol = self.rt.disk_domain(memory_kib=262144)
        dom.jobInfo()  # a driver without jobs answers VIR_ERR_NO_SUPPORT here (UNSUPPORTED)
        self.rt.abort_save(dom, self.rt.scratch_file("aborted.save"), dom.abortJob)


class DomainInput(JobsTest):
    """
    :avocado: tags=area:domain,cap:domain.input
    """

    def test_send_key(self):
        """
        sendKey takes one and up to 16 keys of a keycode set on a running domain, which runs on; an
        inactive domain refuses keys with VIR_ERR_OPERATION_INVALID.

        :avocado: tags=api:virDomainSendKey
        """
        dom, _facts = self.rt.domain()
        self.assertEqual(dom.sendKey(libvirt.VIR_KEYCODE_SET_LINUX, 50, [KEY_A], 1, 0), 0)
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)
        keys = [KEY_A] * SEND_KEY_MAX_KEYS
        self.assertEqual(dom.sendKey(libvirt.VIR_KEYCODE_SET_LINUX, 10, keys, len(keys), 0), 0)
        inactive, _facts = self.rt.domain(start=False)
        self.expect_error(
            libvirt.VIR_ERR_OPERATION_INVALID,
            inactive.sendKey,
            libvirt.VIR_KEYCODE_SET_LINUX,
            50,
            [KEY_A],
            1,
            0,
        )

    def test_inject_nmi(self):
        """
        injectNMI is taken by a running domain (which runs on) and refused for an inactive one.

        :avocado: tags=api:virDomainInjectNMI
        """
        dom, _facts = self.rt.domain()
        self.assertEqual(dom.injectNMI(0), 0)
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)
        inactive, _facts = self.rt.domain(start=False)
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, inactive.injectNMI, 0)


class DomainReset(JobsTest):
    """
    :avocado: tags=area:domain,cap:domain.reset
    """

    def test_reset(self):
        """
        reset keeps the domain running, the same domain (same id), and is refused for an inactive one.

        :avocado: tags=api:virDomainReset
        """
        dom, _facts = self.rt.domain()
        ident = dom.ID()
        self.assertEqual(dom.reset(0), 0)
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)
        self.assertEqual(dom.ID(), ident, "reset made a new domain instead of resetting it")
        inactive, _facts = self.rt.domain(start=False)
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, inactive.reset, 0)

    def test_reboot(self):
        """
        A reboot request is answered by the guest OS: the domain comes back running.

        :avocado: tags=api:virDomainReboot
        """
        self.require_guest_os("a reboot request is answered by the guest OS")
        dom, _facts = self.rt.domain()
        self.assertEqual(dom.reboot(0), 0)
        self.wait_for(
            lambda: dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING, 60, what="the domain running again"
        )


class DomainPowerManagement(JobsTest):
    """
    :avocado: tags=area:domain,cap:domain.power_management
    """

    def test_suspend_wakeup(self):
        """
        pmSuspendForDuration puts the guest to sleep (state PMSUSPENDED); pmWakeup wakes it (RUNNING).

        :avocado: tags=api:virDomainPMSuspendForDuration,api:virDomainPMWakeup
        """
        dom, _facts = self.rt.domain(channel="org.qemu.guest_agent.0")
        self.rt.call_agent(
            "pmSuspendForDuration", dom.pMSuspendForDuration, libvirt.VIR_NODE_SUSPEND_TARGET_MEM, 0, 0
        )
        self.wait_for(lambda: dom.state()[0] == libvirt.VIR_DOMAIN_PMSUSPENDED, 60, what="PMSUSPENDED")
        self.assertEqual(dom.pMWakeup(0), 0)
        self.wait_for(lambda: dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING, 60, what="RUNNING after wakeup")


class DomainControl(JobsTest):
    """
    :avocado: tags=area:domain,cap:domain.control
    """

    def test_control_info(self):
        """
        getControlInfo of an idle running domain says CONTROL_OK.

        :avocado: tags=api:virDomainGetControlInfo
        """
        dom, _facts = self.rt.domain()
        state, details, _since = dom.controlInfo(0)
        self.assertEqual(state, libvirt.VIR_DOMAIN_CONTROL_OK)
        self.assertEqual(details, 0)

    def test_messages_disk_errors(self):
        """
        getMessages returns a list of strings; getDiskErrors reports no error for a healthy disk.

        :avocado: tags=api:virDomainGetMessages,api:virDomainGetDiskErrors
        """
        dom, facts, _vol = self.rt.disk_domain()
        messages = dom.messages(0)
        self.assertIsInstance(messages, list)
        self.assertTrue(all(isinstance(message, str) for message in messages))
        errors = dom.diskErrors(0)
        self.assertLessEqual(set(errors), {facts["target"]}, f"errors for disks the domain lacks: {errors}")
        known = (
            libvirt.VIR_DOMAIN_DISK_ERROR_NONE,
            libvirt.VIR_DOMAIN_DISK_ERROR_UNSPEC,
            libvirt.VIR_DOMAIN_DISK_ERROR_NO_SPACE,
        )
        self.assertTrue(all(code in known for code in errors.values()), f"unknown error codes: {errors}")


class DomainStreams(JobsTest):
    """
    :avocado: tags=area:domain,cap:domain.channel
    """

    def test_channel(self):
        """
        openChannel attaches a stream to a named channel, which takes writes; an unknown name is refused.

        :avocado: tags=api:virDomainOpenChannel
        """
        dom, _facts = self.rt.domain(channel=CHANNEL)
        stream = self.conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
        dom.openChannel(CHANNEL, stream, 0)
        self.objects.on_cleanup("channel stream", stream.abort)
        self.assertGreater(stream.send(b"acert"), 0, "the channel took no bytes")
        self.expect_error(
            (libvirt.VIR_ERR_INTERNAL_ERROR, libvirt.VIR_ERR_INVALID_ARG),
            dom.openChannel,
            "org.acert.none",
            self.conn.newStream(0),
            0,
        )


class DomainLaunchSecurity(JobsTest):
    """
    :avocado: tags=area:domain,cap:domain.launch_security
    """

    def test_no_launch_security(self):
        """
        A domain without <launchSecurity> has no launch security parameters, and setting its launch
        security state is refused.

        :avocado: tags=api:virDomainGetLaunchSecurityInfo,api:virDomainSetLaunchSecurityState
        """
        dom, _facts = self.rt.domain()
        try:
            info = dom.launchSecurityInfo(0)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT:
                raise
            # libvirt adds VIR_TYPED_PARAM_STRING_OKAY to every typed-parameter query: a driver must take it.
            self.fail(f"getLaunchSecurityInfo(flags=0) refused: {err.get_error_message()}")
        self.assertEqual(info, {}, "a domain without launch security reports some")
        secret = {
            libvirt.VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET: "AAAA",
            libvirt.VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET_HEADER: "AAAA",
        }
        self.expect_error(
            (
                libvirt.VIR_ERR_OPERATION_INVALID,
                libvirt.VIR_ERR_OPERATION_UNSUPPORTED,
                libvirt.VIR_ERR_INVALID_ARG,
                libvirt.VIR_ERR_NO_SUPPORT,
            ),
            dom.setLaunchSecurityState,
            secret,
            0,
        )
