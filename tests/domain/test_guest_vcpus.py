"""vCPU hot-plug as the guest sees it: after a live virDomainSetVcpusFlags the guest kernel has the
new number of CPUs present and online, and the persistent definition is left alone."""

import libvirt

from avocado_cert.testing import CertTest

LIVE = libvirt.VIR_DOMAIN_AFFECT_LIVE
CONFIG = libvirt.VIR_DOMAIN_AFFECT_CONFIG
PRESENT = "cat /sys/devices/system/cpu/present"


def guest_cpus(guest):
    """(CPUs online, CPUs present) as the guest kernel reports them."""
    return guest.read_int("nproc"), guest.check(PRESENT).strip()


def set_live_vcpus(test, dom, count):
    """dom.setVcpusFlags(count, LIVE); the hypervisor's refusal of vCPU hot-(un)plug for this machine
    (libvirt's VIR_ERR_OPERATION_UNSUPPORTED, or QEMU's "not supported on this machine") is UNSUPPORTED."""
    try:
        return dom.setVcpusFlags(count, LIVE)
    except libvirt.libvirtError as err:
        message = err.get_error_message() or ""
        if err.get_error_code() == libvirt.VIR_ERR_OPERATION_UNSUPPORTED or (
            err.get_error_code() == libvirt.VIR_ERR_INTERNAL_ERROR
            and "not supported on this machine" in message
        ):
            test.unsupported(message)
        raise


class GuestVcpuPlug(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.guest_vcpus
    """

    def test_plug_live(self):
        """
        A live vCPU increase reaches the guest (2 CPUs present and online) and the live count says
        so, while the persistent definition keeps 1.

        :avocado: tags=api:virDomainSetVcpusFlags,api:virDomainGetVcpusFlags
        """
        guest = self.running_guest("the guest counts its CPUs", vcpus=1, max_vcpus=2)
        self.assertEqual(guest_cpus(guest), (1, "0"), "the guest starts with one CPU")
        self.assertEqual(set_live_vcpus(self, guest.dom, 2), 0)
        self.assertEqual(guest.dom.vcpusFlags(LIVE), 2)
        self.wait_for(lambda: guest_cpus(guest) == (2, "0-1"), 60, what="the guest to see 2 CPUs online")
        self.assertEqual(guest.dom.vcpusFlags(CONFIG), 1, "a live change must not touch the definition")


class GuestVcpuUnplug(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.guest_vcpus_unplug
    """

    def test_unplug_live(self):
        """
        A live decrease of a hot-plugged vCPU is carried out by the guest (the CPU is offlined and
        ejected) and the live count follows. The guest's part may outlast the call: libvirt then answers
        VIR_ERR_OPERATION_TIMEOUT and the live count must follow once the guest is done.

        :avocado: tags=api:virDomainSetVcpusFlags,api:virDomainGetVcpusFlags
        """
        guest = self.running_guest("the guest counts its CPUs", vcpus=1, max_vcpus=2)
        # Only a hot-plugged vCPU can be unplugged again.
        self.assertEqual(set_live_vcpus(self, guest.dom, 2), 0)
        self.wait_for(lambda: guest_cpus(guest) == (2, "0-1"), 60, what="the guest to see 2 CPUs online")
        try:
            self.assertEqual(set_live_vcpus(self, guest.dom, 1), 0)
        except libvirt.libvirtError as err:
            if err.get_error_code() != libvirt.VIR_ERR_OPERATION_TIMEOUT:
                raise
            self.log.info("unplug not confirmed within the call: %s", err.get_error_message())
        self.wait_for(lambda: guest_cpus(guest) == (1, "0"), 60, what="the guest to eject its second CPU")
        self.wait_for(
            lambda: guest.dom.vcpusFlags(LIVE) == 1,
            30,
            step=0.5,
            what="the live vCPU count to drop to 1 after the guest ejected the CPU",
        )
        self.assertEqual(guest.dom.vcpusFlags(CONFIG), 1, "live changes must not touch the definition")
