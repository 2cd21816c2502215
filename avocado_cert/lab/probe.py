"""What a lab host is, read from libvirt itself and the OS (run on the lab host, or by an
administrator through a remote URI): the inventory `avocado cert lab register` records."""

import os
import socket

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.host import connect, environment, libvirt_errors

# (driver, the call that answers VIR_ERR_NO_SUPPORT when the connection lacks it)
SUBDRIVERS = (
    ("domain", lambda c: c.listAllDomains(0)),
    ("network", lambda c: c.listAllNetworks(0)),
    ("storage", lambda c: c.listAllStoragePools(0)),
    ("nodedev", lambda c: c.listAllDevices(0)),
    ("interface", lambda c: c.listAllInterfaces(0)),
    ("secret", lambda c: c.listAllSecrets(0)),
    ("nwfilter", lambda c: c.listAllNWFilters(0)),
)


def _attr(element, name):
    return int(element.get(name, "0")) if element is not None else 0


def _accel(caps):
    types = {d.get("type") for d in caps.findall("guest/arch/domain")}
    if "kvm" in types:
        return "kvm"
    return "tcg" if "qemu" in types else "none"


def _reachable(conn):
    found = []
    for name, call in SUBDRIVERS:
        try:
            call(conn)
        except libvirt.libvirtError:
            continue
        found.append(name)
    return found


def _node_devices(conn):
    counts = {}
    try:
        devices = conn.listAllDevices(0)
    except libvirt.libvirtError:
        return counts
    for device in devices:
        for cap in device.listCaps():
            counts[cap] = counts.get(cap, 0) + 1
    return dict(sorted(counts.items()))


def _storage_backends(conn):
    try:
        xml = conn.getStoragePoolCapabilities(0)
    except libvirt.libvirtError:
        return []
    doc = xmlsafe.fromstring(xml)
    return sorted(p.get("type") for p in doc.findall("pool") if p.get("supported") == "yes")


def _listed(call):
    try:
        return call()
    except libvirt.libvirtError:
        return []


def _local(uri):
    rest = uri.partition("://")[2]
    return not rest or rest.startswith("/")


def _hostname(conn):
    try:
        return conn.getHostname()
    except libvirt.libvirtError:
        return ""


def _os_release():
    try:
        with open("/etc/os-release", encoding="utf-8") as src:
            for line in src:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return ""


def inventory(name, uri):
    """The inventory document of the host behind uri."""
    libvirt_errors.quiet()
    conn = connect.open_uri(uri, readonly=True)
    try:
        caps = xmlsafe.fromstring(conn.getCapabilities())
        cpu = caps.find("host/cpu")
        topology = cpu.find("topology") if cpu is not None else None
        info = conn.getInfo()
        cells = caps.find("host/topology/cells")
        networks = _listed(lambda: conn.listAllNetworks(0))
        transport = connect.transport_of(uri) or "local"
        return {
            "name": name,
            "uri": uri,
            "uris": [uri],
            "hostname": _hostname(conn) or socket.gethostname(),
            "arch": caps.findtext("host/cpu/arch") or "",
            "driver": conn.getType(),
            "drivers": [conn.getType().lower()],
            "accel": _accel(caps),
            "cpu": {
                "model": caps.findtext("host/cpu/model") or info[0],
                "vendor": caps.findtext("host/cpu/vendor") or "",
                "sockets": _attr(topology, "sockets") or info[5],
                "cores": _attr(topology, "cores") or info[6],
                "threads": _attr(topology, "threads") or info[7],
                "cpus": info[2],
                "mhz": info[3],
            },
            "memory_kib": info[1] * 1024,
            "numa_cells": _attr(cells, "num") or info[4],
            "node_devices": _node_devices(conn),
            "storage_backends": _storage_backends(conn),
            "networks": sorted(n.name() for n in networks or []),
            "subdrivers": _reachable(conn),
            "versions": {
                "libvirt": environment.version_string(libvirt.getVersion()),
                "daemon": environment.version_string(conn.getLibVersion()),
                "hypervisor": environment.version_string(conn.getVersion()),
            },
            "transports": [transport],
            # The OS is read where register runs: the host's own only for a local URI.
            "os": {"kernel": " ".join(os.uname()[::2]), "release": _os_release()} if _local(uri) else {},
        }
    finally:
        conn.close()
