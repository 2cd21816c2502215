"""Shared fixtures of the selftests."""

import datetime
import os
import subprocess
import sys
import textwrap

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)


def write(path, text):
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        out.write(textwrap.dedent(text).lstrip())
    return str(path)


def avocado(*args, cwd=None, timeout=600, env=None):
    """Run the avocado of this virtualenv; return the CompletedProcess (text)."""
    full_env = dict(os.environ)
    full_env["PATH"] = BIN + os.pathsep + full_env.get("PATH", "")
    full_env.update(env or {})
    return subprocess.run(
        [os.path.join(BIN, "avocado"), *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def today():
    return datetime.date(2026, 11, 27)


@pytest.fixture
def results_dir(tmp_path):
    path = tmp_path / "job-results"
    path.mkdir()
    return str(path)
