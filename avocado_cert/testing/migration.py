"""Migration between two libvirt hosts, for certification tests: the destination's connection and
object factory, a guest that proves it moved (a counter running on its console, a marker on its disk),
migrations in flight (a thread) and the lifecycle events seen on both sides.

    guest = self.boot_moving()                   # counter started on the source's console
    self.migrate_timed("migrateToURI3", guest.dom.migrateToURI3, self.peer_uri, {}, self.live_p2p)
    self.assert_arrived(guest)                   # the counter went on, on the destination's console

The profile names the destination twice: as the test client reaches it (migration_dest_uri) and as
the source daemon reaches it for peer-to-peer migration (migration_peer_uri).
"""

import os
import threading
import time
import uuid

import libvirt
from lxml import etree

from avocado_cert.base import xmlbuild as basexml
from avocado_cert.guest import variant
from avocado_cert.guest.console import ConsoleError, GuestConsole
from avocado_cert.host import connect, libvirt_errors
from avocado_cert.testing import events
from avocado_cert.testing.certtest import CertTest
from avocado_cert.testing.objects import Objects

COUNTER_FILE = "/tmp/acert-counter"
# A counter the guest's memory holds: it goes on only where the guest's RAM and CPUs went.
COUNTER = f"(i=0; while true; do i=$((i+1)); echo $i > {COUNTER_FILE}; sleep 0.1; done) >/dev/null 2>&1 &"
DISK_BYTES = 8 * 1024 * 1024
LIVE = libvirt.VIR_MIGRATE_LIVE
P2P = libvirt.VIR_MIGRATE_PEER2PEER
# A bandwidth (MiB/s) low enough that a migration stays in flight long enough to act on it.
SLOW_MIB_S = 1


class MovingGuest:
    """A booted guest of the certification image with a counter running; disk is its marker disk or None."""

    def __init__(self, dom, console, counter, disk_marker=None):
        self.dom = dom
        self.name = dom.name()
        self.console = console
        self.counter = counter
        self.disk_marker = disk_marker


class InFlight(threading.Thread):
    """One migration call run in a thread, so the test can act on the job while it runs."""

    def __init__(self, func, *args):
        super().__init__(name="acert-migration", daemon=True)
        self.func = func
        self.args = args
        self.result = None
        self.error = None
        self.seconds = None

    def run(self):
        started = time.monotonic()
        try:
            self.result = self.func(*self.args)
        except libvirt.libvirtError as err:
            self.error = err
        self.seconds = time.monotonic() - started


