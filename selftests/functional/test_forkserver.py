"""The fork server spawner gives the same outcomes as Avocado's process spawner, and leaves no process."""

import glob
import json
import os
import re
import subprocess
import sys

from selftests.conftest import BIN, avocado, write

TESTS = """
import os

from avocado import Test

LINES = 300


class Outcomes(Test):
    def test_pass(self):
        self.assertTrue(os.environ.get("AVOCADO_VERSION"))
        for line in range(LINES):
            self.log.info("line %d of %d", line, LINES)

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
        # every log line of a test reaches its debug.log, in order, however fast it was logged
        (log,) = glob.glob(os.path.join(results, "latest", "test-results", "*test_pass*", "debug.log"))
        with open(log, encoding="utf-8") as src:
            lines = re.findall(r"line (\d+) of 300", src.read())
        assert lines == [str(n) for n in range(300)], f"{spawner}: {len(lines)} of 300 lines, or out of order"
    assert got["forkserver"] == got["process"]
    assert got["forkserver"]["Outcomes.test_pass"] == "PASS"
    assert got["forkserver"]["Outcomes.test_fail"] == "FAIL"
    assert got["forkserver"]["Outcomes.test_cancel"] == "CANCEL"
    assert not servers(marker), "a fork server outlived its job"


FORKED_PROBE = """
import json
import os
import sys

from avocado import Test


class Probe(Test):
    def test_served_by_fork(self):
        server = sys.modules.get("avocado_cert.framework.forkserver")
        forked_from = getattr(server, "FORKED_FROM", None)
        cmdline = ""
        if forked_from:
            with open(f"/proc/{forked_from}/cmdline", "rb") as src:
                cmdline = src.read().decode().replace("\\0", " ")
        seen = {"argv0": sys.argv[0], "forked_from": forked_from, "server": cmdline}
        with open(os.environ["ACERT_FORK_PROBE"], "w", encoding="utf-8") as out:
            json.dump(seen, out)
"""


def _probe(tmp_path, path_env, label):
    """Run the probe test on the fork server with PATH as given; what the runner process saw."""
    test = write(tmp_path / "test_probe.py", FORKED_PROBE)
    probe = str(tmp_path / f"{label}.json")
    env = dict(os.environ, PATH=path_env, ACERT_FORK_PROBE=probe)
    proc = subprocess.run(
        [os.path.join(BIN, "avocado"), "run", "--spawner", "forkserver", "--disable-sysinfo"]
        + ["--job-results-dir", str(tmp_path / label), test],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    with open(probe, encoding="utf-8") as src:
        return json.load(src)


def test_runner_served_by_fork_with_or_without_venv_on_path(tmp_path):
    """Avocado names the runner `avocado-runner-KIND` when the virtualenv's bin is on PATH and
    `python -m MODULE` when not: both must be forked from the server, never exec'd."""
    path = os.environ.get("PATH", "")
    without = os.pathsep.join(d for d in path.split(os.pathsep) if os.path.abspath(d or ".") != BIN)
    with_venv = _probe(tmp_path, BIN + os.pathsep + path, "on-path")
    assert os.path.basename(with_venv["argv0"]) == "avocado-runner-avocado-instrumented"
    plain = _probe(tmp_path, without or "/usr/bin:/bin", "off-path")
    assert plain["argv0"].endswith(os.path.join("runners", "avocado_instrumented.py")), plain
    for seen in (with_venv, plain):
        assert seen["forked_from"], f"the runner {seen['argv0']} was exec'd, not forked"
        assert "avocado_cert.framework.forkserver" in seen["server"], seen


def test_python_module_form_is_this_interpreter_only():
    from avocado_cert.framework import forkserver  # pylint: disable=import-outside-toplevel

    forkserver.preload()
    runner, argv = forkserver.in_process([sys.executable, "-m", "avocado.plugins.runners.noop", "x"], {})
    assert argv == ["avocado.plugins.runners.noop", "x"] and callable(runner)
    runner, argv = forkserver.in_process(["avocado-runner-noop", "x"], {})
    assert argv == ["avocado-runner-noop", "x"] and callable(runner)
    # another interpreter (not this virtualenv's) has another sys.path: exec'd, not served
    assert forkserver.in_process(["/usr/bin/python3", "-m", "avocado.plugins.runners.noop"], {}) is None
    assert forkserver.in_process(["python3", "-m", "x"], {"PATH": "/nonexistent"}) is None
    assert forkserver.in_process(["/bin/true"], {}) is None
