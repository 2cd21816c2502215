"""The pieces of the esx profile that need no simulator: the VMware domain XML (a disk on a vSphere
datastore, nothing else changed for other drivers) and what `avocado cert coverage` reads of a job."""

import json
import os

import pytest

from avocado_cert.base import xmlbuild
from avocado_cert.base.errors import CertError
from avocado_cert.host import hostcheck
from avocado_cert.report import driver_answers
from avocado_cert.testing import datastore

ESX_PARAMS = {"domain_type": "vmware", "guest_arch": "i686", "datastore": "LocalDS_0"}


def test_vmware_domain_has_its_disk_on_the_datastore():
    root = xmlbuild.domain(ESX_PARAMS, "acert-dom-esx")
    assert root.get("type") == "vmware"
    disks = root.findall("devices/disk")
    assert len(disks) == 1
    assert disks[0].get("device") == "disk" and disks[0].get("type") == "file"
    assert disks[0].find("source").get("file") == "[LocalDS_0] acert-dom-esx/acert-dom-esx.vmdk"
    assert disks[0].find("target").get("bus") == "scsi"


def test_other_drivers_get_no_datastore_disk():
    params = dict(ESX_PARAMS, domain_type="test")
    del params["datastore"]
    assert xmlbuild.domain(params, "acert-dom-test").find("devices/disk") is None


def _job(tmp_path, name, profile, tests, mtime):
    job = tmp_path / name
    (job / "cert").mkdir(parents=True)
    report = {"profiles": {profile: {}}, "verdict": "NOT CERTIFIED", "job": {"id": name}, "tests": tests}
    path = job / "cert" / "report.json"
    path.write_text(json.dumps(report))
    os.utime(path, (mtime, mtime))
    return str(job)


TESTS = [
    {"profile": "esx", "area": "domain", "apis": ["virDomainSuspend"], "outcome": "PASS", "reason": ""},
    {
        "profile": "esx",
        "area": "domain",
        "apis": ["virDomainSuspend", "virDomainGetXMLDesc"],
        "outcome": "FAIL",
        "reason": "state is RUNNING",
    },
    {
        "profile": "esx",
        "area": "storage",
        "apis": ["virConnectListAllStoragePools"],
        "outcome": "UNSUPPORTED",
        "reason": "UNSUPPORTED: this function is not supported",
    },
    {
        "profile": "esx",
        "area": "storage",
        "apis": ["virStoragePoolCreate"],
        "outcome": "SKIP",
        "reason": "no pool",
    },
    {"profile": "other", "area": "domain", "apis": ["virDomainCreate"], "outcome": "PASS", "reason": ""},
]


def test_answers_group_apis_by_what_the_driver_did(tmp_path):
    answers = driver_answers.collect(_job(tmp_path, "job-1", "esx", TESTS, 1000), "esx")
    domain, storage = answers["areas"]["domain"], answers["areas"]["storage"]
    assert domain["counts"] == {"PASS": 1, "FAIL": 1}
    assert domain["apis"]["virDomainSuspend"]["answer"] == driver_answers.WRONG
    assert domain["apis"]["virDomainSuspend"]["reasons"] == {"FAIL": "state is RUNNING"}
    assert "virDomainCreate" not in domain["apis"]  # another profile's test
    assert storage["apis"]["virConnectListAllStoragePools"]["answer"] == driver_answers.NOT_IMPLEMENTED
    assert storage["apis"]["virStoragePoolCreate"]["answer"] == driver_answers.NOT_REACHED
    text = driver_answers.render_text(answers)
    assert "storage: 2 tests: unsupported 1, skip 1" in text
    assert "not implemented (1):" in text


def test_newest_job_of_the_profile(tmp_path):
    older = _job(tmp_path, "job-1", "esx", TESTS, 1000)
    _job(tmp_path, "job-2", "other", TESTS, 3000)
    assert driver_answers.newest_job("esx", str(tmp_path)) == older
    newer = _job(tmp_path, "job-3", "esx", TESTS, 2000)
    assert driver_answers.newest_job("esx", str(tmp_path)) == newer
    assert driver_answers.newest_job("vpx", str(tmp_path)) is None


def test_a_job_without_the_profile_or_report_is_refused(tmp_path):
    job = _job(tmp_path, "job-1", "other", TESTS, 1000)
    with pytest.raises(CertError, match="did not run profile 'esx'"):
        driver_answers.collect(job, "esx")
    with pytest.raises(CertError, match="not a certification job"):
        driver_answers.collect(str(tmp_path), "esx")


def test_a_client_side_driver_locks_its_remote_host_not_the_daemon(tmp_path):
    host_lock = str(tmp_path / "avocado-cert.lock")
    esx = "esx://root@127.0.0.1:18443/?no_verify=1&authfile=/run/x"
    assert hostcheck.lock_path("qemu:///system", host_lock) == host_lock
    assert hostcheck.lock_path("qemu+tls://127.0.0.1/system", host_lock) == host_lock
    assert hostcheck.lock_path(esx, host_lock) == str(tmp_path / "avocado-cert-esx-127.0.0.1_18443.lock")
    daemon_run = hostcheck.lock_host(["qemu:///system"], host_lock)
    esx_run = hostcheck.lock_host([esx], host_lock)  # a run on the daemon does not hold it back
    try:
        with pytest.raises(CertError, match="another certification run .* is using this target"):
            hostcheck.lock_host([esx, "test:///default"], host_lock)
        with pytest.raises(CertError, match="is using this host"):
            hostcheck.lock_host(["qemu:///system", "test:///default"], host_lock)
    finally:
        hostcheck.unlock_host(esx_run)
        hostcheck.unlock_host(daemon_run)
    hostcheck.unlock_host(hostcheck.lock_host([esx, "qemu:///system"], host_lock))
    assert hostcheck.lock_host(["test:///default"], host_lock) is None


def test_the_disks_to_create_are_the_datastore_ones():
    xml = xmlbuild.to_xml(xmlbuild.domain(ESX_PARAMS, "acert-dom-esx"))
    assert datastore.disk_paths(xml) == [("LocalDS_0", "acert-dom-esx/acert-dom-esx.vmdk")]
    qemu = xmlbuild.to_xml(xmlbuild.domain({"domain_type": "qemu", "guest_arch": "x86_64"}, "acert-dom-q"))
    assert datastore.disk_paths(qemu) == []
