"""Offline mode end to end: a real `avocado run --cert-profile test` job, bundled, verified, tampered
with, fed bad input, reproduced and compared, through the `avocado cert` commands.

The jobs run on a snapshot of this tree's cfg/, data/ and tests/ (AVOCADO_CERT_HOME), so that edits
made to the working tree while the selftests run cannot change the suite under the job's feet.
"""

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tarfile

import pytest

from avocado_cert.offline import bundle, safetar, signing, suitehash, verify
from selftests.conftest import TOP, avocado, write

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("home"))
    for top in ("cfg", "data", "tests"):
        shutil.copytree(
            os.path.join(TOP, top), os.path.join(path, top), ignore=shutil.ignore_patterns("__pycache__")
        )
    return path


def cert(home, *args, cwd=None, timeout=600):
    # Its own state folder: `bundle latest` finds this module's last run, not another user's.
    env = {"AVOCADO_CERT_HOME": home, "XDG_STATE_HOME": os.path.join(home, "state")}
    return avocado(*args, cwd=cwd, timeout=timeout, env=env)


def assert_clean_failure(done, message):
    """A non-zero exit, no traceback, and one line naming the problem."""
    text = done.stdout + done.stderr
    assert done.returncode != 0, text
    assert "Traceback" not in text, text
    lines = [line for line in done.stderr.splitlines() if line.startswith("avocado cert ")]
    assert len(lines) == 1 and message in lines[0], text


