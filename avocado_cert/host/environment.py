"""The environment of a certification run: versions, hypervisor, host arch and capabilities."""

import os
import platform

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.version import VERSION


def version_string(number):
    """libvirt's packed version (major * 1,000,000 + minor * 1,000 + release) as text."""
    if not number or number < 0:
        return ""
    return f"{number // 1000000}.{number // 1000 % 1000}.{number % 1000}"


def _call(func, default=None):
    try:
        return func()
    except libvirt.libvirtError:
        return default


def describe(conn, uri):
    """What a report records of the target: library, daemon and hypervisor versions, arch, caps."""
    caps_xml = _call(conn.getCapabilities, "")
    host_arch = ""
    secmodels = []
    if caps_xml:
        caps = xmlsafe.fromstring(caps_xml)
        host_arch = caps.findtext("host/cpu/arch") or ""
        secmodels = [m.findtext("model") for m in caps.findall("host/secmodel")]
    info = _call(conn.getInfo, [])
    return {
        "uri": uri,
        "canonical_uri": _call(conn.getURI, uri),
        "driver": _call(conn.getType, ""),
        "hypervisor_version": version_string(_call(conn.getVersion, 0)),
        "libvirt_daemon_version": version_string(_call(conn.getLibVersion, 0)),
        "libvirt_library_version": version_string(libvirt.getVersion()),
        "libvirt_python_version": getattr(libvirt, "__version__", "") or "",
        "hostname": _call(conn.getHostname, ""),
        "host_arch": host_arch,
        "security_models": [m for m in secmodels if m],
        "node_info": {"model": info[0], "memory_mib": info[1], "cpus": info[2]} if info else {},
        "is_secure": _call(conn.isSecure, -1),
        "is_encrypted": _call(conn.isEncrypted, -1),
        "capabilities_xml": caps_xml,
    }


def host():
    """The machine running the suite (not necessarily the libvirt host, for remote URIs)."""
    uname = os.uname()
    return {
        "kernel": f"{uname.sysname} {uname.release}",
        "machine": uname.machine,
        "python": platform.python_version(),
        "suite_version": VERSION,
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model(),
        "load_average": load_average(),
    }


def cpu_model(cpuinfo="/proc/cpuinfo"):
    """The host CPU's model name (the first processor's), or the machine type where it is not told."""
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as stream:
            for line in stream:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "cpu model", "Model", "cpu"):
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average():
    """The 1, 5 and 15 minute load averages when the environment was recorded (timings depend on it)."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return []


def element_text(xml, path):
    if not xml:
        return ""
    return xmlsafe.fromstring(xml).findtext(path) or ""
