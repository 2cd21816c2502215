"""Helpers of the storage suites: dir pools in prefixed folders under /var/tmp, volumes, their content."""

import json
import os
import shutil
import subprocess

import libvirt

from avocado_cert.base import naming, xmlsafe
from avocado_cert.host import libvirt_errors
from avocado_cert.testing import hostside, stream, xmlbuild

POOL_PARENT = "/var/tmp"
MIB = 1 << 20


class PoolSpec:
    """A dir pool whose target is a fresh prefixed folder under /var/tmp (made by virStoragePoolBuild)."""

    def __init__(self, parent=POOL_PARENT):
        self.name = naming.unique("pool")
        self.path = os.path.join(parent, self.name)

    def xml(self):
        return xmlbuild.to_xml(xmlbuild.dir_pool(self.name, self.path))


def remove_folder_later(objects, path):
    """Cleanup of a prefixed folder this process may see (the pool's own delete runs first)."""

    def remove():
        if os.path.basename(path).startswith(naming.PREFIX) and os.path.isdir(path):
            shutil.rmtree(path)

    objects.on_cleanup(f"folder {path}", remove)


def make_pool(test, start=True):
    """Define and build a dir pool (started unless start is False); returns (pool, spec)."""
    spec = PoolSpec()
    if hostside.shares_host(test.uri, test.driver):
        remove_folder_later(test.objects, spec.path)
    pool = test.objects.define_pool(spec.xml())
    pool.build(0)
    if start:
        pool.create(0)
    return pool, spec


def create_transient_pool(test):
    """A running transient dir pool whose folder the driver builds; returns (pool, spec)."""
    spec = PoolSpec()
    if hostside.shares_host(test.uri, test.driver):
        remove_folder_later(test.objects, spec.path)
    try:
        pool = test.objects.create_pool(spec.xml(), libvirt.VIR_STORAGE_POOL_CREATE_WITH_BUILD)
    except libvirt.libvirtError as err:
        # Drivers that keep no files (the test driver) refuse the build flag: nothing to build there.
        if not libvirt_errors.unsupported_flags(err):
            raise
        pool = test.objects.create_pool(spec.xml(), 0)
    return pool, spec


def volume_xml(capacity=MIB, fmt="raw", allocation=0, name=None):
    name = name or naming.unique("vol")
    return name, xmlbuild.to_xml(xmlbuild.volume(name, capacity=capacity, fmt=fmt, allocation=allocation))


def make_volume(test, pool, capacity=MIB, fmt="raw", allocation=0):
    _name, xml = volume_xml(capacity, fmt, allocation)
    return test.objects.create_volume(pool, xml)


def volume_format(vol):
    target = xmlsafe.fromstring(vol.XMLDesc(0), "volume XML").find("target/format")
    return None if target is None else target.get("type")


def qemu_img_info(path):
    """qemu-img's own reading of an image file (format, virtual size)."""
    out = subprocess.run(
        ["qemu-img", "info", "--output=json", "-U", path],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    return json.loads(out)


class VolumeContent:
    """Reads and writes a volume's bytes: through its file where this process shares the daemon's
    host, else through virStorageVolUpload/Download (which may be unsupported)."""

    def __init__(self, conn, local):
        self.conn = conn
        self.local = local

    def _file(self, vol):
        path = vol.path()
        return path if self.local and os.path.isfile(path) else None

    def write(self, vol, data, offset=0):
        path = self._file(vol)
        if path is None:
            stream.upload(self.conn, vol, data, offset=offset, length=len(data))
            return
        with open(path, "r+b") as handle:
            handle.seek(offset)
            handle.write(data)
        # The driver caches sizes (wipe covers the cached allocation): tell it the file changed.
        vol.storagePoolLookupByVolume().refresh(0)

    def read(self, vol):
        path = self._file(vol)
        if path is None:
            return stream.download(self.conn, vol)
        with open(path, "rb") as handle:
            return handle.read()


def pool_names(conn, flags):
    return {pool.name() for pool in conn.listAllStoragePools(flags)}


def is_gone(err):
    return err.get_error_code() in (libvirt.VIR_ERR_NO_STORAGE_POOL, libvirt.VIR_ERR_NO_STORAGE_VOL)
