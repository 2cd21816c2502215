"""Containers of libvirt's LXC driver: lifecycle, console, memory and network, each checked from inside
the container through its console (the guest image's busybox as init)."""

import secrets

import libvirt
from lxml import etree

from avocado_cert.testing.container import ContainerTest
from avocado_cert.testing.network import NetworkSpec


class ContainerLifecycle(ContainerTest):
    """
    :avocado: tags=area:container,cap:container.lifecycle
    """

    def test_start_suspend_resume_destroy(self):
        """
        A started container runs the defined init as its PID 1; suspended, it runs nothing (a command
        sent then is answered only after resume); destroyed, it is shut off and its console closes.

        :avocado: tags=api:virDomainDefineXML,api:virDomainCreate,api:virDomainSuspend
        :avocado: tags=api:virDomainResume,api:virDomainDestroy,api:virDomainGetState,api:virDomainGetOSType
        """
        box = self.start_container()
        self.assert_state(box.dom, libvirt.VIR_DOMAIN_RUNNING)
        self.assertEqual(box.dom.OSType(), "exe")
        self.assertIn("/sbin/init", box.check("tr '\\0' ' ' < /proc/1/cmdline; echo"))
        box.dom.suspend()
        self.assert_state(box.dom, libvirt.VIR_DOMAIN_PAUSED)
        token = secrets.token_hex(4)
        box.console.send(f"echo frozen-{token}-$((1+1))")
        self.assertFalse(
            self.console_prints(box, f"frozen-{token}-2", 2.0), "the suspended container ran a command"
        )
        box.dom.resume()
        self.assert_state(box.dom, libvirt.VIR_DOMAIN_RUNNING)
        self.assertTrue(
            self.console_prints(box, f"frozen-{token}-2", 10.0), "the command sent while frozen never ran"
        )
        box.dom.destroy()
        self.assert_state(box.dom, libvirt.VIR_DOMAIN_SHUTOFF)
        self.assertFalse(box.dom.isActive())
        self.assertTrue(box.console.wait_closed(10), "the console of the destroyed container stayed open")

    def test_transient_container_is_gone_after_destroy(self):
        """
        createXML runs a container that is not persistent; after destroy it no longer exists.

        :avocado: tags=api:virDomainCreateXML,api:virDomainIsPersistent,api:virDomainLookupByName
        """
        dom = self.objects.create_domain(self.container_xml())
        box = self.attach(dom)
        self.assertFalse(dom.isPersistent())
        self.assertEqual(box.check("echo transient").strip(), "transient")
        name = dom.name()
        dom.destroy()
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.conn.lookupByName, name)


class ContainerConsole(ContainerTest):
    """
    :avocado: tags=area:container,cap:container.console
    """

    def test_console_runs_commands(self):
        """
        The console stream reaches the container's shell both ways: output and exit status of commands.

        :avocado: tags=api:virDomainOpenConsole
        """
        box = self.start_container()
        self.assertEqual(box.check("echo $((6*7))").strip(), "42")
        status, output = box.run("echo out; exit_with() { return $1; }; exit_with 3")
        self.assertEqual((status, output.strip()), (3, "out"))


class ContainerMemory(ContainerTest):
    """
    :avocado: tags=area:container,cap:container.memory
    """

    def test_set_memory_limits_the_container(self):
        """
        setMemory changes the current memory of the live definition, and the limit the container's own memory
        cgroup enforces and the total of libvirt's /proc/meminfo, as read inside the container.

        :avocado: tags=api:virDomainSetMemory,api:virDomainGetMaxMemory
        """
        box = self.start_container(memory_kib=65536)
        self.assertEqual(box.dom.maxMemory(), 65536)
        # The container's own memory cgroup, and the memory libvirt's /proc/meminfo shows inside.
        limit = "cat /sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)/memory.limit_in_bytes"
        total = "sed -n 's/^MemTotal: *\\([0-9]*\\) kB/\\1/p' /proc/meminfo"
        self.assertEqual(box.read_int(limit), 65536 * 1024)
        self.assertEqual(box.read_int(total), 65536)
        box.dom.setMemory(49152)
        self.assertEqual(int(etree.fromstring(box.dom.XMLDesc(0)).findtext("currentMemory")), 49152)
        self.assertEqual(box.read_int(limit), 49152 * 1024)
        self.assertEqual(box.read_int(total), 49152)


class ContainerNetwork(ContainerTest):
    """
    :avocado: tags=area:container,cap:container.network
    """

    def test_interface_on_a_network(self):
        """
        A container's interface on a network the test creates: inside, it has the defined MAC and
        reaches the network's bridge address; its traffic shows in the interface statistics.

        :avocado: tags=api:virNetworkCreateXML,api:virDomainInterfaceStats,api:virDomainGetXMLDesc
        """
        net = NetworkSpec()
        self.objects.create_network(net.xml())
        interface = etree.fromstring(f"<interface type='network'><source network='{net.name}'/></interface>")
        box = self.start_container(interfaces=[interface])
        live = etree.fromstring(box.dom.XMLDesc(0))
        mac = live.find("devices/interface/mac").get("address")
        target = live.find("devices/interface/target").get("dev")
        inside = box.check("ls /sys/class/net | grep -v '^lo$' | head -n 1").strip()
        self.assertEqual(box.check(f"cat /sys/class/net/{inside}/address").strip(), mac)
        box.check(f"ip addr add {net.address(2)}/24 dev {inside} && ip link set {inside} up")
        # The bridge forwards once its new port has passed STP's listening and learning states.
        status, output = box.run(
            f"for i in $(seq 20); do ping -c 1 -W 1 {net.address(1)} && break; done", timeout=60
        )
        self.assertEqual(status, 0, f"no answer from the bridge {net.address(1)}: {output}")
        stats = box.dom.interfaceStats(target)
        self.assertGreater(stats[1], 0, "no packet received on the host side of the container's interface")
