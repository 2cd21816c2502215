"""Disks on vSphere datastores: a host powers a VMware domain on only if the disk files it names exist,
so the factory creates each "[datastore] folder/file.vmdk" a domain names through the driver's own
storage API (the datastore is a pool, the file a volume) before it defines the domain."""

import re

import libvirt

from avocado_cert.base import xmlbuild, xmlsafe

DATASTORE_PATH = re.compile(r"^\[(?P<datastore>[^\]]+)\] (?P<path>.+\.vmdk)$")
DISK_BYTES = 1 << 20
# The datastore cannot be used as a pool (another driver, or no storage driver): nothing to create.
_NO_POOL = (
    libvirt.VIR_ERR_NO_STORAGE_POOL,
    libvirt.VIR_ERR_NO_SUPPORT,
    libvirt.VIR_ERR_OPERATION_UNSUPPORTED,
)


def disk_paths(xml):
    """(datastore, path in it) of each file-based disk the domain XML names on a datastore."""
    root = xmlsafe.fromstring(xml)
    found = []
    for source in root.findall("devices/disk[@device='disk']/source"):
        match = DATASTORE_PATH.match(source.get("file") or "")
        if match:
            found.append((match.group("datastore"), match.group("path")))
    return found


def create_disks(conn, xml, on_cleanup, log):
    """Create the datastore disks xml names that do not exist yet; each is deleted at cleanup."""
    for datastore, path in disk_paths(xml):
        try:
            pool = conn.storagePoolLookupByName(datastore)
        except libvirt.libvirtError as err:
            if err.get_error_code() in _NO_POOL:
                return
            raise
        spec = xmlbuild.to_xml(xmlbuild.volume(path, capacity=DISK_BYTES, fmt="vmdk"))
        try:
            volume = pool.createXML(spec, 0)
        except libvirt.libvirtError:
            # A folder that does not exist cannot be searched: look the disk up only when it is refused.
            if _exists(conn, f"[{datastore}] {path}"):
                continue  # defined again under the same name: created (and to be removed) the first time
            raise
        log.info("created disk [%s] %s", datastore, path)
        on_cleanup(f"disk [{datastore}] {path}", _delete, volume)


def _exists(conn, datastore_path):
    try:
        conn.storageVolLookupByPath(datastore_path)
    except libvirt.libvirtError:
        return False
    return True


def _delete(volume):
    try:
        volume.delete(0)
    except libvirt.libvirtError as err:
        if err.get_error_code() != libvirt.VIR_ERR_NO_STORAGE_VOL:
            raise
