"""Calls the guest agent answers, and interface addresses from DHCP leases.

The agent-backed calls need an agent running in the guest: with none answering (the documented
VIR_ERR_AGENT_UNRESPONSIVE), each test is a SKIP with the reason. The lease source needs a network
with DHCP, which the test creates.
"""

import ipaddress
import json

import libvirt
import libvirt_qemu

from avocado_cert.base import naming
from avocado_cert.testing import CertTest, xmlbuild
from avocado_cert.testing.runtime import Runtime

AGENT_CHANNEL = "org.qemu.guest_agent.0"


class AgentTest(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.guest_agent
    """

    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)
        self.dom, self.facts, _vol = self.rt.disk_domain(channel=AGENT_CHANNEL, nic=True)

    def agent(self, what, func, *args):
        return self.rt.call_agent(what, func, *args)

    def test_agent_command(self):
        """
        An arbitrary agent command (guest-ping) gets the agent's JSON reply.

        :avocado: tags=api:virDomainQemuAgentCommand
        """
        reply = self.agent(
            "qemuAgentCommand",
            libvirt_qemu.qemuAgentCommand,
            self.dom,
            json.dumps({"execute": "guest-ping"}),
            10,
            0,
        )
        self.assertIn("return", json.loads(reply), f"not an agent reply: {reply}")

    def test_agent_timeout(self):
        """
        agentSetResponseTimeout accepts the documented special values and a number of seconds.

        :avocado: tags=api:virDomainAgentSetResponseTimeout
        """
        for seconds in (
            libvirt.VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK,
            5,
            libvirt.VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_DEFAULT,
        ):
            self.assertEqual(self.dom.agentSetResponseTimeout(seconds, 0), 0)
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, self.dom.agentSetResponseTimeout, -3, 0)

    def test_interface_addresses_agent(self):
        """
        The AGENT source names the domain's NIC by its MAC, with well-formed addresses.

        :avocado: tags=api:virDomainInterfaceAddresses
        """
        ifaces = self.agent(
            "interfaceAddresses(AGENT)",
            self.dom.interfaceAddresses,
            libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT,
            0,
        )
        macs = [info.get("hwaddr") for info in ifaces.values()]
        self.assertIn(self.facts["mac"], macs, f"the NIC's MAC is not reported: {ifaces}")
        for info in ifaces.values():
            for addr in info.get("addrs") or []:
                ipaddress.ip_interface(f"{addr['addr']}/{addr['prefix']}")

    def test_fs_info(self):
        """
        getFSInfo lists the guest's mounted filesystems, each with a mount point and a type.

        :avocado: tags=api:virDomainGetFSInfo
        """
        filesystems = self.agent("fsInfo", self.dom.fsInfo, 0)
        self.assertGreater(len(filesystems), 0, "no filesystem reported")
        for mountpoint, name, fstype, _disks in filesystems:
            self.assertTrue(mountpoint.startswith("/") or ":" in mountpoint, f"odd mount point {mountpoint}")
            self.assertTrue(name and fstype, f"filesystem {mountpoint} has no name or type")

    def test_fs_freeze_thaw(self):
        """
        fsFreeze freezes the guest's filesystems and says how many; fsThaw thaws as many.

        :avocado: tags=api:virDomainFSFreeze,api:virDomainFSThaw
        """
        frozen = self.agent("fsFreeze", self.dom.fsFreeze, None, 0)
        self.objects.on_cleanup("thaw", self.dom.fsThaw, None, 0)
        self.assertGreater(frozen, 0, "no filesystem frozen")
        self.assertEqual(self.dom.fsThaw(None, 0), frozen, "thawed a different number than frozen")
        self.objects.forget("thaw")

    def test_fs_trim(self):
        """
        fsTrim asks the guest to discard unused blocks of its mounted filesystems.

        :avocado: tags=api:virDomainFSTrim
        """
        self.assertEqual(self.agent("fsTrim", self.dom.fSTrim, None, 0, 0), 0)

    def test_guest_info(self):
        """
        getGuestInfo reports the guest's OS, hostname and timezone groups.

        :avocado: tags=api:virDomainGetGuestInfo
        """
        info = self.agent("guestInfo", self.dom.guestInfo, 0, 0)
        self.assertTrue(any(key.startswith("os.") for key in info), f"no os.* fields: {info}")
        self.assertIn("hostname", info)

    def test_hostname(self):
        """
        getHostname through the agent gives the hostname getGuestInfo reports.

        :avocado: tags=api:virDomainGetHostname
        """
        name = self.agent("hostname", self.dom.hostname, libvirt.VIR_DOMAIN_GET_HOSTNAME_AGENT)
        self.assertTrue(name, "empty hostname")
        info = self.agent("guestInfo", self.dom.guestInfo, libvirt.VIR_DOMAIN_GUEST_INFO_HOSTNAME, 0)
        self.assertEqual(info.get("hostname"), name)

    def test_guest_vcpus(self):
        """
        getGuestVcpus lists the guest's vCPUs; setGuestVcpus offlines one and onlines it again.

        :avocado: tags=api:virDomainGetGuestVcpus,api:virDomainSetGuestVcpus
        """
        # libvirt-python returns None instead of raising here: the error is the last one recorded.
        vcpus = self.dom.guestVcpus(0)
        if vcpus is None:
            err = libvirt.virGetLastError()
            code = err[0] if err else None
            if code == libvirt.VIR_ERR_NO_SUPPORT:
                self.unsupported(err[2])
            if code in (libvirt.VIR_ERR_AGENT_UNRESPONSIVE, libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED):
                self.skip_because(f"getGuestVcpus needs a guest agent, and none answers: {err[2]}")
            self.fail(f"getGuestVcpus failed: {err}")
        self.assertIn("vcpus", vcpus)
        self.assertIn("online", vcpus)

    def test_ssh_keys(self):
        """
        authorizedSSHKeysSet adds a key for a user; authorizedSSHKeysGet lists it; REMOVE takes it away.

        :avocado: tags=api:virDomainAuthorizedSSHKeysGet,api:virDomainAuthorizedSSHKeysSet
        """
        key = f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcertTestKeyOnly {naming.PREFIX}key"
        before = self.agent("authorizedSSHKeysGet", self.dom.authorizedSSHKeysGet, "root", 0)
        self.assertEqual(
            self.dom.authorizedSSHKeysSet("root", [key], libvirt.VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND), 0
        )
        self.objects.on_cleanup(
            "ssh key",
            self.dom.authorizedSSHKeysSet,
            "root",
            [key],
            libvirt.VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE,
        )
        self.assertIn(key, self.dom.authorizedSSHKeysGet("root", 0))
        self.dom.authorizedSSHKeysSet("root", [key], libvirt.VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE)
        self.objects.forget("ssh key")
        self.assertEqual(sorted(self.dom.authorizedSSHKeysGet("root", 0)), sorted(before))


class DomainLeaseAddresses(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.interface_addresses
    """

    def test_interface_addresses_lease(self):
        """
        The LEASE source reports, for the NICs of the domain on a DHCP network, only the domain's
        own MACs with well-formed addresses; with no guest OS asking for a lease it reports none.

        :avocado: tags=api:virDomainInterfaceAddresses
        """
        rt = Runtime(self)
        net_name = self.objects.name("net")
        self.objects.create_network(xmlbuild.to_xml(xmlbuild.network(net_name, naming.netdev())))
        dom, facts = rt.domain(network=net_name)
        ifaces = dom.interfaceAddresses(libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0)
        self.log.info("lease addresses: %s", ifaces)
        for name, info in ifaces.items():
            self.assertEqual(info.get("hwaddr"), facts["mac"], f"{name} is not the domain's NIC")
            for addr in info.get("addrs") or []:
                ipaddress.ip_interface(f"{addr['addr']}/{addr['prefix']}")
        if self.guest == "none":
            addrs = [a for info in ifaces.values() for a in info.get("addrs") or []]
            self.assertEqual(addrs, [], "a lease is reported though no guest OS ran a DHCP client")
        self.expect_error(
            (libvirt.VIR_ERR_INVALID_ARG, libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED), dom.interfaceAddresses, 99, 0
        )
