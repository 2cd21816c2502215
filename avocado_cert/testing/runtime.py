"""What the domain runtime, snapshot and checkpoint suites stand on: a scratch folder and a storage pool
of the test's own, domains with the devices those APIs act on, disk images marked and read offline,
block jobs and streams waited for, and libvirt's ways of saying "not here" turned into outcomes."""

import json
import os
import shutil
import subprocess
import threading
import time

import libvirt
from lxml import etree

from avocado_cert.base import naming, xmlsafe
from avocado_cert.host import libvirt_errors
from avocado_cert.testing import xmlbuild

MIB = 1024 * 1024
SCRATCH_ROOT = "/var/tmp"
QEMU_IO = "qemu-io"


class Runtime:
    """Per-test kit: creates only prefixed objects, all removed by the test's object factory."""

    def __init__(self, test):
        self.test = test
        self.conn = test.conn
        self.objects = test.objects
        self._scratch = None
        self._pool = None

    # --- the variant --------------------------------------------------------------------------
    @property
    def test_driver(self):
        """The in-process test driver: its disks, NICs and memory are simulated, not host files."""
        return self.test.driver == "test"

    # --- host files ---------------------------------------------------------------------------
    def scratch(self):
        """A prefixed folder of the test's own under /var/tmp, removed at cleanup."""
        if self._scratch is None:
            path = os.path.join(SCRATCH_ROOT, naming.unique("rt"))
            os.makedirs(path, mode=0o755)
            self.objects.on_cleanup(f"folder {path}", shutil.rmtree, path, True)
            self._scratch = path
        return self._scratch

    def scratch_file(self, name):
        return os.path.join(self.scratch(), name)

    def pool(self):
        """A started dir pool in a sub-folder of the scratch folder."""
        if self._pool is None:
            path = os.path.join(self.scratch(), "pool")
            os.makedirs(path, mode=0o755)
            xml = xmlbuild.to_xml(xmlbuild.dir_pool(self.objects.name("pool"), path))
            self._pool = self.objects.create_pool(xml)
        return self._pool

    def volume(self, fmt="qcow2", capacity=64 * MIB, backing=None):
        """A volume of the pool; backing: a volume the new qcow2 image is an overlay of."""
        root = xmlbuild.volume(self.objects.name("vol"), capacity=capacity, fmt=fmt)
        if fmt == "qcow2":
            # qcow2 v3: what persistent dirty bitmaps (checkpoints) need; pools default to v2.
            etree.SubElement(root.find("target"), "compat").text = "1.1"
        if backing is not None:
            store = etree.SubElement(root, "backingStore")
            etree.SubElement(store, "path").text = backing.path()
            etree.SubElement(store, "format", type="qcow2")
        return self.objects.create_volume(self.pool(), xmlbuild.to_xml(root))

    # --- domains ------------------------------------------------------------------------------
    def domain_xml(
        self,
        disk=None,
        disk_format="qcow2",
        nic=False,
        network=None,
        console=False,
        graphics=False,
        channel=None,
        balloon=False,
        bios_serial=False,
        memory_kib=None,
        vcpus=1,
    ):
        """The XML of a prefixed domain with the devices asked for, and what a test needs to know
        of them: name, disk source and target, NIC MAC and host device."""
        name = self.objects.name("dom")
        root = xmlbuild.domain(self.test.variant_params, name, memory_kib=memory_kib, vcpus=vcpus, boot=False)
        devices = root.find("devices")
        facts = {"name": name}
        if bios_serial:
            etree.SubElement(root.find("os"), "bios", useserial="yes")
        if disk is not None:
            element = xmlbuild.template("runtime-disk")
            element.find("driver").set("type", disk_format)
            element.find("source").set("file", disk)
            devices.append(element)
            facts.update(disk=disk, target="vda")
        if nic or network:
            element = xmlbuild.template("runtime-interface")
            mac = "52:54:00:" + ":".join(naming.netdev()[-6:][i : i + 2] for i in (0, 2, 4))
            element.find("mac").set("address", mac)
            ifname = naming.netdev()
            element.find("target").set("dev", ifname)
            if network:
                element.set("type", "network")
                element.insert(1, etree.Element("source", network=network))
            devices.append(element)
            facts.update(mac=mac, ifname=ifname)
        for wanted, template in ((console, "runtime-console"), (graphics, "runtime-graphics")):
            if wanted:
                devices.extend(list(xmlbuild.template(template)))
        if balloon:
            devices.append(xmlbuild.template("runtime-balloon"))
        if channel:
            element = xmlbuild.template("runtime-channel")
            element.find("target").set("name", channel)
            devices.append(element)
        return xmlbuild.to_xml(root), facts

    def domain(self, start=True, transient=False, paused=False, **devices):
        """A domain with the devices asked for; running unless start is false. Returns (dom, facts)."""
        xml, facts = self.domain_xml(**devices)
        flags = libvirt.VIR_DOMAIN_START_PAUSED if paused else 0
        if transient:
            return self.objects.create_domain(xml, flags), facts
        dom = self.objects.define_domain(xml)
        if start:
            try:
                dom.createWithFlags(flags)
            except libvirt.libvirtError as err:
                if not (paused and libvirt_errors.unsupported_flags(err)):
                    raise
                # A driver without START_PAUSED: start, then pause, for the same state.
                dom.create()
                dom.suspend()
        return dom, facts

    def disk_domain(self, start=True, transient=False, **devices):
        """A domain on a fresh 64 MiB qcow2 volume of the pool. Returns (dom, facts, volume)."""
        vol = self.volume()
        dom, facts = self.domain(start=start, transient=transient, disk=vol.path(), **devices)
        return dom, facts, vol

    @staticmethod
    def xml_of(dom, flags=0):
        return xmlsafe.fromstring(dom.XMLDesc(flags))

    @staticmethod
    def xml_of_text(text):
        return xmlsafe.fromstring(text)

    @classmethod
    def disk_chain(cls, dom, target="vda"):
        """The source files of a disk, top image first, as the live XML reports its backing chain."""
        disk = cls.xml_of(dom).find(f"devices/disk/target[@dev='{target}']/..")
        chain = []
        while disk is not None and disk.find("source") is not None:
            chain.append(disk.find("source").get("file"))
            disk = disk.find("backingStore")
        return chain

    # --- disk images, offline -----------------------------------------------------------------
    def require_host_images(self):
        if self.test_driver:
            self.test.skip_because("the test driver simulates disks: there is no image on the host to read")
        if shutil.which(QEMU_IO) is None:
            self.test.skip_because("qemu-io (qemu-utils) is not installed: disk contents cannot be read")

    def _qemu_io(self, path, command, fmt="qcow2", readonly=False):
        args = [QEMU_IO, "-f", fmt]
        if readonly:
            args += ["-r", "-U"]
        result = subprocess.run(
            args + ["-c", command, path], capture_output=True, text=True, timeout=60, check=False
        )
        output = result.stdout + result.stderr
        self.test.log.info("%s -c '%s' %s: %s", QEMU_IO, command, path, output.strip())
        if result.returncode != 0 or "failed" in output.lower():
            return None
        return output

    def write_marker(self, path, pattern, offset=0, length=65536, fmt="qcow2"):
        """Fill [offset, offset+length) of the image's guest-visible data with one byte value."""
        if self._qemu_io(path, f"write -P {pattern} {offset} {length}", fmt) is None:
            self.test.fail(f"could not write marker 0x{pattern:02x} into {path}")

    def has_marker(self, path, pattern, offset=0, length=65536, fmt="qcow2"):
        """Whether the image's guest-visible data at offset holds the byte value (read-only, shared)."""
        return self._qemu_io(path, f"read -P {pattern} {offset} {length}", fmt, readonly=True) is not None

    def own_data(self, path):
        """The ranges (start, length) whose data the image holds itself, not through its backing chain."""
        result = subprocess.run(
            ["qemu-img", "map", "-U", "--output=json", path],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return [
            (extent["start"], extent["length"])
            for extent in json.loads(result.stdout)
            if extent.get("depth") == 0 and extent.get("data")
        ]

    # --- block jobs ---------------------------------------------------------------------------
    def wait_block_job_ready(self, dom, target="vda", timeout=60.0):
        """Wait until the disk's job has copied everything (a mirror then waits for pivot or abort)."""

        def ready():
            info = dom.blockJobInfo(target, 0)
            return info if info and 0 < info["end"] == info["cur"] else None

        return self.test.wait_for(ready, timeout, step=0.1, what=f"the block job on {target} to be ready")

    def wait_block_job_gone(self, dom, target="vda", timeout=60.0):
        self.test.wait_for(
            lambda: not dom.blockJobInfo(target, 0),
            timeout,
            step=0.1,
            what=f"the block job on {target} to end",
        )

    # --- streams ------------------------------------------------------------------------------
    def read_stream_until(self, stream, wanted, timeout=20.0):
        """Read a non-blocking stream until every byte string of wanted was seen; return all bytes."""
        data = b""
        deadline = time.monotonic() + timeout
        while not all(token in data for token in wanted):
            if time.monotonic() >= deadline:
                self.test.fail(
                    f"timed out after {timeout:g} s waiting for {wanted!r} on the stream; got {data[-300:]!r}"
                )
            chunk = stream.recv(4096)
            if chunk == -2:  # nothing yet on a non-blocking stream
                time.sleep(0.05)
                continue
            if not chunk:
                self.test.fail(f"the stream ended before {wanted!r} arrived; got {data[-300:]!r}")
            data += chunk
        return data

    def start_save(self, dom, path):
        """Run save in a thread on its own connection (so the test can watch or abort the job);
        return (thread, outcome dict with "result" or "error")."""
        outcome = {}
        conn = self.test.open_connection()

        def run():
            try:
                outcome["result"] = conn.lookupByUUIDString(dom.UUIDString()).save(path)
            except libvirt.libvirtError as err:
                outcome["error"] = err
            finally:
                conn.close()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread, outcome

    def abort_save(self, dom, path, abort, attempts=3):
        """Start a save of dom to path, call abort() once its job runs, and assert the save failed with
        VIR_ERR_OPERATION_ABORTED and the domain runs on. A save that ends before the abort reaches it
        (a small guest on a busy host) aborted nothing: the domain is restored from it and the race run
        again, up to `attempts` times; then it is a SKIP."""
        test = self.test
        for attempt in range(1, attempts + 1):
            outcome = self._save_and_abort(dom, path, abort)
            if "result" not in outcome:
                break
            test.log.info("attempt %d: the save completed before the abort reached it", attempt)
            self.conn.restore(path)
            os.unlink(path)
        else:
            test.skip_because(f"the save completed before the abort reached it, {attempts} times")
        test.assertEqual(
            outcome["error"].get_error_code(),
            libvirt.VIR_ERR_OPERATION_ABORTED,
            f"save failed another way: {outcome['error']}",
        )
        test.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING, "after the aborted save")

    def _save_and_abort(self, dom, path, abort):
        """One race of abort() against a save: the save thread's outcome ("result" if it completed)."""
        thread, outcome = self.start_save(dom, path)

        def job_running():
            try:
                return dom.jobInfo()[0] != libvirt.VIR_DOMAIN_JOB_NONE or not thread.is_alive()
            except libvirt.libvirtError:
                return not thread.is_alive()

        self.test.wait_for(job_running, 60, step=0.01, what="the save job")
        try:
            abort()
        except libvirt.libvirtError as err:
            thread.join(60)
            if err.get_error_code() != libvirt.VIR_ERR_OPERATION_INVALID or "result" not in outcome:
                raise
        thread.join(60)
        return outcome

    # --- outcomes -----------------------------------------------------------------------------
    def call_flags(self, what, func, *args):
        """Call func; a driver that rejects a flag with 'unsupported flags' makes the test UNSUPPORTED."""
        try:
            return func(*args)
        except libvirt.libvirtError as err:
            if libvirt_errors.unsupported_flags(err):
                self.test.unsupported(f"{what}: {err.get_error_message()}")
            raise

    def call_agent(self, what, func, *args):
        """Call an API that the guest agent answers; no agent answering is a SKIP with the reason."""
        return self.test.call_agent(what, self.call_flags, what, func, *args)

    def stats_group(self, group, doms, flags=0):
        """The stats records of one group for doms; a group the driver does not know is UNSUPPORTED."""
        flags |= libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS
        try:
            records = self.conn.domainListGetStats(doms, group, flags)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED:
                self.test.unsupported(err.get_error_message())
            raise
        return {dom.UUIDString(): stats for dom, stats in records}
