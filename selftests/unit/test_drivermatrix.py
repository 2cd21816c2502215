"""The driver matrix: rows of data/drivers.yaml with what a job certified and what the preflight
measured for each profile's URI; every refusing profile has its row."""

import pytest

from avocado_cert.base.errors import CertError
from avocado_cert.plan import profile as profile_mod
from avocado_cert.report import drivermatrix

TABLE = [
    {"id": "test", "title": "test", "profiles": ["test"], "needs": "nothing"},
    {"id": "qemu", "title": "QEMU", "profiles": ["qemu-x86_64"], "needs": "QEMU"},
    {"id": "lxc", "title": "LXC", "profiles": ["lxc"], "needs": "cgroups"},
    {"id": "xen", "title": "Xen", "profiles": ["xen"], "needs": "a dom0"},
    {"id": "vz", "title": "Virtuozzo", "profiles": ["vz"], "needs": "a Virtuozzo host"},
]


def probe(profile, uri, answered, message, code=""):
    return {"profile": profile, "uri": uri, "answered": answered, "code": code, "message": message}


def document(verdicts, probes):
    return {
        "profiles": {name: {} for name in verdicts},
        "score": {"profiles": {name: {"verdict": v} for name, v in verdicts.items()}},
        "environment": {"driver_probes": probes},
    }


def test_each_row_gets_the_status_of_what_was_run_and_measured():
    doc = document(
        {"test": "CERTIFIED", "lxc": "INCOMPLETE"},
        [
            probe("test", "test:///default", True, "TEST"),
            probe("qemu-x86_64", "qemu:///system", True, "QEMU"),
            probe("lxc", "lxc:///system", True, "LXC"),
            probe(
                "xen",
                "xen:///system",
                False,
                "no connection driver available for xen:///system",
                "VIR_ERR_NO_CONNECT",
            ),
        ],
    )
    rows = {row["id"]: row for row in drivermatrix.build(doc, TABLE)["rows"]}
    assert rows["test"]["status"] == drivermatrix.CERTIFIED
    assert rows["lxc"]["status"] == drivermatrix.RAN and rows["lxc"]["reason"] == "lxc: INCOMPLETE"
    assert rows["qemu"]["status"] == drivermatrix.AVAILABLE
    assert rows["qemu"]["reason"] == "qemu:///system answers (QEMU)"
    assert rows["xen"]["status"] == drivermatrix.UNAVAILABLE
    assert rows["xen"]["reason"] == (
        "xen:///system: no connection driver available for xen:///system (VIR_ERR_NO_CONNECT)"
    )
    assert rows["xen"]["needs"] == "a dom0"
    assert rows["vz"]["status"] == drivermatrix.NOT_MEASURED
    assert [row["id"] for row in drivermatrix.build(doc, TABLE)["rows"]] == [r["id"] for r in TABLE]


def test_a_report_without_probes_still_has_every_row():
    rows = drivermatrix.build({"profiles": {}, "environment": {}}, TABLE)["rows"]
    assert {row["status"] for row in rows} == {drivermatrix.NOT_MEASURED}


def test_shipped_rows_cover_every_refusing_profile():
    table = drivermatrix.rows()
    for name in profile_mod.available():
        if profile_mod.load(name).refuse_unreachable:
            assert drivermatrix.row_of(name, table), f"profile {name} has no row in data/drivers.yaml"
    assert {"test", "qemu", "remote", "esx", "lxc", "xen", "hyperv", "vbox"} <= {row["id"] for row in table}


def test_probe_targets_name_every_uri_of_a_row(tmp_path):
    targets = drivermatrix.probe_targets()
    assert ("xen", "xen:///system") in targets
    assert any(name == "qemu-x86_64-tcp" and uri.startswith("qemu+tcp://") for name, uri in targets)


def test_a_malformed_row_file_is_one_line(tmp_path):
    bad = tmp_path / "drivers.yaml"
    bad.write_text("drivers:\n  - id: x\n    title: X\n    profiles: [x]\n")
    with pytest.raises(CertError, match="missing required key 'needs'"):
        drivermatrix.rows(str(bad))
