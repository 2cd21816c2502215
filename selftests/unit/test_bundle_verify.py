"""Bundling a synthetic certification job and verifying it: each rule passes, and fails when it should."""

import datetime
import hashlib
import json
import os
import subprocess
import time

import pytest

from avocado_cert.base import paths
from avocado_cert.base.errors import CertError
from avocado_cert.offline import bundle, rundiff, safetar, signing, verify
from selftests import offline_job

WAIVED = offline_job.CRITERIA.replace(
    "waivers: []",
    "waivers:\n  - {capability: bench.one, profile: bench, reason: known bug, bug: 'https://bugs/1', "
    "expires: 2026-01-01}",
)


@pytest.fixture
def home(tmp_path):
    saved = os.environ.get(paths.ENV_HOME)
    path = str(tmp_path / "home")
    offline_job.use_home(path)
    yield path
    if saved is None:
        os.environ.pop(paths.ENV_HOME, None)
    else:
        os.environ[paths.ENV_HOME] = saved
    paths.home.cache_clear()


@pytest.fixture
def key(tmp_path):
    path = str(tmp_path / "key")
    signing.generate(path)
    with open(path + ".pub", "rb") as src:
        return signing.load_private(path), src.read()


def job(home, tmp_path, criteria=offline_job.CRITERIA, **kwargs):
    offline_job.make_home(home, criteria=criteria)
    time.sleep(0.02)  # the job starts after its suite was written
    job_dir = str(tmp_path / "job")
    suite_hash, _count = offline_job.make_job(job_dir, **kwargs)
    return job_dir, {suite_hash: "0.1.0"}


def rules(result):
    return {rule.name: rule for rule in result.rules}


def edit_json(path, change):
    with open(path, encoding="utf-8") as src:
        data = json.load(src)
    change(data)
    with open(path, "w", encoding="utf-8") as out:
        json.dump(data, out)


def test_round_trip_passes_every_rule(home, tmp_path, key):
    job_dir, releases = job(home, tmp_path)
    out = str(tmp_path / "b.tar.gz")
    manifest = bundle.build(job_dir, key[0], out)
    assert manifest["job"]["verdict"] in ("CERTIFIED", "NOT CERTIFIED")
    result = verify.verify(out, key[1], releases=releases)
    assert result.ok, [(r.name, r.detail) for r in result.failed]
    assert [r.name for r in result.rules] == [name for name, _title, _check in verify.RULES]
    assert result.to_dict()["ok"] is True


def test_bundles_are_reproducible(home, tmp_path, key):
    job_dir, _releases = job(home, tmp_path)
    first, second = str(tmp_path / "1.tar.gz"), str(tmp_path / "2.tar.gz")
    bundle.build(job_dir, key[0], first)
    bundle.build(job_dir, key[0], second)
    assert open(first, "rb").read() == open(second, "rb").read()


def test_a_development_suite_is_not_released(home, tmp_path, key):
    job_dir, _releases = job(home, tmp_path)
    out = str(tmp_path / "b.tar.gz")
    bundle.build(job_dir, key[0], out)
    result = verify.verify(out, key[1], releases={})
    assert [r.name for r in result.failed] == ["suite"]
    assert "is not a released suite" in rules(result)["suite"].detail
    other = verify.verify(out, key[1], releases={next(iter(_releases)): "9.9"})
    assert "is release 9.9" in rules(other)["suite"].detail


@pytest.mark.parametrize(
    "published, message",
    [({}, "is not a published version"), ({"1.0": "0" * 64}, "differ from the published 1.0")],
)
def test_criteria_must_be_published(home, tmp_path, key, published, message):
    job_dir, releases = job(home, tmp_path)
    out = str(tmp_path / "b.tar.gz")
    bundle.build(job_dir, key[0], out)
    result = verify.verify(out, key[1], releases=releases, published_criteria=published)
    assert [r.name for r in result.failed] == ["criteria"]
    assert message in rules(result)["criteria"].detail


