"""Certification inside Avocado-VT jobs: the generated Cartesian file, what a job's variants certify,
their entries and rerun commands, and the params the adapter gives a CertTest."""

import os

import pytest
from avocado.core.nrunner.runnable import Runnable

from avocado_cert.base import paths
from avocado_cert.job import settings as job_settings
from avocado_cert.plan import session
from avocado_cert.report import results
from avocado_cert.vt import adapter as vtadapter
from avocado_cert.vt import cartesian as vtcfg
from avocado_cert.vt import job as vt


def test_committed_cartesian_files_are_up_to_date():
    stale = vtcfg.stale()
    assert not stale, f"out of date: {stale}; run python -m avocado_cert.vt.cartesian"


def _dicts(only, path=None):
    from virttest import cartesian_config  # pylint: disable=import-outside-toplevel

    parser = cartesian_config.Parser()
    parser.parse_file(path or vt.suite_config())
    parser.only_filter(only)
    return list(parser.get_dicts())


def _certifies(dicts):
    return {d["shortname"]: {k: v for k, v in d.items() if k.startswith("cert_")} for d in dicts}


def test_suite_config_names_each_test_by_profile_variant_area_class_method():
    (found,) = _dicts("acert.test.test-i686-local.host.Connection.test_identity")
    assert found["shortname"] == "acert.test.test-i686-local.host.Connection.test_identity"
    assert found["cert_test"] == "host/test_connection.py:Connection.test_identity"
    assert found["cert_caps"] == "host.connection"
    assert "virConnectGetType" in found["cert_apis"].split()
    assert (found["cert_profile"], found["cert_variant"]) == ("test", "test-i686-local")
    assert found["cert_uri"] == found["connect_uri"] == "test:///default"
    # No Avocado-VT guest may be started, logged into or killed for a certification variant.
    assert (found["start_vm"], found["kill_vm"], found["kill_unresponsive_vms"]) == ("no", "no", "no")
    assert found["type"] == "acert" and found["provider"] == "avocado-cert"


def test_profile_areas_limit_its_variants():
    areas = set(session.plan("test").profiles[0].areas)
    seen = {d["cert_test"].split("/")[0] for d in _dicts("acert.test")}
    assert seen and seen <= areas


def test_provider_entry_gives_the_same_variants_as_the_standalone_file(tmp_path):
    # Bootstrap copies the provider's entry, indented, under a `variants:` of its own subtests.cfg.
    with open(vtcfg.provider_path(), encoding="utf-8") as src:
        entry = src.read()
    copied = tmp_path / "subtests.cfg"
    copied.write_text(
        "variants:\n" + "".join("    " + line for line in entry.splitlines(True)), encoding="utf-8"
    )
    standalone = _certifies(_dicts("acert.test"))
    assert standalone and _certifies(_dicts("acert.test", str(copied))) == standalone


def test_job_config_holds_only_the_plans_variants(tmp_path):
    plan = session.plan("test", runner="vt")
    path = vt.write_job_config(plan, str(tmp_path))
    assert os.path.basename(path) == "subtests.cfg" and vt.is_suite_config(path)
    names = {d["shortname"] for d in _dicts("acert", path)}
    assert names and all(name.startswith("acert.test.test-i686-local.") for name in names)
    assert {name.split(".")[3] for name in names} <= set(plan.profiles[0].areas)
    assert vt.write_job_config(plan, str(tmp_path)) == path  # same content, same file


def _runnable(name, **kwargs):
    return Runnable("avocado-vt", name, **kwargs)


KWARGS = {
    "cert_test": "host/test_connection.py:Connection.test_close",
    "cert_area": "host",
    "cert_caps": "host.connection",
    "cert_apis": "virConnectClose virConnectOpen",
    "cert_profile": "test",
    "cert_variant": "test-i686-local",
}


def test_cert_tests_keep_only_certification_variants():
    runnables = [
        _runnable("acert.test.test-i686-local.host.Connection.test_close", **KWARGS),
        _runnable("virsh.start.normal", type="virsh_start"),
        Runnable("avocado-instrumented", "tests/host/test_connection.py:Connection.test_close"),
    ]
    found = vt.cert_tests(runnables)
    assert list(found) == ["acert.test.test-i686-local.host.Connection.test_close"]
    info = found["acert.test.test-i686-local.host.Connection.test_close"]
    assert info["caps"] == ["host.connection"] and info["apis"] == ["virConnectClose", "virConnectOpen"]
    assert (info["profile"], info["variant"], info["area"]) == ("test", "test-i686-local", "host")


def test_entries_carry_the_variant_and_tags_the_results_lack():
    name = "acert.test.test-i686-local.host.Connection.test_close"
    infos = vt.cert_tests([_runnable(name, **KWARGS)])
    tests = [
        {"name": f"1-{name}", "status": "CANCEL", "fail_reason": "UNSUPPORTED: no", "tags": {}},
        {"name": "2-virsh.start.normal", "status": "PASS", "tags": {}},
    ]
    entries = vt.entries(tests, infos)
    assert len(entries) == 1
    (rec,) = results.records(entries, {"test-i686-local": "test"})
    assert (rec.test, rec.variant, rec.profile) == (name, "test-i686-local", "test")
    assert rec.outcome == "UNSUPPORTED" and rec.caps == ("host.connection",)
    assert vt.expected(infos) == {
        (name, "test-i686-local"): {
            "area": "host",
            "caps": ["host.connection"],
            "apis": KWARGS["cert_apis"].split(),
        }
    }


