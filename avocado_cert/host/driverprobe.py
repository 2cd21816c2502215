"""Whether a libvirt driver answers on this host, measured: a connection is opened to the URI and
what libvirt said is kept. Profiles of drivers that need a particular host (Xen dom0, Hyper-V, ...)
refuse a run with that answer before any test; the driver matrix reports it for every row."""

import json
import subprocess
import sys

import libvirt

from avocado_cert.host import connect, libvirt_errors

# libvirt's answers that say the driver itself is missing from this libvirt (not built, not loaded).
MISSING_DRIVER = (libvirt.VIR_ERR_NO_CONNECT, libvirt.VIR_ERR_CONFIG_UNSUPPORTED)


def probe(uri):
    """{"uri", "answered", "code", "message"}: what opening uri gave, right now."""
    libvirt_errors.quiet()
    try:
        conn = connect.open_uri(uri)
    except libvirt.libvirtError as err:
        return {
            "uri": uri,
            "answered": False,
            "code": libvirt_errors.code_name(err.get_error_code()),
            "driver_missing": err.get_error_code() in MISSING_DRIVER,
            "message": err.get_error_message() or "",
        }
    try:
        return {"uri": uri, "answered": True, "code": "", "driver_missing": False, "message": conn.getType()}
    finally:
        conn.close()


def _probe_here(targets):
    answers = {}
    out = []
    for name, uri in targets:
        if uri not in answers:
            answers[uri] = probe(uri)
        out.append(dict(answers[uri], profile=name))
    return out


def probe_all(targets, timeout=120):
    """[probe + {"profile"}] for each (profile, uri) of targets, one open per distinct URI. In a child
    process: client drivers (esx) log warnings on stderr, and a hung connection must not hang the job."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", __name__],
            input=json.dumps(targets),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
        return json.loads(done.stdout)
    except (subprocess.SubprocessError, ValueError) as details:
        return [
            {
                "profile": name,
                "uri": uri,
                "answered": False,
                "code": "",
                "driver_missing": False,
                "message": f"not measured: the probe failed ({details})",
            }
            for name, uri in targets
        ]


def refusals(plan):
    """One line per target of a refusing profile (refuse_unreachable: true) that does not answer."""
    lines = []
    for prof in plan.profiles:
        if not getattr(prof, "refuse_unreachable", False):
            continue
        uris = []
        for variant in plan.variants:
            uri = variant.params.get("uri")
            if variant.profile == prof.name and uri and uri not in uris:
                uris.append(uri)
        for uri in uris:
            answer = probe(uri)
            if not answer["answered"]:
                lines.append(
                    f"profile {prof.name}: {uri} is not available on this host: {answer['message']}"
                    f" ({answer['code']}); see docs/drivers.md for the host it needs"
                )
    return lines


if __name__ == "__main__":
    json.dump(_probe_here(json.load(sys.stdin)), sys.stdout)
