"""Containers of libvirt's LXC driver for certification tests: the guest image's busybox as init on a
read-only root (guest/container), a shell on the console, checked from inside.

    box = self.start_container()       # SKIP, with the daemon's own words, where none can start here
    self.assertEqual(box.check("echo $((6*7))").strip(), "42")
"""

import re

import libvirt
from aexpect import exceptions as aexpect_errors

from avocado_cert.base import xmlbuild
from avocado_cert.guest import cache, console, container
from avocado_cert.testing import objects
from avocado_cert.testing.certtest import CertTest
from avocado_cert.testing.guest import Guest
from avocado_cert.testing.objects import Objects

SHELL_TIMEOUT = 30.0


class ContainerConsole(console.GuestConsole):
    """The console without --force: the LXC driver refuses VIR_DOMAIN_CONSOLE_FORCE ("unsupported
    flags (0x1) in function lxcDomainOpenConsole"), so a stale client is never taken over."""

    FORCE = False

    def attach(self, timeout=15.0):
        super().attach(timeout)
        try:
            # The init's first prompt came before we attached: ask for a fresh one.
            self._session.sendline("")
            self._session.read_up_to_prompt(timeout=SHELL_TIMEOUT)
        except aexpect_errors.ExpectError as details:
            self.close()
            raise console.ConsoleError(f"no shell on the console of {self.name}: {details}") from None
        return self


def container_xml(name, root, memory_kib=65536, interfaces=()):
    """A container whose root is the folder root (read-only) and whose init is the suite's."""
    element = xmlbuild.template("container")
    element.find("name").text = name
    element.find("memory").text = str(memory_kib)
    element.find("os/init").text = container.INIT
    element.find("devices/filesystem/source").set("dir", root)
    devices = element.find("devices")
    for interface in interfaces:
        devices.append(interface)
    return xmlbuild.to_xml(element)


class ContainerTest(CertTest):
    """A CertTest whose variant's driver runs containers (the lxc profile)."""

    def setUp(self):
        super().setUp()
        image = cache.load_image(self.guest, "x86_64", log=self.log.info)
        self.rootfs = container.rootfs(image)
        self.recipe = image.recipe
        self._probe()

    def _probe(self):
        """One container started and destroyed: where none can start, every test SKIPs with the reason
        the daemon gave, measured now; where one can, a later failure is the test's finding."""
        xml = container_xml(Objects.name("dom"), self.rootfs)
        try:
            dom = self.conn.createXML(xml, 0)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT:
                raise
            self.skip_because(f"no container can start on this host: {err.get_error_message()}")
        dom.destroy()

    def container_xml(self, name=None, memory_kib=65536, interfaces=()):
        return container_xml(name or Objects.name("dom"), self.rootfs, memory_kib, interfaces)

    def attach(self, dom):
        """The shell on dom's console (closed at cleanup), as a Guest."""
        box_console = ContainerConsole(
            self.uri, dom.name(), self.recipe.marker, self.recipe.prompt, log=self.log.debug
        )
        self.objects.on_cleanup(f"console of {dom.name()}", box_console.close)
        box_console.attach()
        return Guest(dom, box_console, SHELL_TIMEOUT)

    @staticmethod
    def console_prints(box, text, timeout):
        """Whether text, then the shell's prompt, appear on box's console within timeout seconds."""
        pattern = re.escape(text) + r"[\s\S]*" + re.escape(box.console.prompt.rstrip())
        try:
            box.console.session.read_until_output_matches([pattern], timeout=timeout)
        except aexpect_errors.ExpectError:
            return False
        return True

    def define_container(self, **kwargs):
        """A defined container, removed at cleanup. The LXC driver's undefine takes no flags, and it has
        no snapshots to remove first: its own cleanup step, not the factory's for domains."""
        xml = self.container_xml(**kwargs)
        name = objects.name_of(xml)
        objects.require_owned(name, "domain")

        def remove():
            try:
                dom = self.conn.lookupByName(name)
            except libvirt.libvirtError as err:
                if err.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                    return
                raise
            if dom.isActive():
                dom.destroy()
            if dom.isPersistent():
                dom.undefine()

        self.objects.on_cleanup(f"domain {name}", remove)
        return self.conn.defineXML(xml)

    def start_container(self, **kwargs):
        """A defined container, started, its shell on the console; removed at cleanup."""
        dom = self.define_container(**kwargs)
        dom.create()
        return self.attach(dom)