def test_rerun_command_repeats_the_jobs_cartesian_settings():
    config = {
        "vt.config": "cfg/vt/subtests.cfg",
        "vt.short_names_when_config": True,
        "vt.type": "qemu",
        "vt.common.machine_type": "i440fx",
        "vt.extra_params": ["cert_expected_type=XEN", "a=b c"],
    }
    args = vt.options(config)
    assert args == [
        "--vt-config",
        os.path.abspath("cfg/vt/subtests.cfg"),
        "--vt-short-names-when-config",
        "--vt-extra-params",
        "cert_expected_type=XEN",
        "--vt-extra-params",
        "a=b c",
    ]
    command = vt.rerun_command("acert.test.x.host.C.test_m", args, "1.0")
    assert command.endswith("--cert-criteria 1.0 acert.test.x.host.C.test_m")
    assert "'a=b c'" in command


def test_rerun_command_without_a_cartesian_file_names_type_and_guest():
    config = {"vt.type": "libvirt", "vt.guest_os": "JeOS.27", "vt.libvirt.connect_uri": "qemu:///system"}
    assert vt.options(config) == [
        "--vt-type",
        "libvirt",
        "--vt-guest-os",
        "JeOS.27",
        "--vt-connect-uri",
        "qemu:///system",
    ]


def test_adapter_params_are_the_profile_variants_typed_with_cartesian_overrides():
    given = {
        "cert_test": "host/test_connection.py:Connection.test_close",
        "cert_profile": "test",
        "cert_variant": "test-i686-local",
        "cert_uri": "test:///default",
        "cert_timeout": "120",
        "cert_expected_type": "XEN",
        "connect_uri": "qemu:///system",
    }
    params = vtadapter.test_params(given)
    assert params["uri"] == "test:///default"
    assert params["timeout"] == 120  # typed, as the profile has it
    assert params["expected_type"] == "XEN"
    assert (params["profile"], params["variant_id"]) == ("test", "test-i686-local")
    assert params["guest"] == "simulated"  # from the profile, though not in the Cartesian params
    assert "test" not in params and "caps" not in params


def test_adapter_uri_falls_back_on_avocado_vts_connection():
    assert vtadapter.test_params({"connect_uri": "test:///default"})["uri"] == "test:///default"


def test_adapter_rejects_a_malformed_test_name():
    with pytest.raises(vtadapter.CertError, match="cert_test"):
        vtadapter.split_test("host/test_connection.py")


def test_profile_run_references_follow_native_references():
    plan = session.plan("test", runner="vt")
    target = "acert.test.test-i686-local"
    suite = paths.suite_dir()
    assert vt.translate_references(plan, []) == [target]
    assert vt.translate_references(plan, [os.path.join(suite, "host")]) == [f"{target}.host"]
    ref = os.path.join(suite, "host", "test_connection.py") + ":^Connection\\.test_close$"
    assert vt.translate_references(plan, [ref]) == [f"{target}.host.Connection.test_close"]
    whole_file = vt.translate_references(plan, [os.path.join(suite, "host", "test_connection.py")])
    assert f"{target}.host.Connection" in whole_file
    assert vt.translate_references(plan, ["acert.test..host"]) == ["acert.test..host"]


def test_profile_run_is_serial_and_says_so():
    plan = session.plan("test", runner="vt")
    config = {}
    said = job_settings.apply_to_config(plan, config, ["avocado", "run"])
    assert config["run.max_parallel_tasks"] == 1 and "one at a time" in said
    assert vt.is_suite_config(config["vt.config"]) and config["vt.short_names_when_config"]
    with pytest.raises(session.CertError, match="one at a time"):
        job_settings.apply_to_config(
            plan, {"run.max_parallel_tasks": 2}, ["avocado", "run", "--max-parallel-tasks", "2"]
        )


def test_native_profile_run_says_its_parallelism():
    plan = session.plan("test")
    config = {}
    said = job_settings.apply_to_config(plan, config, ["avocado", "run"])
    assert config["run.max_parallel_tasks"] == plan.parallel and str(plan.parallel) in said


def test_profiles_with_different_runners_cannot_share_a_job(tmp_path):
    with open(os.path.join(paths.profiles_dir(), "test.yaml"), encoding="utf-8") as src:
        text = src.read().replace("name: test\n", "name: vt-test\nrunner: vt\n")
    other = tmp_path / "vt-test.yaml"
    other.write_text(text.replace("test:\n      uri", "vttest:\n      uri"), encoding="utf-8")
    with pytest.raises(session.CertError, match="different runners"):
        session.plan(f"test,{other}")
    assert session.plan(str(other)).runner == "vt"


def test_rerun_of_a_profile_run_through_avocado_vt_keeps_the_runner():
    plan = session.plan("test", runner="vt")
    command = vt.profile_rerun_for(plan, "test", {"cert.runner": "vt"})
    rec = results.Record(
        id="1-x",
        test="acert.test.test-i686-local.host.Connection.test_close",
        variant="test-i686-local",
        profile="test",
        status="FAIL",
        outcome="FAIL",
        area="host",
        caps=(),
        apis=(),
        reason="",
        logdir="",
        time=1.0,
    )
    assert command(rec) == (
        "avocado run --cert-profile test --cert-variant test-i686-local --cert-runner vt "
        "acert.test.test-i686-local.host.Connection.test_close"
    )
