"""The script parts of the CI/CD examples in docs/ci run as documented, and leave the artifacts."""

import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

from selftests.conftest import TOP, write

PROFILE = """
name: ci
description: a small profile for the CI examples
criteria: "1.0"
tests: [host/test_connection.py]
axes:
  driver:
    test: {uri: "test:///default", domain_type: test}
"""


def gitlab_script():
    with open(os.path.join(TOP, "docs", "ci", "gitlab-ci.yml"), encoding="utf-8") as src:
        return "\n".join(yaml.safe_load(src)["certify"]["script"])


def github_script():
    with open(os.path.join(TOP, "docs", "ci", "github-actions.yml"), encoding="utf-8") as src:
        steps = yaml.safe_load(src)["jobs"]["certify"]["steps"]
    return next(step["run"] for step in steps if step.get("name") == "certify and bundle")


def ready_checkout(tmp_path):
    """A folder where the examples' `make setup` finds the set-up already done: the Makefile and what it
    depends on, and a VENV whose bin/ is this environment's (so nothing is reinstalled or re-pointed)."""
    work = tmp_path / "checkout"
    for name in ("Makefile", "setup.py", os.path.join("scripts", "setup.sh")):
        os.makedirs(work / os.path.dirname(name), exist_ok=True)
        shutil.copy2(os.path.join(TOP, name), work / name)
    venv = tmp_path / "venv"
    venv.mkdir()
    os.symlink(os.path.dirname(sys.executable), venv / "bin")
    (venv / ".avocado-cert-setup").touch()
    return work, venv


ORIGIN = {"CERT_VENDOR": "acme", "CERT_PRODUCT": "virt-stack", "CERT_PRODUCT_VERSION": "1.0"}


@pytest.mark.parametrize("script", [gitlab_script, github_script], ids=["gitlab", "github"])
def test_ci_example_script(tmp_path, script):
    work, venv = ready_checkout(tmp_path)
    profile = write(tmp_path / "ci.yaml", PROFILE)
    env = dict(os.environ, CERT_PROFILE=profile, VENV=str(venv), **ORIGIN)
    env.pop("CERT_SIGNING_KEY", None)
    proc = subprocess.run(
        ["bash", "-e", "-c", script()],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert "bash scripts/setup.sh" not in proc.stdout, "make setup must find the set-up done"
    assert proc.returncode in (0, 1, 3), proc.stdout[-2000:] + proc.stderr[-2000:]
    artifacts = work / "cert-artifacts"
    with open(artifacts / "report.json", encoding="utf-8") as src:
        assert json.load(src)["verdict"] in ("CERTIFIED", "NOT CERTIFIED", "INCOMPLETE")
    assert (artifacts / "junit.xml").read_text().startswith("<?xml")
    with tarfile.open(artifacts / "certification.tar.gz") as bundle:
        assert any(name.endswith("report.json") for name in bundle.getnames())
        manifest = json.load(bundle.extractfile("MANIFEST.json"))
    assert manifest["origin"] == {
        "vendor": "acme",
        "product": "virt-stack",
        "version": "1.0",
        "mode": "offline",
    }
    assert not (artifacts / "signing.key").exists(), "the key must not be left among the artifacts"
