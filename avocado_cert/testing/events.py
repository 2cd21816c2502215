"""Events for tests: libvirt's default event loop in a daemon thread, and collectors that queue the
callbacks' arguments so a test can wait, with a timeout, for the events it expects.

The loop must run before a connection is opened: the remote driver watches its socket only when an
event implementation is registered at open time, so CertTest subclasses call start_loop() first.
"""

import collections
import queue
import threading
import time

import libvirt

from avocado_cert.testing.certtest import CertTest

_LOCK = threading.Lock()
_STATE = {"thread": None}

Event = collections.namedtuple("Event", "kind name event detail extra")


def start_loop():
    """Register the default event implementation once per process and run it in a daemon thread."""
    with _LOCK:
        if _STATE["thread"] is None:
            libvirt.virEventRegisterDefaultImpl()
            thread = threading.Thread(target=_run_forever, name="libvirt-event-loop", daemon=True)
            thread.start()
            _STATE["thread"] = thread
    return _STATE["thread"]


def _run_forever():
    while True:
        libvirt.virEventRunDefaultImpl()


def object_name(obj):
    """Events name their object: a secret by UUID (it has no name), everything else by name."""
    if isinstance(obj, libvirt.virSecret):
        return obj.UUIDString()
    return obj.name()


class Collector:
    """Receives callbacks from the loop thread; the test thread waits on what arrived."""

    def __init__(self):
        self._queue = queue.Queue()
        self.history = []

    def put(self, event):
        self._queue.put(event)

    # --- callbacks, one per signature of libvirt's event families ----------------------------------
    def lifecycle(self, kind):
        """(conn, object, event, detail, opaque): lifecycle of domains, networks, pools, devices, secrets."""

        def callback(_conn, obj, event, detail, _opaque):
            self.put(Event(kind, object_name(obj), event, detail, None))

        return callback

    def simple(self, kind):
        """(conn, object, opaque): reboot, pool refresh, device update, secret value changed."""

        def callback(_conn, obj, _opaque):
            self.put(Event(kind, object_name(obj), None, None, None))

        return callback

    def with_alias(self, kind):
        """(conn, domain, alias, opaque): device added or removed."""

        def callback(_conn, dom, alias, _opaque):
            self.put(Event(kind, dom.name(), None, None, alias))

        return callback

    def metadata(self, kind):
        """(conn, domain, type, nsuri, opaque): metadata changed."""

        def callback(_conn, dom, mtype, nsuri, _opaque):
            self.put(Event(kind, dom.name(), mtype, None, nsuri))

        return callback

    # --- waiting ---------------------------------------------------------------------------------
    def _pull(self, timeout):
        try:
            self.history.append(self._queue.get(timeout=max(timeout, 0)))
        except queue.Empty:
            return False
        while True:  # take whatever else already arrived
            try:
                self.history.append(self._queue.get_nowait())
            except queue.Empty:
                return True

    def wait(self, predicate, timeout):
        """Return predicate(history) once it is truthy, or None when timeout seconds pass first."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate(self.history)
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._pull(remaining)

    def settle(self, quiet=0.2):
        """Take in what is still in flight: return once nothing arrived for `quiet` seconds."""
        while self._pull(quiet):
            pass
        return list(self.history)

    def of(self, name, kind=None):
        return [e for e in self.history if e.name == name and (kind is None or e.kind == kind)]

    def wait_sequence(self, name, expected, timeout, kind=None):
        """Wait until the events of object `name` contain `expected` ((event, detail) pairs, detail None
        for any) in this order, other events allowed between; return the matched events or None."""

        def matched(_history):
            found = []
            pending = list(expected)
            for event in self.of(name, kind):
                if not pending:
                    break
                want_event, want_detail = pending[0]
                if event.event == want_event and want_detail in (None, event.detail):
                    found.append(event)
                    pending.pop(0)
            return found if not pending else None

        return self.wait(matched, timeout)


class Subscriptions:
    """Registers callbacks on a connection and deregisters them at the test's cleanup."""

    def __init__(self, conn, objects):
        self.conn = conn
        self.objects = objects

    def _register(self, family, register, deregister, obj, event_id, callback):
        callback_id = register(obj, event_id, callback, None)
        label = f"{family} event callback {callback_id}"
        self.objects.on_cleanup(label, deregister, callback_id)
        return Subscription(label, deregister, callback_id, self.objects)

    def domain(self, event_id, callback, dom=None):
        return self._register(
            "domain",
            self.conn.domainEventRegisterAny,
            self.conn.domainEventDeregisterAny,
            dom,
            event_id,
            callback,
        )

    def network(self, event_id, callback, net=None):
        return self._register(
            "network",
            self.conn.networkEventRegisterAny,
            self.conn.networkEventDeregisterAny,
            net,
            event_id,
            callback,
        )

    def pool(self, event_id, callback, pool=None):
        return self._register(
            "pool",
            self.conn.storagePoolEventRegisterAny,
            self.conn.storagePoolEventDeregisterAny,
            pool,
            event_id,
            callback,
        )

    def node_device(self, event_id, callback, dev=None):
        return self._register(
            "node device",
            self.conn.nodeDeviceEventRegisterAny,
            self.conn.nodeDeviceEventDeregisterAny,
            dev,
            event_id,
            callback,
        )

    def secret(self, event_id, callback, secret=None):
        return self._register(
            "secret",
            self.conn.secretEventRegisterAny,
            self.conn.secretEventDeregisterAny,
            secret,
            event_id,
            callback,
        )

    def domain_legacy(self, callback):
        """The pre-0.8 API: one lifecycle callback per function, deregistered by the function."""
        self.conn.domainEventRegister(callback, None)
        label = f"legacy domain event callback {id(callback)}"
        self.objects.on_cleanup(label, self.conn.domainEventDeregister, callback)
        return Subscription(label, self.conn.domainEventDeregister, callback, self.objects)


class Subscription:
    """One registered callback; cancel() deregisters it now instead of at cleanup."""

    def __init__(self, label, deregister, key, objects):
        self.label = label
        self._deregister = deregister
        self.key = key
        self._objects = objects

    def cancel(self):
        self._objects.forget(self.label)
        self._deregister(self.key)


class EventTest(CertTest):
    """Base of event tests: the event loop runs before the connection opens (the remote driver needs
    it then), subscriptions are removed at cleanup, and sequences are awaited with the variant's
    event_timeout (default 10 s)."""

    def setUp(self):
        start_loop()
        super().setUp()
        self.subscriptions = Subscriptions(self.conn, self.objects)

    @property
    def event_timeout(self):
        return float(self.param("event_timeout", 10))

    def expect_sequence(self, collector, name, expected, kind=None):
        got = collector.wait_sequence(name, expected, self.event_timeout, kind)
        if got is None:
            arrived = [(e.kind, e.event, e.detail) for e in collector.of(name)]
            self.fail(
                f"{name}: expected events {expected} in this order within {self.event_timeout:g} s, got {arrived}"
            )
        return got