class MigrationTest(CertTest):
    """CertTest with a destination host: self.dconn, self.dest_objects (cleaned up like self.objects)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dconn = None
        self.dest_objects = None
        self.collector = events.Collector()
        self._callbacks = []

    # --- the destination ---------------------------------------------------------------------------
    @property
    def dest_uri(self):
        return self.params.get("migration_dest_uri", default="")

    @property
    def peer_uri(self):
        """The destination as the source daemon reaches it (peer-to-peer and tunnelled migration)."""
        return self.params.get("migration_peer_uri", default="")

    @property
    def live_p2p(self):
        return LIVE | P2P

    def setUp(self):
        # The remote driver watches for events only if a loop is registered before the connection opens.
        events.start_loop()
        super().setUp()
        if not self.dest_uri or not self.peer_uri:
            self.skip_because(
                "the profile names no destination host (migration_dest_uri, migration_peer_uri)"
            )
        try:
            self.dconn = connect.open_uri(self.dest_uri)
        except libvirt.libvirtError as err:
            self.skip_because(
                f"the destination host {self.dest_uri} does not answer ({libvirt_errors.describe(err)}); "
                "scripts/migration-host.sh start runs one on this machine"
            )
        if self.dconn.getHostname() == self.conn.getHostname():
            self.skip_because("the destination has the source's hostname: it is the same host")
        self.dest_objects = Objects(self.dconn, self.log)
        for side, conn in (("source", self.conn), ("destination", self.dconn)):
            callback_id = conn.domainEventRegisterAny(
                None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, self.collector.lifecycle(side), None
            )
            self._callbacks.append((conn, callback_id))

    def tearDown(self):
        for conn, callback_id in self._callbacks:
            try:
                conn.domainEventDeregisterAny(callback_id)
            except libvirt.libvirtError as err:
                self.log.info("deregistering an event callback: %s", libvirt_errors.describe(err))
        problems = self.dest_objects.cleanup() if self.dest_objects is not None else []
        if self.dconn is not None:
            try:
                self.dconn.close()
            except libvirt.libvirtError as err:
                self.log.info("closing the destination connection: %s", libvirt_errors.describe(err))
        super().tearDown()
        if problems and self.status == "PASS":
            self.error("cleanup left objects behind on the destination: " + "; ".join(problems))

    def arriving(self, name):
        """Register cleanup, on the destination, of a domain a migration will create there."""
        self.dest_objects.adopt_domain(name)
        return name

    # --- guests --------------------------------------------------------------------------------------
    def image(self):
        params = self.variant_params
        if variant.image_name(params) is None:
            self.skip_because("migration with a guest-level check needs a guest OS (profile param guest:)")
        return variant.image_for(params, log=self.log.info)

    def guest_xml(self, disk_path=None, name=None):
        """The XML of a guest of the variant's image, with a raw disk (vda) where disk_path is given."""
        root = etree.fromstring(self.domain_xml(name=name).encode("utf-8"))
        if disk_path:
            disk = basexml.template("guest-disk")
            disk.find("source").set("file", disk_path)
            disk.find("target").set("dev", "vda")
            disk.find("serial").text = "acert-migration"
            root.find("devices").append(disk)
        return basexml.to_xml(root)

    def console(self, uri, name):
        recipe = self.image().recipe
        console = GuestConsole(uri, name, recipe.marker, recipe.prompt, log=self.log.debug)
        return console

    def attach_running(self, console):
        """Attach to a running guest's console and wait until a command's output comes back in step
        (a prompt printed before the attach would pair the next command with no output)."""
        console.attach()

        def answers():
            try:
                console.session.read_nonblocking(0.2, 1)
                token = f"acert-sync-{uuid.uuid4().hex[:8]}"
                return token in console.run(f"echo {token}", timeout=10)[1]
            except ConsoleError:
                return False

        self.wait_for(answers, 60, step=0.5, what=f"the console of {console.name} to answer")
        return console

    def boot_moving(self, disk_path=None):
        """Define and boot a guest on the source, start its counter (and write a disk marker)."""
        timeout = float(self.param("guest_boot_timeout", 120))
        dom = self.objects.define_domain(self.guest_xml(disk_path))
        self.arriving(dom.name())
        dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
        console = self.console(self.uri, dom.name())
        self.objects.on_cleanup(f"console of {dom.name()}", console.close)
        console.attach()
        dom.resume()
        console.wait_boot(timeout)
        console.check(COUNTER)
        marker = None
        if disk_path:
            marker = f"ACERT-MARK-{uuid.uuid4().hex[:12]}"
            console.check(f"echo {marker} | dd of=/dev/vda bs=512 count=1 conv=sync,fsync 2>/dev/null")
        guest = MovingGuest(dom, console, 0, marker)
        self.wait_for(lambda: self.read_counter(console) > 0, 30, what="the guest's counter to start")
        guest.counter = self.read_counter(console)
        self.log.info("guest %s runs on the source, counter at %d", dom.name(), guest.counter)
        return guest

    @staticmethod
    def read_counter(console):
        output = console.check(f"cat {COUNTER_FILE} 2>/dev/null || echo 0").strip().split()
        return int(output[-1]) if output and output[-1].isdigit() else 0

    @staticmethod
    def read_marker(console):
        """The disk's first bytes as the guest reads them from the disk itself (page cache dropped)."""
        console.check("sync; echo 3 > /proc/sys/vm/drop_caches")
        return console.check("head -c 32 /dev/vda | tr -cd 'A-Za-z0-9-'; echo")

    # --- checks after a migration ----------------------------------------------------------------------
    def assert_arrived(self, guest, name=None):
        """The guest runs on the destination and its counter kept going from where it was."""
        name = name or guest.name
        guest.console.close()
        ddom = self.dconn.lookupByName(name)
        self.assert_state(ddom, libvirt.VIR_DOMAIN_RUNNING, f"{name} on the destination")
        console = self.console(self.dest_uri, name)
        self.dest_objects.on_cleanup(f"console of {name} on the destination", console.close)
        self.attach_running(console)
        first = self.read_counter(console)
        if first <= guest.counter:
            self.fail(
                f"the counter on the destination is {first}, it was {guest.counter} before: memory did not move"
            )
        self.wait_for(
            lambda: self.read_counter(console) > first, 30, what="the counter to go on at the destination"
        )
        if guest.disk_marker:
            self.assertEqual(
                self.read_marker(console).strip(), guest.disk_marker, "the disk marker on the destination"
            )
        console.close()
        self.log.info("%s answers on the destination, counter %d -> %d", name, guest.counter, first)
        return ddom

    def assert_source_gone(self, guest, persistent):
        """After a live migration the source runs nothing; its definition stays only where persistent."""
        try:
            dom = self.conn.lookupByName(guest.name)
        except libvirt.libvirtError as err:
            if persistent:
                self.fail(f"the source's definition of {guest.name} is gone: {libvirt_errors.describe(err)}")
            return
        if not persistent:
            self.fail(f"{guest.name} is still defined on the source")
        self.assert_state(dom, libvirt.VIR_DOMAIN_SHUTOFF, f"{guest.name} on the source")

    def assert_stayed(self, guest):
        """A refused or aborted migration left the guest running on the source, its counter going on,
        and nothing on the destination."""
        self.assert_state(guest.dom, libvirt.VIR_DOMAIN_RUNNING, f"{guest.name} on the source")
        # A migration that got as far as moving memory ends the source's console streams: attach again.
        guest.console.close()
        guest.console = self.console(self.uri, guest.name)
        self.objects.on_cleanup(f"console of {guest.name} after the migration", guest.console.close)
        self.attach_running(guest.console)
        before = self.read_counter(guest.console)
        if before <= guest.counter:
            self.fail(f"the counter on the source stopped at {before} (was {guest.counter})")
        self.wait_for(lambda: self.read_counter(guest.console) > before, 30, what="the counter to go on")
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.dconn.lookupByName, guest.name)

    def assert_events(self, name, dest_name=None, postcopy=False, timeout=30):
        """MIGRATED on the source (stopped); MIGRATED on the destination (started, then resumed), where
        the domain may have a new name (dest_name)."""
        resumed = (
            libvirt.VIR_DOMAIN_EVENT_RESUMED_POSTCOPY
            if postcopy
            else libvirt.VIR_DOMAIN_EVENT_RESUMED_MIGRATED
        )
        wanted = {
            "source": [(libvirt.VIR_DOMAIN_EVENT_STOPPED, libvirt.VIR_DOMAIN_EVENT_STOPPED_MIGRATED)],
            "destination": [
                (libvirt.VIR_DOMAIN_EVENT_STARTED, libvirt.VIR_DOMAIN_EVENT_STARTED_MIGRATED),
                (libvirt.VIR_DOMAIN_EVENT_RESUMED, resumed),
            ],
        }
        names = {"source": name, "destination": dest_name or name}
        for side, sequence in wanted.items():
            if self.collector.wait_sequence(names[side], sequence, timeout, kind=side) is None:
                seen = [(e.event, e.detail) for e in self.collector.of(names[side], side)]
                self.fail(
                    f"lifecycle events of {names[side]} on the {side}: expected {sequence} in order, saw {seen}"
                )

    # --- measuring -----------------------------------------------------------------------------------
    def migrate_timed(self, what, func, *args):
        """Run one migration call, record its total time; return its result."""
        started = time.monotonic()
        result = func(*args)
        seconds = time.monotonic() - started
        self.record_metric("migration_total_ms", seconds * 1000, "ms")
        self.log.info("%s took %.2f s", what, seconds)
        return result

    def record_downtime(self, name):
        """The downtime QEMU measured for the completed migration, from the destination's job stats."""
        stats = {}
        for conn in (self.dconn, self.conn):
            try:
                stats = conn.lookupByName(name).jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED)
            except libvirt.libvirtError as err:
                self.log.info("completed job stats: %s", libvirt_errors.describe(err))
                continue
            if "downtime" in stats:
                break
        if "downtime" not in stats:
            self.fail(f"neither side reports the completed migration's downtime: {stats}")
        self.record_metric("migration_downtime_ms", stats["downtime"], "ms")
        return stats

    def in_flight(self, func, *args):
        """Start a migration call in a thread; return the thread (join it with finish())."""
        flight = InFlight(func, *args)
        flight.start()
        return flight

    def wait_job(self, dom, timeout=60):
        """Wait until the source reports the outgoing migration's job, with memory processed."""

        def running():
            try:
                stats = dom.jobStats(0)
            except libvirt.libvirtError:
                return None
            if stats.get("type") == libvirt.VIR_DOMAIN_JOB_UNBOUNDED and stats.get("memory_processed", 0) > 0:
                return stats
            return None

        return self.wait_for(running, timeout, step=0.1, what=f"the migration job of {dom.name()}")

    def finish(self, flight, timeout=300):
        flight.join(timeout)
        if flight.is_alive():
            self.fail(f"the migration did not end within {timeout} s")
        return flight

    # --- storage ---------------------------------------------------------------------------------------
    def shared_disk(self):
        """A raw disk file in the folder both hosts see at the same path (migration_shared_dir)."""
        folder = self.params.get("migration_shared_dir", default="")
        if not folder or not os.path.isdir(folder):
            self.skip_because(f"no folder shared by both hosts (migration_shared_dir: {folder!r})")
        path = os.path.join(folder, Objects.name("disk") + ".img")
        with open(path, "wb") as out:
            out.truncate(DISK_BYTES)
        self.objects.on_cleanup(f"file {path}", _remove, path)
        return path

    def local_pools(self):
        """A pool at the same (host-local) path on both hosts, the source's holding a raw volume."""
        base = self.params.get("migration_local_dir", default="/var/lib/libvirt/images")
        name = Objects.name("pool")
        xml = basexml.to_xml(basexml.dir_pool(name, os.path.join(base, name)))
        build = libvirt.VIR_STORAGE_POOL_CREATE_WITH_BUILD
        pool = self.objects.create_pool(xml, build)
        self.dest_objects.create_pool(xml, build)
        vol = self.objects.create_volume(
            pool, basexml.to_xml(basexml.volume(Objects.name("vol"), DISK_BYTES))
        )
        return vol.path()


def _remove(path):
    if os.path.exists(path):
        os.remove(path)
