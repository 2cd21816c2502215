"""libvirt's default event loop as applications use it: timers and file handle watches."""

import os

import libvirt

from avocado_cert.testing import CertTest, events


class EventLoop(CertTest):
    """
    :avocado: tags=area:event,cap:event.loop
    """

    def setUp(self):
        events.start_loop()
        super().setUp()

    def test_timeout(self):
        """
        A timer fires repeatedly at its interval; disabled (-1) it stops; removed it is gone.

        :avocado: tags=api:virEventAddTimeout,api:virEventUpdateTimeout,api:virEventRemoveTimeout
        """
        fired = []
        timer = libvirt.virEventAddTimeout(20, lambda timer_id, opaque: fired.append(opaque), "acert")
        self.assertGreaterEqual(timer, 0)
        self.objects.on_cleanup("event timer", self._remove_timeout, timer)
        self.wait_for(lambda: len(fired) >= 3, 5.0, what="three timer callbacks")
        self.assertEqual(set(fired), {"acert"})
        libvirt.virEventUpdateTimeout(timer, -1)
        settled = len(fired)
        self._loop_iteration([], "after disabling")
        # One callback may already have been dispatched when the update came.
        self.assertLessEqual(len(fired), settled + 1, "a disabled timer kept firing")
        stopped_at = len(fired)
        libvirt.virEventUpdateTimeout(timer, 10)
        self.wait_for(lambda: len(fired) > stopped_at, 5.0, what="the re-enabled timer")
        self.assertEqual(libvirt.virEventRemoveTimeout(timer), 0)
        self.objects.forget("event timer")
        after = len(fired)
        self._loop_iteration([], "after the removal")
        self.assertLessEqual(len(fired), after + 1, "a removed timer kept firing")

    def test_handle(self):
        """
        A watch on a pipe calls back READABLE once data is written; with no events watched it stays
        quiet; removed it is gone.

        :avocado: tags=api:virEventAddHandle,api:virEventUpdateHandle,api:virEventRemoveHandle
        """
        read_fd, write_fd = os.pipe()
        self.objects.on_cleanup("pipe", self._close, read_fd, write_fd)
        calls = []
        watch = libvirt.virEventAddHandle(
            read_fd,
            libvirt.VIR_EVENT_HANDLE_READABLE,
            lambda w, fd, ev, opaque: calls.append((fd, ev, opaque)),
            "acert",
        )
        self.assertGreaterEqual(watch, 0)
        self.objects.on_cleanup("event handle", self._remove_handle, watch)
        os.write(write_fd, b"x")
        self.wait_for(lambda: calls, 5.0, what="the READABLE callback")
        fd, ev, opaque = calls[0]
        self.assertEqual((fd, opaque), (read_fd, "acert"))
        self.assertTrue(ev & libvirt.VIR_EVENT_HANDLE_READABLE, f"events {ev:#x} without READABLE")
        libvirt.virEventUpdateHandle(watch, 0)
        # A dispatch the loop had already begun when the update was made may still land: let one full
        # loop iteration pass before counting.
        self._loop_iteration(calls, "settle")
        seen = len(calls)
        # Data is still unread: a watch still asking for READABLE would keep firing.
        self._loop_iteration(calls, "probe")
        fired = [c for c in calls[seen:] if not (isinstance(c, str) and c.startswith("timer"))]
        self.assertEqual(fired, [], "the watch fired with no events asked")
        self.assertEqual(libvirt.virEventRemoveHandle(watch), 0)
        self.objects.forget("event handle")

    def _loop_iteration(self, calls, name):
        """Wait until the event loop has run a timer added now, i.e. gone round at least once."""
        marker = f"timer {name}"
        probe = libvirt.virEventAddTimeout(300, lambda t, o: calls.append(marker), None)
        try:
            self.wait_for(lambda: marker in calls, 5.0, what=f"a loop iteration ({name})")
        finally:
            libvirt.virEventRemoveTimeout(probe)

    @staticmethod
    def _remove_timeout(timer):
        libvirt.virEventRemoveTimeout(timer)

    @staticmethod
    def _remove_handle(watch):
        libvirt.virEventRemoveHandle(watch)

    @staticmethod
    def _close(*fds):
        for fd in fds:
            os.close(fd)
