"""`make lab-demo`: the community's lab on one machine, to try centralized mode.

Starts the catalog on a throwaway PostgreSQL (the task queue lives in the same database), two lab
hosts (libvirt's test driver, and a real libvirtd of its own in private namespaces under
/tmp/acert-lab-libvirtd), registers them from libvirt with `avocado cert lab register`, starts one
`avocado cert lab worker` per host, files a certification request per host, waits for both
certifications to appear in the catalog and prints its URL. It then serves until Ctrl-C (--exit:
stop at once). Needs root (the private daemon's namespaces) and PostgreSQL's server programs."""

import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

# pylint: disable=wrong-import-position
from selftests.functional import catalog_env, lab_env  # noqa: E402
from selftests.functional.private_libvirtd import PrivateLibvirtd, available  # noqa: E402

ROOT = "/tmp/acert-lab-libvirtd"  # the demo's own daemon, apart from the selftests' private one
TEST_HOST, QEMU_HOST = "lab-test-1", "lab-qemu-1"


def profiles(qemu_uri):
    test = lab_env.LAB_PROFILE.format(
        name="lab-test", driver="test", uri="test:///default", domain_type="test", arch="i686"
    )
    qemu = lab_env.LAB_PROFILE.format(
        name="lab-qemu", driver="qemu", uri=qemu_uri, domain_type="qemu", arch="x86_64"
    )
    return [("lab-test", test), ("lab-qemu", qemu.replace("host: none", "host: libvirtd"))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exit", action="store_true", help="Stop everything once the certifications are in")
    parser.add_argument("--timeout", type=float, default=900, help="Seconds to wait for the certifications")
    args = parser.parse_args()
    bindir = catalog_env.postgres_bin()
    if bindir is None:
        sys.exit("lab-demo: PostgreSQL's server programs are missing: apt-get install postgresql")
    why = available()
    if why:
        sys.exit(f"lab-demo: no private libvirtd here: {why}")
    cluster = catalog_env.Postgres(bindir).start()
    daemon = PrivateLibvirtd(root=ROOT)
    lab = None
    try:
        print("starting a private libvirtd (the first start probes QEMU for a few seconds) ...", flush=True)
        daemon.start()
        lab = lab_env.Lab(tempfile.mkdtemp(prefix="acert-lab-demo-"), cluster.new_database(), frozen=False)
        lab.start(profiles(daemon.uri))
        lab.register(TEST_HOST, "test:///default")
        lab.register(QEMU_HOST, daemon.uri)
        for host in (TEST_HOST, QEMU_HOST):
            lab.start_worker(host)
        ids = []
        for profile, arch in (("lab-test", "i686"), ("lab-qemu", "x86_64")):
            status, answer = lab.file(
                "acme", profile, version="1.0" if arch == "i686" else "1.0-kvm", arch=arch
            )
            if status != 201:
                sys.exit(f"lab-demo: the request was refused ({status}): {answer}")
            print(f"request {answer['id']}: {profile} on {answer['host']}", flush=True)
            ids.append(answer["id"])
        started = time.monotonic()
        found = lab.wait(ids, timeout=args.timeout)
        for req in found.values():
            where = (
                f"{lab.server.url}/certifications/{req['certification']}"
                if req["certification"]
                else req["reason"]
            )
            print(f"request {req['id']} on {req['host']}: {req['state']} ({where})", flush=True)
        print(f"certified in {time.monotonic() - started:.0f} s; the catalog: {lab.server.url}/  the lab: "
              f"{lab.server.url}/lab  requests: {lab.server.url}/lab/requests", flush=True)  # fmt: skip
        print(f"lab operator token: {lab.tokens['admin']}", flush=True)
        if not args.exit:
            print("serving until Ctrl-C ...", flush=True)
            while True:
                time.sleep(3600)
        return 0 if all(req["state"] == "done" for req in found.values()) else 1
    except KeyboardInterrupt:
        return 0
    finally:
        if lab is not None:
            lab.stop()
        daemon.stop()
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
