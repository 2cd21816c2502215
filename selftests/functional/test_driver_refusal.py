"""Profiles of drivers this host lacks refuse `avocado run` before the job starts: exit 2, one line
per target with what libvirt answers for its URI here (measured by the selftest too), and no test,
no job folder. A driver that does answer here is left out: its profile would run."""

import os
import subprocess
import sys

import pytest

from avocado_cert.host import driverprobe
from avocado_cert.plan import profile as profile_mod

REFUSING = [name for name in profile_mod.available() if profile_mod.load(name).refuse_unreachable]


def target(name):
    prof = profile_mod.load(name)
    (params,) = prof.axes["driver"].values()
    return params["uri"]


def test_the_matrix_rows_that_cannot_run_here_have_refusing_profiles():
    assert {"xen", "hyperv", "vbox"} <= set(REFUSING)


def test_refused_before_any_test_with_the_measured_reason(tmp_path):
    answers = {name: driverprobe.probe(target(name)) for name in REFUSING}
    refused = [name for name, answer in answers.items() if not answer["answered"]]
    if not refused:
        pytest.skip("every refusing profile's driver answers on this host")
    results = tmp_path / "results"
    avocado = os.path.join(os.path.dirname(sys.executable), "avocado")
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    argv = [avocado, "run", "--job-results-dir", str(results), "--cert-profile", ",".join(refused)]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 2, run.stdout + run.stderr
    said = [
        line for line in (run.stdout + run.stderr).splitlines() if "is not available on this host" in line
    ]
    assert len(said) == len(refused), said
    for name, line in zip(refused, said):
        answer = answers[name]
        assert line.startswith(f"avocado-cert: profile {name}: {answer['uri']} ")
        assert f": {answer['message']} ({answer['code']})" in line
    assert "Traceback" not in run.stderr
    assert not results.exists() or not list(results.iterdir()), "a job was started"


def test_list_still_shows_what_a_refusing_profile_would_run():
    avocado = os.path.join(os.path.dirname(sys.executable), "avocado")
    run = subprocess.run([avocado, "list", "--cert-profile", REFUSING[0]], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "tests/domain/" in run.stdout
