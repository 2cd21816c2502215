"""A synthetic but complete certification job for the offline-mode selftests and benchmark.

make_home() writes a suite home (cfg/profiles/bench.yaml, data/criteria/1.0.yaml, tests/bench/*.py);
make_job() writes a job directory the way a certification run does (results.json, test logs,
cert/environment.json, cert/host-safety.json, and cert/report.json + variants.json from the scorer).
AVOCADO_CERT_HOME must point at the home (use_home() does it for the current process).
"""

import datetime
import json
import os
import random

from avocado_cert.base import paths

TARGET = "test:///default"

CRITERIA = """version: "1.0"
released: 2026-11-27
state: published
capabilities:
  - {id: bench.one, area: bench, title: first, apis: [virConnectOpen], status: required, since: "1.0"}
  - {id: bench.two, area: bench, title: second, apis: [virConnectClose], status: advisory, since: "1.0"}
waivers: []
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)


def use_home(home):
    """Point this process's suite home at home (and forget the cached one)."""
    os.environ[paths.ENV_HOME] = home
    paths.home.cache_clear()


def make_home(home, files=2, tests_per_file=3, variants=2, criteria=CRITERIA):
    arches = "\n".join(f"    a{i}: {{guest_arch: a{i}}}" for i in range(variants))
    write(
        os.path.join(home, "cfg", "profiles", "bench.yaml"),
        f'name: bench\ndescription: benchmark\ncriteria: "1.0"\nareas: [bench]\naxes:\n'
        f'  driver:\n    test: {{uri: "{TARGET}"}}\n  arch:\n{arches}\n',
    )
    write(os.path.join(home, "data", "criteria", "1.0.yaml"), criteria)
    write(os.path.join(home, "data", "releases.yaml"), "releases: []\n")
    for index in range(files):
        methods = "".join(
            f'    def test_{m:02d}(self):\n        """\n        :avocado: tags=api:virConnectOpen\n'
            f'        """\n\n'
            for m in range(tests_per_file)
        )
        write(
            os.path.join(home, "tests", "bench", f"test_{index:04d}.py"),
            "from avocado_cert.testing import CertTest\n\n\n"
            f'class Bench{index}(CertTest):\n    """\n    :avocado: tags=area:bench,cap:bench.one\n'
            f'    """\n\n{methods}',
        )


def make_job(job_dir, fail_rate=0.02, seed=1, statuses=None, drop=0, started=None):
    """Write the job; statuses maps 'rel:Class.method;variant' -> status; drop leaves out results.

    Returns (suite sha256, number of results)."""
    from avocado_cert.offline import suitehash, suiteindex  # pylint: disable=import-outside-toplevel
    from avocado_cert.plan import session  # pylint: disable=import-outside-toplevel
    from avocado_cert.report import jobreport  # pylint: disable=import-outside-toplevel

    plan = session.plan("bench")
    suite, contents = suitehash.snapshot()
    root = suite["root"]
    rng = random.Random(seed)
    entries, expected = [], {}
    number = 0
    for rel in sorted(contents):
        for test, tags in suiteindex.tests_in_source(contents[rel], rel):
            for variant in plan.variants:
                number += 1
                name = f"{root}/{rel}:{test}"
                expected[(name, variant.id)] = {
                    "area": "bench",
                    "caps": ("bench.one",),
                    "apis": ("virConnectOpen",),
                }
                if number <= drop:
                    continue
                logdir = os.path.join(job_dir, "test-results", f"{number:05d}-{rel.replace('/', '_')}_{test}")
                write(os.path.join(logdir, "debug.log"), f"{name}\n" + "log line of the test\n" * 40)
                write(os.path.join(logdir, "whiteboard"), "\n")
                status = (statuses or {}).get(f"{rel}:{test};{variant.id}")
                if status is None:
                    status = "FAIL" if rng.random() < fail_rate else "PASS"
                entries.append(
                    {
                        "id": f"{number}-{name};{variant.id}",
                        "name": f"{name};{variant.id}",
                        "status": status,
                        "fail_reason": "synthetic failure" if status == "FAIL" else "<unknown>",
                        "tags": {k: sorted(v) for k, v in tags.items()},
                        "logdir": logdir,
                        "time_elapsed": 0.01,
                    }
                )
    cert = os.path.join(job_dir, "cert")
    env = {
        "host": {"suite_version": suite["version"], "kernel": "Linux", "machine": "x86_64"},
        "targets": {TARGET: {"uri": TARGET, "driver": "TEST", "host_arch": "i686"}},
    }
    write(os.path.join(cert, "environment.json"), json.dumps(env))
    write(os.path.join(cert, "host-safety.json"), json.dumps({"checked": [], "problems": []}))
    started = started or datetime.datetime.now()
    results = {"job_id": "b" * 40, "start": str(started), "tests": entries, "total": len(entries)}
    write(os.path.join(job_dir, "results.json"), json.dumps(results, indent=4))
    job_info = jobreport.job_info("b" * 40, job_dir, started, 1.0)
    jobreport.produce(job_dir, plan, "bench", entries, expected=expected, job_info=job_info)
    return suite["sha256"], len(entries)
