"""Which virt type boots the guest: KVM where a guest kernel really boots under it, else TCG ('qemu').

/dev/kvm may exist and still not run a guest (a nested, paravirtual device), so the decision is made
by booting the image under KVM with a short timeout. It is cached beside the image, per daemon and
hypervisor version, so only the first run on a host pays for the probe."""

import json
import os
import time

import libvirt

from avocado_cert.base import naming
from avocado_cert.base.datafile import load_json, sha256_bytes
from avocado_cert.guest import cache
from avocado_cert.guest.console import ConsoleError, GuestConsole
from avocado_cert.host import libvirt_errors

KVM = "kvm"
TCG = "qemu"
PROBE_TIMEOUT = 20.0


def _safe(func, default=""):
    try:
        return func()
    except libvirt.libvirtError:
        return default


def decision_path(image, conn, uri):
    """Where the decision for this image on this daemon is kept."""
    key = json.dumps(
        [uri, _safe(conn.getHostname), _safe(conn.getVersion, 0), _safe(conn.getLibVersion, 0)],
        sort_keys=True,
    )
    return os.path.join(image.folder, f"virt-{sha256_bytes(key.encode('utf-8'))[:16]}.json")


def kvm_offered(conn, arch):
    """(True, '') if libvirt offers KVM domains for arch, else (False, why not)."""
    try:
        conn.getDomainCapabilities(None, arch, None, KVM, 0)
    except libvirt.libvirtError as err:
        return False, libvirt_errors.describe(err)
    return True, ""


def probe(conn, uri, image, xml_for, timeout=PROBE_TIMEOUT, log=None):
    """Boot the image under KVM; True if its boot marker appears within timeout seconds.

    xml_for(name, virt_type) gives the probe domain's XML (a transient domain, destroyed after)."""
    name = naming.unique("probe")
    dom = conn.createXML(xml_for(name, KVM), libvirt.VIR_DOMAIN_START_PAUSED)
    console = GuestConsole(uri, name, image.recipe.marker, image.recipe.prompt, log=log)
    try:
        console.attach()
        dom.resume()
        return console.wait_marker(timeout)
    finally:
        console.close()
        try:
            dom.destroy()
        except libvirt.libvirtError as err:
            if err.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
                raise


def choose(conn, uri, image, xml_for, timeout=PROBE_TIMEOUT, log=None):
    """The decision {virt_type, reason, probed_at, probe_seconds} for image on conn, cached."""
    path = decision_path(image, conn, uri)
    with cache.locked(path + ".lock"):
        if os.path.isfile(path):
            decision = load_json(path, "virt type decision")
            if decision.get("virt_type") in (KVM, TCG):
                decision["cached"] = True
                return decision
        started = time.monotonic()
        offered, why = kvm_offered(conn, image.recipe.arch)
        if not offered:
            virt_type, reason = TCG, f"libvirt offers no KVM for {image.recipe.arch}: {why}"
        else:
            try:
                booted = probe(conn, uri, image, xml_for, timeout, log)
            except (libvirt.libvirtError, ConsoleError) as err:
                booted = False
                why = str(err)
            if booted:
                virt_type, reason = KVM, f"the guest booted under KVM within {timeout:g} s"
            else:
                virt_type = TCG
                reason = f"the guest did not boot under KVM within {timeout:g} s" + (
                    f" ({why})" if why else ""
                )
        decision = {
            "virt_type": virt_type,
            "reason": reason,
            "probed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "probe_seconds": round(time.monotonic() - started, 2),
        }
        with open(path, "w", encoding="utf-8") as out:
            json.dump(decision, out, indent=1, sort_keys=True)
        decision["cached"] = False
        return decision
