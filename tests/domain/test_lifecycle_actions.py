"""The actions a domain takes on its lifecycle events (<on_poweroff>, <on_reboot>, <on_crash>):
setLifecycleAction changes the persistent or the live definition as the flags say, refuses actions an
event does not take, and a reboot request obeys the live on_reboot action."""

import libvirt

from avocado_cert.testing import CertTest, domainio
from avocado_cert.testing.runtime import Runtime

POWEROFF = libvirt.VIR_DOMAIN_LIFECYCLE_POWEROFF
REBOOT = libvirt.VIR_DOMAIN_LIFECYCLE_REBOOT
CRASH = libvirt.VIR_DOMAIN_LIFECYCLE_CRASH
LIVE = libvirt.VIR_DOMAIN_AFFECT_LIVE
CONFIG = libvirt.VIR_DOMAIN_AFFECT_CONFIG
ACTION = {
    libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY: "destroy",
    libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_RESTART: "restart",
    libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE: "preserve",
}


class LifecycleActionTest(CertTest):
    """
    :avocado: disable
    """

    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)

    def actions(self, dom, flags=0):
        return domainio.lifecycle_actions(dom.XMLDesc(flags))


class LifecycleActions(LifecycleActionTest):
    """
    :avocado: tags=area:domain,cap:domain.lifecycle_actions
    """

    def test_config(self):
        """
        On an inactive domain, setLifecycleAction (AFFECT_CONFIG, and the default 0) writes the action
        of each event into the XML, leaving the others; an action the event does not take (coredump on poweroff) is
        refused with VIR_ERR_CONFIG_UNSUPPORTED and changes nothing; AFFECT_LIVE is refused with
        VIR_ERR_OPERATION_INVALID.

        :avocado: tags=api:virDomainSetLifecycleAction
        """
        dom, _facts = self.rt.domain(start=False)
        expected = self.actions(dom)
        self.log.info("template actions: %s", expected)
        # One at a time: drivers refuse some combinations (QEMU: on_poweroff restart with on_reboot destroy).
        changes = [
            ("on_reboot", REBOOT, libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY, 0),
            ("on_reboot", REBOOT, libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_RESTART, CONFIG),
            ("on_poweroff", POWEROFF, libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_RESTART, CONFIG),
            ("on_crash", CRASH, libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE, 0),
        ]
        for event, kind, action, flags in changes:
            self.assertNotEqual(expected[event], ACTION[action], f"{event} is already {ACTION[action]}")
            self.assertEqual(dom.setLifecycleAction(kind, action, flags), 0)
            expected[event] = ACTION[action]
            self.assertEqual(self.actions(dom), expected, f"after setting {event} to {ACTION[action]}")
        settled = self.actions(dom)
        self.expect_error(
            libvirt.VIR_ERR_CONFIG_UNSUPPORTED,
            dom.setLifecycleAction,
            POWEROFF,
            libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY,
            CONFIG,
        )
        self.expect_error(
            libvirt.VIR_ERR_OPERATION_INVALID,
            dom.setLifecycleAction,
            CRASH,
            libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY,
            LIVE,
        )
        self.assertEqual(self.actions(dom), settled, "a refused change altered the XML")

    def test_live_and_config(self):
        """
        On a running domain, AFFECT_LIVE changes the live XML only and AFFECT_CONFIG the persistent
        XML only; both flags change both.

        :avocado: tags=api:virDomainSetLifecycleAction
        """
        dom, _facts = self.rt.domain()
        inactive = libvirt.VIR_DOMAIN_XML_INACTIVE
        live_before, config_before = self.actions(dom), self.actions(dom, inactive)
        self.assertEqual(dom.setLifecycleAction(REBOOT, libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY, LIVE), 0)
        self.assertEqual(self.actions(dom), dict(live_before, on_reboot="destroy"))
        self.assertEqual(self.actions(dom, inactive), config_before, "AFFECT_LIVE changed the persistent XML")
        self.assertEqual(
            dom.setLifecycleAction(CRASH, libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE, CONFIG), 0
        )
        self.assertEqual(self.actions(dom, inactive), dict(config_before, on_crash="preserve"))
        self.assertEqual(
            self.actions(dom)["on_crash"], live_before["on_crash"], "AFFECT_CONFIG changed the live XML"
        )
        self.assertEqual(
            dom.setLifecycleAction(CRASH, libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_RESTART, LIVE | CONFIG), 0
        )
        self.assertEqual(self.actions(dom)["on_crash"], "restart")
        self.assertEqual(self.actions(dom, inactive)["on_crash"], "restart")


class LifecycleActionEffect(LifecycleActionTest):
    """
    :avocado: tags=area:domain,cap:domain.lifecycle_action_effect
    """

    def test_reboot_destroys(self):
        """
        With on_reboot set to destroy on the running domain, a reboot request shuts it off instead of
        bringing it back running.

        :avocado: tags=api:virDomainSetLifecycleAction
        """
        self.require_guest_os("a reboot request is answered by the guest OS")
        if self.guest == "simulated":
            dom, _facts = self.rt.domain()
        else:
            dom = self.boot_guest("a reboot request is answered by the guest OS").dom
        self.assertEqual(dom.setLifecycleAction(REBOOT, libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY, LIVE), 0)
        self.assertEqual(dom.reboot(0), 0)
        self.wait_for(
            lambda: dom.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF,
            60,
            step=0.1,
            what="the domain to shut off on reboot",
        )
