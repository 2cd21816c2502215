"""The fork server spawner gives the same outcomes as Avocado's process spawner, and leaves no process."""

import json
import os
import subprocess

from selftests.conftest import avocado, write

TESTS = """
import os

from avocado import Test


class Outcomes(Test):
    def test_pass(self):
        self.assertTrue(os.environ.get("AVOCADO_VERSION"))

    def test_fail(self):
        self.fail("deliberately")

    def test_error(self):
        raise RuntimeError("deliberately")

    def test_cancel(self):
        self.cancel("deliberately")
"""


def outcomes(results_dir):
    with open(os.path.join(results_dir, "latest", "results.json"), encoding="utf-8") as src:
        return {t["id"].split(":")[-1]: t["status"] for t in json.load(src)["tests"]}


def servers(marker):
    """Fork servers still running with the marker in their environment (so other jobs do not count)."""
    out = subprocess.run(
        ["pgrep", "-f", "avocado_cert.framework.forkserver"], capture_output=True, text=True, check=False
    )
    found = set()
    for pid in out.stdout.split():
        try:
            with open(f"/proc/{pid}/environ", "rb") as src:
                if marker.encode() in src.read():
                    found.add(pid)
        except OSError:
            continue
    return found


def test_same_outcomes_as_process_spawner(tmp_path):
    path = write(tmp_path / "test_outcomes.py", TESTS)
    marker = f"ACERT_SELFTEST_{os.getpid()}=1"
    got = {}
    for spawner in ("process", "forkserver"):
        results = str(tmp_path / spawner)
        avocado(
            "run",
            "--spawner",
            spawner,
            "--job-results-dir",
            results,
            "--max-parallel-tasks",
            "2",
            path,
            env={marker.split("=")[0]: "1"},
        )
        got[spawner] = outcomes(results)
    assert got["forkserver"] == got["process"]
    assert got["forkserver"]["Outcomes.test_pass"] == "PASS"
    assert got["forkserver"]["Outcomes.test_fail"] == "FAIL"
    assert got["forkserver"]["Outcomes.test_cancel"] == "CANCEL"
    assert not servers(marker), "a fork server outlived its job"