@pytest.fixture(scope="module")
def keys(home, tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    for name in ("vendor", "other"):
        done = cert(home, "cert", "keygen", "-o", str(folder / name))
        assert done.returncode == 0, done.stderr
    return {name: str(folder / name) for name in ("vendor", "other")}


@pytest.fixture(scope="module")
def cert_job(home, tmp_path_factory):
    results = tmp_path_factory.mktemp("job-results")
    done = cert(home, "run", "--cert-profile", "test", "--job-results-dir", str(results), timeout=900)
    job_dir = os.path.realpath(os.path.join(results, "latest"))
    assert os.path.isfile(os.path.join(job_dir, "cert", "report.json")), done.stdout + done.stderr
    return job_dir


@pytest.fixture(scope="module")
def releases(home, tmp_path_factory):
    """A release list made for the test: this snapshot's suite, as if it had been released."""
    sha = suitehash.snapshot(os.path.join(home, "tests"))[0]["sha256"]
    return write(
        tmp_path_factory.mktemp("rel") / "releases.yaml",
        f'releases:\n  - {{version: "0.1.0", sha256: {sha}}}\n',
    )


@pytest.fixture(scope="module")
def signed(home, keys, cert_job, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("bundle") / "job.tar.gz")
    done = cert(home, "cert", "bundle", cert_job, "--key", keys["vendor"], "-o", out)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def verify_cli(home, path, pubkey, releases=None, *extra):
    args = ["cert", "verify", path, "--pubkey", pubkey, *extra]
    if releases:
        args += ["--releases", releases]
    return cert(home, *args)


# --- round trip --------------------------------------------------------------------------------


def test_round_trip_verifies(home, keys, signed, releases):
    done = verify_cli(home, signed, keys["vendor"] + ".pub", releases)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"VERIFIED: all {len(verify.RULES)} rules passed" in done.stdout
    machine = json.loads(verify_cli(home, signed, keys["vendor"] + ".pub", releases, "--json").stdout)
    assert machine["ok"] is True and all(rule["passed"] for rule in machine["rules"])


def test_a_development_suite_fails_the_suite_rule(home, keys, signed):
    done = verify_cli(home, signed, keys["vendor"] + ".pub")
    assert done.returncode == 1
    assert "FAIL  suite" in done.stdout and "is not a released suite" in done.stdout
    assert "NOT VERIFIED: 1 rule(s) failed: suite" in done.stdout


def test_bundle_latest(home, keys, cert_job, tmp_path):
    config = write(tmp_path / "avocado.conf", f"[datadir.paths]\nlogs_dir = {os.path.dirname(cert_job)}\n")
    out = str(tmp_path / "latest.tar.gz")
    done = cert(home, "--config", config, "cert", "bundle", "latest", "--key", keys["vendor"], "-o", out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"job {open(os.path.join(cert_job, 'id'), encoding='ascii').read().strip()[:12]}" in done.stdout


# --- tampering -----------------------------------------------------------------------------------


def contents(path):
    members, kept = safetar.scan(path, keep=lambda name: True)
    return {name: kept[name] for name in members}


def _block(name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape") + data + bytes(-len(data) % 512)


def repack(files, path, blocks=None):
    """Write files ({name: bytes}) as a tar.gz the way any tool would (Python's tarfile headers).

    blocks caches each member's tar block, so a matrix of one-file changes does not rebuild the rest;
    the gzip stream is stored (level 0): the reader's work is the same, the test's is less."""
    out = []
    for name, data in files.items():
        block = blocks.get((name, len(data))) if blocks is not None else None
        if block is None or block[1] != data:
            block = (_block(name, data), data)
            if blocks is not None:
                blocks[(name, len(data))] = block
        out.append(block[0])
    with open(path, "wb") as stream:
        stream.write(gzip.compress(b"".join(out) + bytes(1024), compresslevel=0))
    return path


def flip(data):
    if not data:
        return b"\x00"  # an empty file cannot have a byte flipped: it gains one
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


@pytest.fixture(scope="module")
def checker(home, keys, releases):
    public = open(keys["vendor"] + ".pub", "rb").read()
    released = suitehash.load_releases(releases)
    published = verify.load_published_criteria(os.path.join(home, "data", "criteria"))
    return lambda path: verify.verify(path, public, releases=released, published_criteria=published)


def test_the_untouched_repack_verifies(signed, checker, tmp_path):
    result = checker(repack(contents(signed), str(tmp_path / "same.tar.gz")))
    assert result.ok, [(r.name, r.detail) for r in result.failed]


def test_tampering_with_any_file_is_found(signed, checker, tmp_path):
    original = contents(signed)
    assert len(original) > 50
    path = str(tmp_path / "tampered.tar.gz")
    blocks = {}
    for name in original:
        files = dict(original)
        files[name] = flip(files[name])
        result = checker(repack(files, path, blocks))
        assert not result.ok, f"flipping a byte of {name} went unnoticed"
        failed = {rule.name: rule.detail for rule in result.failed}
        if name in (bundle.MANIFEST, bundle.SIGNATURE):
            assert "signature" in failed, (name, failed)
        else:
            assert f"{name} does not match its sha256" in failed.get("hashes", ""), (name, failed)


def test_a_member_added_or_removed_is_found(signed, checker, tmp_path):
    original = contents(signed)
    path = str(tmp_path / "changed.tar.gz")
    added = dict(original, **{"job/extra.log": b"slipped in\n"})
    failed = {rule.name: rule.detail for rule in checker(repack(added, path)).failed}
    assert "job/extra.log is in the bundle but not in the manifest" in failed["hashes"]
    for name in ("job/results.json", "job/cert/environment.json", bundle.SIGNATURE, bundle.MANIFEST):
        removed = {k: v for k, v in original.items() if k != name}
        result = checker(repack(removed, path))
        assert not result.ok, name
        details = " ".join(rule.detail for rule in result.failed)
        assert name in details, (name, details)


def test_tampering_through_the_command(home, keys, signed, releases, tmp_path):
    files = contents(signed)
    files["job/cert/report.json"] = flip(files["job/cert/report.json"])
    done = verify_cli(home, repack(files, str(tmp_path / "t.tar.gz")), keys["vendor"] + ".pub", releases)
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "FAIL  hashes       job/cert/report.json does not match its sha256 in the manifest" in done.stdout


# --- bad input -----------------------------------------------------------------------------------


def resign(files, key_path, change):
    """A bundle re-signed after change(files, manifest) (which may return the manifest's new bytes):
    well signed, but its content is bad."""
    files = dict(files)
    manifest = json.loads(files[bundle.MANIFEST])
    raw = change(files, manifest) or json.dumps(manifest).encode("utf-8")
    files[bundle.MANIFEST] = raw
    files[bundle.SIGNATURE] = signing.sign(signing.load_private(key_path), raw)
    return files


def _malformed_manifest(_files, _manifest):
    return b"{not json"


def _malformed_report(files, manifest):
    files["job/cert/report.json"] = b'{"truncated": '
    manifest["files"]["job/cert/report.json"] = {
        "sha256": hashlib.sha256(b'{"truncated": ').hexdigest(),
        "size": 14,
    }


def test_bad_bundles(home, keys, signed, releases, tmp_path):
    data = open(signed, "rb").read()
    pub = keys["vendor"] + ".pub"
    cases = {
        "truncated.tar.gz": (data[: len(data) // 2], "truncated"),
        "text.tar.gz": (b"this is not a bundle\n", "not a gzip-compressed tar archive"),
        "gzip-text.tar.gz": (gzip.compress(b"hello " * 200), "not a tar archive"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        before = sorted(os.listdir(tmp_path))
        assert_clean_failure(verify_cli(home, str(path), pub, releases), message)
        assert_clean_failure(
            cert(home, "cert", "reproduce", str(path), "--failed", cwd=str(tmp_path)), message
        )
        assert_clean_failure(cert(home, "cert", "diff", str(path), signed, cwd=str(tmp_path)), message)
        assert sorted(os.listdir(tmp_path)) == before, "bad input must not write anything"
    assert_clean_failure(verify_cli(home, str(tmp_path / "absent.tar.gz"), pub), "cannot read the bundle")


def test_bad_keys(home, keys, signed, releases, tmp_path):
    wrong = verify_cli(home, signed, keys["other"] + ".pub", releases)
    assert wrong.returncode == 1 and "FAIL  signature    signed by another key" in wrong.stdout
    assert "Traceback" not in wrong.stdout + wrong.stderr
    assert_clean_failure(verify_cli(home, signed, keys["vendor"]), "this is a private key")
    garbage = write(tmp_path / "garbage.pub", "not a key\n")
    assert_clean_failure(verify_cli(home, signed, garbage), "not an Ed25519 public key")


def test_malformed_content_inside_a_well_signed_bundle(home, keys, signed, releases, tmp_path):
    pub = keys["vendor"] + ".pub"
    for change, rule, message in (
        (_malformed_manifest, "structure", "MANIFEST.json: malformed JSON"),
        (_malformed_report, "suite", "job/cert/report.json: malformed JSON"),
    ):
        path = repack(resign(contents(signed), keys["vendor"], change), str(tmp_path / "bad.tar.gz"))
        done = verify_cli(home, path, pub, releases)
        assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
        line = next(line for line in done.stdout.splitlines() if line.strip().startswith(f"FAIL  {rule}"))
        assert message in line, done.stdout


def test_bad_bundle_commands(home, keys, cert_job, tmp_path):
    out = str(tmp_path / "b.tar.gz")
    assert_clean_failure(
        cert(home, "cert", "bundle", str(tmp_path), "--key", keys["vendor"], "-o", out),
        "not a certification job",
    )
    assert_clean_failure(
        cert(home, "cert", "bundle", cert_job, "--key", keys["vendor"], "-o", "/nonexistent/b.tar.gz"),
        "no such folder",
    )
    loose = str(tmp_path / "loose")
    shutil.copy(keys["vendor"], loose)
    os.chmod(loose, 0o644)
    assert_clean_failure(
        cert(home, "cert", "bundle", cert_job, "--key", loose, "-o", out), "accessible by others"
    )
    assert_clean_failure(cert(home, "cert", "keygen", "-o", keys["vendor"]), "already exists")
    assert not os.path.exists(out)


# --- reproduce and diff --------------------------------------------------------------------------

OWN_TEST = '''
import libvirt

from avocado_cert.testing import CertTest


class Own(CertTest):
    """
    :avocado: tags=area:own,cap:own.thing
    """
{methods}
'''
PASSING = '''
    def test_{name}(self):
        """:avocado: tags=api:virConnectGetType"""
        self.assertEqual(self.conn.getType(), "TEST")
'''
FAILING = '''
    def test_{name}(self):
        """:avocado: tags=api:virConnectGetType"""
        self.assertEqual(self.conn.getType(), "NOT-TEST", "fails on purpose, every time")
'''


def own_profile(tmp_path, methods):
    """A profile, criteria and one test file of our own; methods maps name -> passes (bool)."""
    folder = tmp_path / "own"
    test_file = write(
        folder / "test_own.py",
        OWN_TEST.format(
            methods="".join((PASSING if ok else FAILING).format(name=n) for n, ok in methods.items())
        ),
    )
    criteria = write(
        folder / "criteria" / "1.0.yaml",
        'version: "1.0"\nreleased: 2026-11-27\ncapabilities:\n'
        '  - {id: own.thing, area: own, title: own, apis: [virConnectGetType], status: required, since: "1.0"}\n',
    )
    profile = write(
        folder / "own.yaml",
        f"name: own\ndescription: own\ncriteria: {criteria}\ntests: [{test_file}]\n"
        "axes:\n  driver:\n    test: {uri: 'test:///default'}\n",
    )
    return profile, test_file


def run_job(home, profile, results):
    done = cert(home, "run", "--cert-profile", profile, "--job-results-dir", str(results))
    job_dir = os.path.realpath(os.path.join(results, "latest"))
    assert os.path.isfile(os.path.join(job_dir, "cert", "report.json")), done.stdout + done.stderr
    return job_dir


def test_reproduce_failed_on_the_same_host(home, keys, tmp_path):
    profile, _test = own_profile(tmp_path, {"passes": True, "fails": False})
    job_dir = run_job(home, profile, tmp_path / "results")
    out = str(tmp_path / "own.tar.gz")
    assert cert(home, "cert", "bundle", job_dir, "--key", keys["vendor"], "-o", out).returncode == 0
    done = cert(home, "cert", "reproduce", out, "--failed", "--work-dir", str(tmp_path / "work"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "REPRODUCED: 1 of 1 outcomes as in the bundle" in done.stdout
    assert re.search(r"same +FAIL -> FAIL", done.stdout), done.stdout
    machine = json.loads(
        cert(
            home,
            "cert",
            "reproduce",
            out,
            "--variant",
            "test",
            "--json",
            "--work-dir",
            str(tmp_path / "work2"),
        ).stdout
    )
    assert machine["reproduced"] is True
    assert sorted((p["test"].rsplit(".", 1)[1], p["bundle"], p["new"]) for p in machine["points"]) == [
        ("test_fails", "FAIL", "FAIL"),
        ("test_passes", "PASS", "PASS"),
    ]
    before = sorted(os.listdir(tmp_path))
    assert_clean_failure(
        cert(home, "cert", "reproduce", out, "--variant", "nosuch"), "the bundle has no variant 'nosuch'"
    )
    assert sorted(os.listdir(tmp_path)) == before


def test_reproduce_names_an_outcome_that_changed(home, keys, tmp_path):
    profile, test_file = own_profile(tmp_path, {"passes": True, "fails": False})
    job_dir = run_job(home, profile, tmp_path / "results")
    out = str(tmp_path / "own.tar.gz")
    assert cert(home, "cert", "bundle", job_dir, "--key", keys["vendor"], "-o", out).returncode == 0
    own_profile(tmp_path, {"passes": True, "fails": True})  # the failure was fixed since
    done = cert(home, "cert", "reproduce", out, "--failed", "--work-dir", str(tmp_path / "work"))
    assert done.returncode == 1
    assert re.search(r"DIFFERENT +FAIL -> PASS", done.stdout) and "NOT REPRODUCED: 0 of 1" in done.stdout
    assert os.path.isfile(test_file)


def test_diff_between_two_jobs(home, keys, tmp_path):
    profile, _test = own_profile(
        tmp_path, {"fixed": False, "regressed": True, "removed": False, "same": True}
    )
    job_a = run_job(home, profile, tmp_path / "a")
    own_profile(tmp_path, {"fixed": True, "regressed": False, "added": True, "same": True})
    job_b = run_job(home, profile, tmp_path / "b")
    doc = json.loads(cert(home, "cert", "diff", job_a, job_b, "--json").stdout)

    def names(key):
        return [row["test"].rsplit(".", 1)[1] for row in doc[key]]

    assert names("regressions") == ["test_regressed"]
    assert names("fixes") == ["test_fixed"]
    assert names("added") == ["test_added"]
    assert names("removed") == ["test_removed"]
    assert doc["areas"]["own"] == {"a": 50.0, "b": 75.0, "change": 25.0}
    bundle_a = str(tmp_path / "a.tar.gz")
    assert cert(home, "cert", "bundle", job_a, "--key", keys["vendor"], "-o", bundle_a).returncode == 0
    text = cert(home, "cert", "diff", bundle_a, job_b)
    assert text.returncode == 0
    assert "Regressions (PASS before, not now): 1" in text.stdout
    assert re.search(r"own +50\.0% -> +75\.0% \(\+25\.0\)", text.stdout), text.stdout