def test_a_forged_verdict_is_found(home, tmp_path, key):
    job_dir, releases = job(home, tmp_path, statuses={"bench/test_0000.py:Bench0.test_00;test-a0": "FAIL"})

    def forge(rep):
        rep["verdict"] = rep["score"]["verdict"] = "CERTIFIED"
        prof = rep["score"]["profiles"]["bench"]
        prof["verdict"], prof["failed_required"] = "CERTIFIED", []

    edit_json(os.path.join(job_dir, "cert", "report.json"), forge)
    out = str(tmp_path / "b.tar.gz")
    bundle.build(job_dir, key[0], out)
    result = verify.verify(out, key[1], releases=releases)
    assert [r.name for r in result.failed] == ["verdict"]
    assert "the report says CERTIFIED, the raw results give NOT CERTIFIED" in rules(result)["verdict"].detail


def test_a_missing_result_is_named(home, tmp_path, key):
    job_dir, releases = job(home, tmp_path, statuses={"bench/test_0000.py:Bench0.test_01;test-a0": "PASS"})

    def drop(raw):
        raw["tests"] = [
            t for t in raw["tests"] if not t["name"].endswith("test_0000.py:Bench0.test_00;test-a0")
        ]

    edit_json(os.path.join(job_dir, "results.json"), drop)  # after the report counted it
    out = str(tmp_path / "b.tar.gz")
    bundle.build(job_dir, key[0], out)
    result = verify.verify(out, key[1], releases=releases)
    assert "tests" in [r.name for r in result.failed]
    assert "no result for bench/test_0000.py:Bench0.test_00 [test-a0]" in rules(result)["tests"].detail


def test_an_honest_partial_run_verifies_as_incomplete(home, tmp_path, key):
    """A job that ran only some tests (its report says INCOMPLETE) passes every integrity rule."""
    from avocado_cert.plan import session  # pylint: disable=import-outside-toplevel
    from avocado_cert.report import jobreport  # pylint: disable=import-outside-toplevel

    job_dir, releases = job(home, tmp_path, fail_rate=0)
    with open(os.path.join(job_dir, "cert", "report.json"), encoding="utf-8") as src:
        job_info = json.load(src)["job"]
    with open(os.path.join(job_dir, "results.json"), encoding="utf-8") as src:
        raw = json.load(src)
    raw["tests"] = [t for t in raw["tests"] if "test_0000.py" in t["name"]]  # interrupted after one file
    with open(os.path.join(job_dir, "results.json"), "w", encoding="utf-8") as out:
        json.dump(raw, out)
    ran = {(t["name"].split(";")[0], t["name"].split(";")[1]) for t in raw["tests"]}
    expected = {key_: {"area": "bench", "caps": ("bench.one",), "apis": ("virConnectOpen",)} for key_ in ran}
    jobreport.produce(
        job_dir,
        session.plan("bench"),
        "bench",
        raw["tests"],
        expected=expected,
        job_info=job_info,
        interrupted=True,
    )
    out = str(tmp_path / "b.tar.gz")
    bundle.build(job_dir, key[0], out)
    result = verify.verify(out, key[1], releases=releases)
    assert result.ok, [(r.name, r.detail) for r in result.failed]
    assert result.verdict == "INCOMPLETE"
    assert "INCOMPLETE run: 6 of the 12" in rules(result)["tests"].detail
    # The same partial report claiming a result the raw results lack is still found out.
    edit_json(os.path.join(job_dir, "results.json"), lambda data: data["tests"].pop())
    bundle.build(job_dir, key[0], out, force=True)
    assert "verdict" in [r.name for r in verify.verify(out, key[1], releases=releases).failed]


def test_an_expired_waiver_applied_is_found(home, tmp_path, key):
    job_dir, releases = job(
        home, tmp_path, criteria=WAIVED, statuses={"bench/test_0000.py:Bench0.test_00;test-a0": "FAIL"}
    )

    def apply_waiver(rep):
        prof = rep["score"]["profiles"]["bench"]
        cap = next(c for c in prof["capabilities"] if c["id"] == "bench.one")
        cap["waiver"], cap["expired_waiver"], cap["accepted"] = cap["expired_waiver"], None, True
        rep["verdict"] = rep["score"]["verdict"] = prof["verdict"] = "CERTIFIED"
        prof["failed_required"] = []

    edit_json(os.path.join(job_dir, "cert", "report.json"), apply_waiver)
    out = str(tmp_path / "b.tar.gz")
    bundle.build(job_dir, key[0], out)
    result = verify.verify(out, key[1], releases=releases)
    assert {r.name for r in result.failed} == {"verdict", "waivers"}
    assert "expired on 2026-01-01 and was applied" in rules(result)["waivers"].detail


