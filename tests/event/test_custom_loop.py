"""An application's own event loop registered with virEventRegisterImpl (libvirt-python's asyncio
adapter, libvirtaio): libvirt's timers and handle watches, the connection's socket and the domain
events it carries all run through it, and nothing runs while it does not."""

import asyncio
import os
import time

import libvirt
import libvirtaio

from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import Runtime


class RecordingImpl(libvirtaio.virEventAsyncIOImpl):
    """libvirtaio's implementation, noting which of its hooks libvirt called."""

    def __init__(self, loop):
        super().__init__(loop=loop)
        self.hooks = []

    def _add_handle(self, fd, event, cb, opaque):
        self.hooks.append("add_handle")
        return super()._add_handle(fd, event, cb, opaque)

    def _add_timeout(self, timeout, cb, opaque):
        self.hooks.append("add_timeout")
        return super()._add_timeout(timeout, cb, opaque)

    def _update_timeout(self, timer, timeout):
        self.hooks.append("update_timeout")
        return super()._update_timeout(timer, timeout)

    def _remove_timeout(self, timer):
        self.hooks.append("remove_timeout")
        return super()._remove_timeout(timer)

    def _remove_handle(self, watch):
        self.hooks.append("remove_handle")
        return super()._remove_handle(watch)


class CustomEventLoop(CertTest):
    """
    :avocado: tags=area:event,cap:event.custom_loop
    """

    def setUp(self):
        # Documented: an application that registers its loop before opening a connection initializes first.
        libvirt.virInitialize()
        self.loop = asyncio.new_event_loop()
        self.impl = RecordingImpl(self.loop)
        self.impl.register()
        super().setUp()

    def run_until(self, predicate, timeout, what):
        """Run the asyncio loop (and so libvirt's events) until predicate() holds."""

        async def poll():
            deadline = time.monotonic() + timeout
            while not predicate():
                if time.monotonic() >= deadline:
                    return False
                await asyncio.sleep(0.01)
            return True

        if not self.loop.run_until_complete(poll()):
            self.fail(f"timed out after {timeout:g} s waiting for {what} through the registered loop")

    def require_registered(self):
        """libvirt keeps the first implementation registered in a process: ours, in a fresh one."""
        probe = libvirt.virEventAddTimeout(-1, lambda *_args: None, None)
        if "add_timeout" not in self.impl.hooks:
            libvirt.virEventRemoveTimeout(probe)
            self.skip_because("another event loop implementation was registered in this process first")
        libvirt.virEventRemoveTimeout(probe)

    def test_timers_and_handles(self):
        """
        After virEventRegisterImpl, libvirt's timer and handle calls reach the registered hooks: a
        timer fires only while the application runs its loop, stops when disabled and is removed;
        a pipe watch calls back READABLE once written to.

        :avocado: tags=api:virEventRegisterImpl
        """
        self.require_registered()
        fired = []
        timer = libvirt.virEventAddTimeout(10, lambda timer_id, opaque: fired.append(opaque), "acert")
        self.assertGreaterEqual(timer, 0)
        time.sleep(0.2)  # the application's loop is not running: nothing may fire meanwhile
        self.assertEqual(fired, [], "a timer fired while the registered loop was not running")
        self.run_until(lambda: len(fired) >= 3, 5, "three timer callbacks")
        libvirt.virEventUpdateTimeout(timer, -1)
        self.assertEqual(libvirt.virEventRemoveTimeout(timer), 0)
        self.assertTrue(
            {"update_timeout", "remove_timeout"} <= set(self.impl.hooks), f"hooks: {self.impl.hooks}"
        )
        read_fd, write_fd = os.pipe()
        self.objects.on_cleanup("pipe", lambda: [os.close(fd) for fd in (read_fd, write_fd)])
        ready = []
        watch = libvirt.virEventAddHandle(
            read_fd,
            libvirt.VIR_EVENT_HANDLE_READABLE,
            lambda watch_id, fd, events, opaque: ready.append((fd, events)),
            None,
        )
        self.assertIn("add_handle", self.impl.hooks)
        os.write(write_fd, b"x")
        self.run_until(lambda: ready, 5, "the pipe watch")
        self.assertEqual(ready[0], (read_fd, libvirt.VIR_EVENT_HANDLE_READABLE))
        self.assertEqual(libvirt.virEventRemoveHandle(watch), 0)
        self.assertIn("remove_handle", self.impl.hooks)

    def test_domain_events(self):
        """
        Domain lifecycle events of a connection opened after virEventRegisterImpl are delivered by
        the registered loop: started and stopped for the test's domain, none while it is not run.

        :avocado: tags=api:virEventRegisterImpl
        """
        self.require_registered()
        seen = []

        def lifecycle(_conn, dom, event, _detail, _opaque):
            seen.append((dom.name(), event))

        callback_id = self.conn.domainEventRegisterAny(
            None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lifecycle, None
        )
        self.objects.on_cleanup("domain event callback", self.conn.domainEventDeregisterAny, callback_id)
        dom, _facts = Runtime(self).domain()
        dom.destroy()
        time.sleep(0.2)
        self.assertEqual(
            [e for e in seen if e[0] == dom.name()], [], "events arrived with the loop not running"
        )
        wanted = [libvirt.VIR_DOMAIN_EVENT_STARTED, libvirt.VIR_DOMAIN_EVENT_STOPPED]

        def ours():
            return [event for name, event in seen if name == dom.name() and event in wanted]

        self.run_until(lambda: len(ours()) >= len(wanted), 10, "the started and stopped events")
        self.assertEqual(ours(), wanted)
