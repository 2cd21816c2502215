#!/usr/bin/env python3
"""Migration of the certification guest (debian-tiny, TCG) between the two libvirt hosts of
scripts/migration-host.sh: median total time and downtime of live (pre-copy) and post-copy migration.

    python benchmarks/migration.py [--runs N]

One guest boots on the source with a counter running on its console, then moves back and forth
(peer-to-peer, each daemon reaching the other over the veth pair), N times live and N times post-copy;
the downtime is QEMU's, from the completed job's statistics. The guest's counter is checked at the end.
Starts the two hosts (own root folder) and stops them after.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import libvirt  # noqa: E402  pylint: disable=wrong-import-position

from avocado_cert.base import naming, xmlbuild  # noqa: E402  pylint: disable=wrong-import-position
from avocado_cert.guest import variant  # noqa: E402  pylint: disable=wrong-import-position
from avocado_cert.guest.console import GuestConsole  # noqa: E402  pylint: disable=wrong-import-position
from avocado_cert.host import libvirt_errors  # noqa: E402  pylint: disable=wrong-import-position

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = "/tmp/acert-migration-bench"
PEER = {"src": "qemu+tcp://10.213.0.2/system", "dst": "qemu+tcp://10.213.0.1/system"}
COUNTER = "(i=0; while true; do i=$((i+1)); echo $i > /tmp/c; sleep 0.1; done) >/dev/null 2>&1 &"
FLAGS = libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_PEER2PEER


def uri(side):
    return f"qemu+unix:///system?socket={ROOT}/{side}/sock/libvirt-sock"


def hosts(action):
    env = dict(os.environ, AVOCADO_CERT_MIGRATION_ROOT=ROOT)
    subprocess.run(["bash", os.path.join(TOP, "scripts", "migration-host.sh"), action], env=env, check=True)


def migrate(dom, side, postcopy):
    """Migrate dom away from side; return the total time in seconds."""
    started = time.perf_counter()
    if not postcopy:
        dom.migrateToURI3(PEER[side], {}, FLAGS)
    else:
        done = {}

        def run():
            try:
                done["result"] = dom.migrateToURI3(PEER[side], {}, FLAGS | libvirt.VIR_MIGRATE_POSTCOPY)
            except libvirt.libvirtError as err:
                done["error"] = err

        thread = threading.Thread(target=run)
        thread.start()
        switched = False
        while thread.is_alive():  # switch to post-copy once memory moves
            if not switched:
                try:
                    if dom.jobStats(0).get("memory_processed", 0) > 0:
                        dom.migrateStartPostCopy(0)
                        switched = True
                except libvirt.libvirtError:
                    pass
            time.sleep(0.01)
        thread.join()
        if "error" in done:
            raise done["error"]
        if not switched:
            raise RuntimeError("the migration ended before it could be switched to post-copy")
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    libvirt_errors.quiet()
    hosts("start")
    conns = {side: libvirt.open(uri(side)) for side in ("src", "dst")}
    params = variant.resolve(
        {"uri": uri("src"), "guest": "debian-tiny", "domain_type": "qemu", "guest_arch": "x86_64"}
    )
    image = variant.image_for(params)
    name = naming.unique("dom")
    try:
        dom = conns["src"].createXML(
            xmlbuild.to_xml(xmlbuild.domain(params, name)), libvirt.VIR_DOMAIN_START_PAUSED
        )
        console = GuestConsole(uri("src"), name, image.recipe.marker, image.recipe.prompt)
        console.attach()
        dom.resume()
        console.wait_boot(300)
        console.check(COUNTER)
        console.close()
        figures = {}
        side = "src"
        for mode in ("live", "post-copy"):
            totals, downtimes = [], []
            for _ in range(args.runs):
                total = migrate(dom, side, mode == "post-copy")
                side = "dst" if side == "src" else "src"
                dom = conns[side].lookupByName(name)
                stats = dom.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED)
                totals.append(total * 1000)
                if "downtime" in stats:  # QEMU's figure; a run without one is left out and counted
                    downtimes.append(stats["downtime"])
            median_downtime = statistics.median(downtimes) if downtimes else float("nan")
            figures[mode] = (statistics.median(totals), median_downtime, totals, downtimes)
        console = GuestConsole(uri(side), name, image.recipe.marker, image.recipe.prompt)
        console.attach()
        counter = int(console.check("cat /tmp/c").split()[-1])
        console.close()
        for mode, (total, downtime, totals, downtimes) in figures.items():
            print(
                f"{mode:9s} migration of debian-tiny (TCG, {params['guest_memory_kib'] // 1024} MiB): "
                f"median total {total:.0f} ms over {args.runs} runs, median downtime {downtime:.0f} ms over the "
                f"{len(downtimes)} that reported one "
                f"(totals {[round(t) for t in totals]}, downtimes {[round(d) for d in downtimes]})"
            )
        print(f"the guest's counter after {2 * args.runs} migrations: {counter} (still counting)")
    finally:
        for conn in conns.values():
            try:
                conn.lookupByName(name).destroy()
            except libvirt.libvirtError:
                pass
            conn.close()
        hosts("stop")


if __name__ == "__main__":
    main()