def test_a_backdated_score_is_found(home, tmp_path, key):
    job_dir, releases = job(home, tmp_path)
    edit_json(
        os.path.join(job_dir, "cert", "report.json"), lambda rep: rep["score"].update(scored_on="2025-12-01")
    )
    out = str(tmp_path / "b.tar.gz")
    bundle.build(job_dir, key[0], out)
    result = verify.verify(out, key[1], releases=releases)
    assert "before the job started" in rules(result)["waivers"].detail


def test_an_environment_that_disagrees_is_found(home, tmp_path, key):
    job_dir, releases = job(home, tmp_path)
    edit_json(
        os.path.join(job_dir, "cert", "environment.json"),
        lambda env: env["targets"][offline_job.TARGET].update(driver="QEMU"),
    )
    out = str(tmp_path / "b.tar.gz")
    bundle.build(job_dir, key[0], out)
    detail = rules(verify.verify(out, key[1], releases=releases))["environment"].detail
    assert "the report's environment is not the environment manifest" in detail
    assert "variant test-a0 is driver test, the host reported QEMU" in detail


def test_bundling_refuses_a_profile_changed_since_the_job(home, tmp_path, key):
    job_dir, _releases = job(home, tmp_path)
    with open(os.path.join(home, "cfg", "profiles", "bench.yaml"), "a", encoding="utf-8") as out:
        out.write("# edited\n")
    with pytest.raises(CertError, match="the profile 'bench' changed since the job ran"):
        bundle.build(job_dir, key[0], str(tmp_path / "b.tar.gz"))
    assert not os.path.exists(tmp_path / "b.tar.gz")


def test_bundling_refuses_a_suite_changed_since_the_job(home, tmp_path, key):
    job_dir, _releases = job(home, tmp_path, started=datetime.datetime.now() - datetime.timedelta(hours=1))
    with pytest.raises(CertError, match="the suite changed since the job ran"):
        bundle.build(job_dir, key[0], str(tmp_path / "b.tar.gz"))


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda job_dir: os.unlink(os.path.join(job_dir, "cert", "report.json")), "not a certification job"),
        (
            lambda job_dir: open(os.path.join(job_dir, "cert", "report.json"), "w").write("{"),
            "malformed JSON",
        ),
        (lambda job_dir: os.unlink(os.path.join(job_dir, "results.json")), "no results.json"),
    ],
)
def test_bundling_bad_job_directories(home, tmp_path, key, damage, message):
    job_dir, _releases = job(home, tmp_path)
    damage(job_dir)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(CertError, match=message):
        bundle.build(job_dir, key[0], str(tmp_path / "b.tar.gz"))
    assert sorted(os.listdir(tmp_path)) == before


def test_reproduce_refuses_variant_parameters_that_differ(home, tmp_path, key):
    from avocado_cert.offline import reproduce  # pylint: disable=import-outside-toplevel

    job_dir, _releases = job(home, tmp_path, statuses={"bench/test_0000.py:Bench0.test_00;test-a0": "FAIL"})

    def change(rep):
        rep["variants"][0]["params"]["guest_arch"] = "other"

    edit_json(os.path.join(job_dir, "cert", "report.json"), change)
    out = str(tmp_path / "b.tar.gz")
    bundle.build(job_dir, key[0], out)

    def never(*_args, **_kwargs):
        raise AssertionError("nothing may run")

    with pytest.raises(CertError, match="variant test-a0 would run here with guest_arch='a0', not 'other'"):
        reproduce.reproduce(out, str(tmp_path / "work"), failed=True, run=never)


SHAPES = [b"null", b"[]", b"1", b'"text"', b"{}", b'{"profiles": [], "score": 1, "tests": {}, "files": []}']


def test_wrong_shapes_never_escape_as_exceptions(home, tmp_path, key):
    """Well-signed bundles whose JSON files have the wrong shape: rules fail, nothing raises."""
    job_dir, releases = job(home, tmp_path)
    out = str(tmp_path / "b.tar.gz")
    bundle.build(job_dir, key[0], out)
    members, kept = safetar.scan(out, keep=lambda name: True)
    targets = [
        bundle.MANIFEST,
        bundle.SUITE,
        bundle.REPORT,
        bundle.RESULTS,
        bundle.VARIANTS,
        bundle.ENVIRONMENT,
    ]
    for target in targets:
        for shape in SHAPES:
            files = {name: kept[name] for name in members}
            files[target] = shape
            if target != bundle.MANIFEST:
                manifest = json.loads(files[bundle.MANIFEST])
                manifest["files"][target] = {"sha256": hashlib.sha256(shape).hexdigest(), "size": len(shape)}
                files[bundle.MANIFEST] = json.dumps(manifest).encode("utf-8")
            files[bundle.SIGNATURE] = signing.sign(key[0], files[bundle.MANIFEST])
            path = str(tmp_path / "shape.tar.gz")
            writer_file = open(path, "wb")  # pylint: disable=consider-using-with
            with writer_file:
                writer = bundle._Writer(writer_file, 0, safetar.Limits())  # pylint: disable=protected-access
                for name, data in files.items():
                    writer.add(name, data)
                writer.close()
            result = verify.verify(path, key[1], releases=releases)
            assert not result.ok, (target, shape)
            assert all(rule.detail for rule in result.rules)
            for use in (rundiff.load, reproduce_failed):
                try:
                    use(path)
                except CertError:
                    pass


def reproduce_failed(path):
    from avocado_cert.offline import reproduce  # pylint: disable=import-outside-toplevel

    def no_job(args, **_kwargs):
        return subprocess.CompletedProcess(args, 1, "", "no job was run")

    return reproduce.reproduce(path, os.path.join(os.path.dirname(path), "work"), failed=True, run=no_job)


def test_a_job_run_through_avocado_vt(home, tmp_path, key):
    """Avocado-VT results carry no params: cert/vt-tests.json maps each to its test and variant."""
    from avocado_cert.plan import session
    from avocado_cert.report import jobreport
    from avocado_cert.vt import job as vt  # pylint: disable=import-outside-toplevel

    job_dir, releases = job(home, tmp_path)
    results_path = os.path.join(job_dir, "results.json")
    with open(results_path, encoding="utf-8") as src:
        raw = json.load(src)
    root = os.path.join(home, "tests")
    infos = {}
    for entry in raw["tests"]:
        number, rest = entry["id"].split("-", 1)
        test, variant = rest.rsplit(";", 1)
        rel = test[len(root) + 1 :]
        name = f"acert.bench.{variant}.bench.{rel.rsplit(':', 1)[1]}"
        infos[name] = {
            "name": name,
            "test": rel,
            "variant": variant,
            "area": "bench",
            "caps": ["bench.one"],
            "apis": ["virConnectOpen"],
            "profile": "bench",
            "profile_ref": "bench",
        }
        entry["id"], entry["name"] = f"{number}-{name}", name
    with open(results_path, "w", encoding="utf-8") as out:
        json.dump(raw, out)
    vt.save(os.path.join(job_dir, "cert"), infos)
    with open(os.path.join(job_dir, "cert", "report.json"), encoding="utf-8") as src:
        job_info = json.load(src)["job"]
    jobreport.produce(
        job_dir,
        session.plan("bench"),
        "bench",
        vt.entries(raw["tests"], infos),
        expected=vt.expected(infos),
        job_info=job_info,
    )
    out = str(tmp_path / "b.tar.gz")
    bundle.build(job_dir, key[0], out)
    result = verify.verify(out, key[1], releases=releases)
    assert result.ok, [(r.name, r.detail) for r in result.failed]
    del infos[next(iter(infos))]  # a variant the job ran but cannot say what it certifies
    vt.save(os.path.join(job_dir, "cert"), infos)
    bundle.build(job_dir, key[0], out, force=True)
    assert not verify.verify(out, key[1], releases=releases).ok
