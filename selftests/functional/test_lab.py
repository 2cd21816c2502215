"""The community's lab (centralized mode) end to end: the catalog on PostgreSQL with the task queue
in it, two test-driver lab hosts registered from libvirt, a worker process each, requests filed
through the API and certified by `avocado run` on the hosts, signed by the lab's key."""

import datetime
import json
import os

import libvirt
import pytest

from avocado_cert.base import paths, xmlsafe
from avocado_cert.base.errors import CertError
from avocado_cert.lab.runner import Runner
from selftests.conftest import avocado
from selftests.functional import catalog_env, lab_env, private_libvirtd

HOSTS = ("lab-test-1", "lab-test-2")
PROFILE = "lab-mini"
TEST_URI = "test:///default"
PRIVATE_ROOT = "/tmp/acert-lab-libvirtd"  # the lab's own, apart from other selftests' private daemons


@pytest.fixture(autouse=True)
def _suite_as_it_is_now(request):
    """Each test's requests run the suite as it is when the test starts."""
    if "lab" in request.fixturenames:
        request.getfixturevalue("lab").released = False


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    bindir = catalog_env.postgres_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL server programs (initdb, pg_ctl): apt-get install postgresql")
    cluster = catalog_env.Postgres(bindir).start()
    folder = str(tmp_path_factory.mktemp("lab"))
    profile = lab_env.LAB_PROFILE.format(
        name=PROFILE, driver="test", uri=TEST_URI, domain_type="test", arch="i686"
    )
    found = lab_env.Lab(folder, cluster.new_database())
    try:
        found.start(profiles=[(PROFILE, profile)])
        for host in HOSTS:
            found.register(host, TEST_URI)
            found.start_worker(host)
        yield found
    finally:
        found.stop()
        cluster.stop()


def _all_done(found):
    failed = [
        f"{r['id']} {r['state']}: {r['reason']}\n{r.get('log', '')[-1500:]}"
        for r in found.values()
        if r["state"] != "done"
    ]
    if failed:
        raise AssertionError("\n".join(failed))


def _interval(req):
    return datetime.datetime.fromisoformat(req["started_at"]), datetime.datetime.fromisoformat(
        req["finished_at"]
    )


def test_inventory_matches_what_libvirt_reports(lab):
    status, answer = lab.server.request("GET", "/api/v1/lab/hosts")
    assert status == 200
    hosts = {h["name"]: h for h in answer["hosts"]}
    assert set(HOSTS) <= set(hosts)
    conn = libvirt.openReadOnly(TEST_URI)
    try:
        caps = xmlsafe.fromstring(conn.getCapabilities())
        info = conn.getInfo()
        devices = conn.listAllDevices(0)
        expected_caps = {}
        for device in devices:
            for cap in device.listCaps():
                expected_caps[cap] = expected_caps.get(cap, 0) + 1
        inv = hosts[HOSTS[0]]["inventory"]
        assert inv["arch"] == caps.findtext("host/cpu/arch") == hosts[HOSTS[0]]["arch"]
        assert inv["driver"] == conn.getType()
        assert inv["memory_kib"] == info[1] * 1024
        assert inv["cpu"]["cpus"] == info[2]
        topology = caps.find("host/cpu/topology")  # the test driver's capabilities have none
        expected = (
            [int(topology.get(k)) for k in ("sockets", "cores", "threads")]
            if topology is not None
            else info[5:8]
        )
        assert [inv["cpu"][k] for k in ("sockets", "cores", "threads")] == expected
        assert inv["numa_cells"] == int(caps.find("host/topology/cells").get("num"))
        assert inv["node_devices"] == expected_caps
        assert inv["versions"]["daemon"] == "{}.{}.{}".format(*divmod_version(conn.getLibVersion()))
        assert inv["networks"] == sorted(n.name() for n in conn.listAllNetworks(0))
    finally:
        conn.close()
    assert inv["transports"] == ["local"] and inv["uris"] == [TEST_URI]
    # The HTML inventory shows the same hosts.
    status, page = lab.server.request("GET", "/lab")
    assert status == 200 and all(f'data-host="{h}"' in page for h in HOSTS)


def divmod_version(number):
    return number // 1000000, number // 1000 % 1000, number % 1000


def test_request_for_an_arch_no_host_has_is_refused_at_once(lab):
    before = lab.server.request("GET", "/api/v1/lab/requests")[1]["requests"]
    status, answer = lab.file("acme", PROFILE, arch="s390x")
    assert status == 422, answer
    assert "no lab host can serve this request (arch=s390x)" in answer["error"]
    assert all(f"{h} has no arch s390x" in answer["error"] for h in HOSTS)
    assert lab.server.request("GET", "/api/v1/lab/requests")[1]["requests"] == before


def test_vendor_cannot_request_for_another_vendors_product(lab):
    status, answer = lab.file("acme", PROFILE, token=lab.tokens["globex"])
    assert status == 403, answer
    assert "own vendor" in answer["error"]
    status, answer = lab.file("acme", "no-such-profile")
    assert status == 400 and "not a profile this catalog publishes" in answer["error"]


def test_twenty_requests_over_two_workers_all_done_none_twice(lab):
    ids = []
    for index in range(20):
        status, answer = lab.file(lab_env.VENDORS[index % 2], PROFILE, version=f"20.{index}", arch="i686")
        assert status == 201, answer
        ids.append(answer["id"])
    found = lab.wait(ids, timeout=600)
    _all_done(found)
    assert all(req["attempt"] == 1 for req in found.values()), "a request was run more than once"
    certs = [req["certification"] for req in found.values()]
    assert len(set(certs)) == 20
    assert {req["host"] for req in found.values()} == set(HOSTS)
    for host in HOSTS:  # one certification per host at a time: the runs of a host never overlap
        runs = sorted(_interval(req) for req in found.values() if req["host"] == host)
        assert all(end <= nxt_start for (_s, end), (nxt_start, _e) in zip(runs, runs[1:])), runs
    for req in found.values():
        assert req["progress"]["done"] == req["progress"]["total"] > 0
        status, cert = lab.server.request("GET", f"/api/v1/certifications/{req['certification']}")
        assert status == 200 and cert["vendor"] == req["vendor"] and cert["version"] == req["version"]
    assert lab.origin_modes(certs) == {"centralized"}


def test_worker_killed_mid_run_request_completes_after(lab):
    status, answer = lab.file("acme", PROFILE, version="kill.1", arch="i686")
    assert status == 201
    host = answer["host"]
    running = lab.wait([answer["id"]], timeout=120, states=("running",))[answer["id"]]
    assert running["attempt"] == 1
    lab.kill_worker(host)
    lab.start_worker(host)
    final = lab.wait([answer["id"]], timeout=180)[answer["id"]]
    assert final["state"] == "done", final
    assert final["attempt"] == 2  # run again from the start, once
    assert final["progress"]["done"] == final["progress"]["total"] > 0


def _cancel_while_running(lab, tries=3):
    """A request of acme cancelled by acme while it runs: (request before, cancel answer)."""
    for attempt in range(tries):
        status, answer = lab.file("acme", PROFILE, version=f"cancel.{attempt}", arch="i686")
        assert status == 201, answer
        running = lab.wait([answer["id"]], timeout=120, states=("running",) + lab_env.FINAL)[answer["id"]]
        if running["state"] != "running":
            continue  # it finished before it was seen running: file another
        path = f"/api/v1/lab/requests/{answer['id']}/cancel"
        status, refused = lab.server.request("POST", path, {}, lab.tokens["globex"])
        assert status == 403, refused  # another vendor's request
        status, cancelled = lab.server.request("POST", path, {}, lab.tokens["acme"])
        if status == 409 and "done already" in cancelled.get("error", ""):
            continue  # the run won the race
        assert status == 200, cancelled
        return running, cancelled
    raise AssertionError(f"no request of {tries} was seen running long enough to cancel it")


def test_cancel_stops_a_running_request_and_frees_its_host(lab):
    running, cancelled = _cancel_while_running(lab)
    assert cancelled["state"] == "cancelled" and cancelled["finished_at"]
    request_path = f"/api/v1/lab/requests/{running['id']}/cancel"
    status, again = lab.server.request("POST", request_path, {}, lab.tokens["acme"])
    assert status == 409 and "cancelled already" in again["error"], again
    # The host's worker stops the job at its next progress report and takes new work.
    status, nxt = lab.file("acme", PROFILE, version="after-cancel", arch="i686")
    assert status == 201, nxt
    _all_done(lab.wait([nxt["id"]], timeout=300))
    final = lab.get(running["id"])
    assert final["state"] == "cancelled", final
    assert final["certification"] is None, "a cancelled request was certified"
    assert final["finished_at"] == cancelled["finished_at"], "the cancelled run reported a finish"
    assert final["attempt"] == running["attempt"]


def test_catalog_restart_loses_nothing(lab):
    ids = [lab.file("globex", PROFILE, version=f"restart.{i}")[1]["id"] for i in range(4)]
    lab.server.stop()
    lab.server.start()
    found = lab.wait(ids, timeout=300)
    _all_done(found)


def test_only_the_lab_key_makes_a_centralized_certification(lab, tmp_path):
    """A vendor's key cannot sign a centralized run; the lab's key can (the worker's bundles)."""
    status, answer = lab.file("acme", PROFILE, version="key.1")
    done = lab.wait([answer["id"]], timeout=180)[answer["id"]]
    assert done["state"] == "done"
    results = str(tmp_path / "results")
    proc = avocado(
        "run", "--cert-profile", os.path.join(lab.folder, f"{PROFILE}.yaml"), "--job-results-dir", results
    )
    assert proc.returncode in (0, 1, 3), proc.stdout + proc.stderr
    job = [os.path.join(results, n) for n in os.listdir(results) if n.startswith("job-")][0]
    origin = [
        "--vendor",
        "acme",
        "--product",
        lab_env.PRODUCT,
        "--product-version",
        "key.2",
        "--mode",
        "centralized",
    ]
    forged = str(tmp_path / "forged.tar.gz")
    vendor_key = os.path.join(lab.folder, "acme.key")
    assert avocado("cert", "bundle", job, "--key", vendor_key, "-o", forged, *origin).returncode == 0
    status, answer = lab.server.request(
        "POST",
        f"/api/v1/products/acme/{lab_env.PRODUCT}/versions/key.2/bundles",
        open(forged, "rb").read(),
        lab.tokens["acme"],
        content_type="application/gzip",
    )
    assert status == 422 and "lab's key" in json.dumps(answer), answer
    signed = str(tmp_path / "lab.tar.gz")
    assert avocado("cert", "bundle", job, "--key", lab.key, "-o", signed, *origin).returncode == 0
    status, answer = lab.server.request(
        "POST",
        f"/api/v1/products/acme/{lab_env.PRODUCT}/versions/key.2/bundles",
        open(signed, "rb").read(),
        lab.tokens["admin"],
        content_type="application/gzip",
    )
    assert status == 201, answer
    status, cert = lab.server.request("GET", f"/api/v1/certifications/{answer['id']}")
    assert status == 200 and cert["mode"] == "centralized"
    status, page = lab.server.request("GET", f"/certifications/{answer['id']}")
    assert status == 200 and "the community lab (centralized)" in page


def test_lab_pages_render_in_a_browser(lab, browser):
    """The inventory and the request list with progress, as a browser lays them out."""
    status, answer = lab.file("acme", PROFILE, version="page.1")
    assert status == 201
    lab.wait([answer["id"]], timeout=180)
    browser.get(lab.server.url + "/lab")
    rows = [
        r
        for r in browser.find_elements("css selector", "tr.lab-host")
        if r.get_attribute("data-host") in HOSTS
    ]
    assert len(rows) == len(HOSTS)
    assert all("i686" in row.text and "TEST" in row.text for row in rows)
    browser.find_element("link text", "Certification requests").click()
    row = browser.find_element("css selector", f'tr.lab-request[data-request="{answer["id"]}"]')
    assert row.find_element("css selector", "td.state").text == "done"
    bar = row.find_element("css selector", "td.progress progress")
    assert bar.get_attribute("value") == bar.get_attribute("max") != "0"
    assert bar.size["width"] > 0  # laid out, not hidden
    assert "—" in row.text  # an anonymous reader does not see whose product it is
    row.find_element("link text", str(answer["id"])).click()
    assert f"Certification request {answer['id']}" in browser.find_element("css selector", "h1").text
    assert not browser.execute_script("return document.querySelector('script')")


def test_inventory_of_a_real_libvirtd_matches_what_it_reports(lab):
    """A lab host that is a real daemon (a private libvirtd in its own namespaces), registered over
    its own socket: the inventory is what that daemon reports."""
    why = private_libvirtd.available()
    if why:
        pytest.skip(f"no private libvirtd: {why}")
    daemon = private_libvirtd.PrivateLibvirtd(root=PRIVATE_ROOT)
    try:
        daemon.start()
        lab.register("lab-qemu-1", daemon.uri)
        hosts = {h["name"]: h for h in lab.server.request("GET", "/api/v1/lab/hosts")[1]["hosts"]}
        inv = hosts["lab-qemu-1"]["inventory"]
        conn = libvirt.openReadOnly(daemon.uri)
        try:
            caps = xmlsafe.fromstring(conn.getCapabilities())
            assert inv["driver"] == conn.getType() == "QEMU"
            assert inv["arch"] == caps.findtext("host/cpu/arch")
            assert inv["cpu"]["model"] == caps.findtext("host/cpu/model")
            assert inv["memory_kib"] == conn.getInfo()[1] * 1024
            pools = xmlsafe.fromstring(conn.getStoragePoolCapabilities(0))
            assert inv["storage_backends"] == sorted(
                p.get("type") for p in pools.findall("pool") if p.get("supported") == "yes"
            )
            assert "dir" in inv["storage_backends"]
            domain_types = {d.get("type") for d in caps.findall("guest/arch/domain")}
            assert inv["accel"] == ("kvm" if "kvm" in domain_types else "tcg")
            assert inv["versions"]["hypervisor"] == "{}.{}.{}".format(*divmod_version(conn.getVersion()))
            assert inv["transports"] == ["unix"] and inv["uris"] == [daemon.uri]
            assert set(inv["subdrivers"]) >= {"domain", "network", "storage", "nodedev", "secret", "nwfilter"}
        finally:
            conn.close()
    finally:
        daemon.stop()


def test_worker_refuses_a_suite_the_catalog_has_not_released(lab, tmp_path, monkeypatch):
    """A lab host whose installed suite differs from every released one runs nothing."""
    installed = lab_env.freeze_suite(str(tmp_path / "installed"))
    with open(os.path.join(installed, "tests", "host", "test_unreleased.py"), "w", encoding="utf-8") as out:
        out.write("# not part of any released suite\n")
    monkeypatch.setenv(paths.ENV_HOME, installed)
    paths.home.cache_clear()
    try:
        runner = Runner(lab.server.url, lab.tokens["admin"], HOSTS[0], lab.key, str(tmp_path / "work"))
        with pytest.raises(CertError, match="is not a suite the catalog has released"):
            runner.fetch_config(str(tmp_path / "config"), PROFILE, "")
    finally:
        monkeypatch.delenv(paths.ENV_HOME)
        paths.home.cache_clear()
    # The same host with the released suite gets the published profile, byte for byte.
    lab.release_this_suite()
    monkeypatch.setenv(paths.ENV_HOME, lab.home)
    paths.home.cache_clear()
    try:
        profile, _criteria = runner.fetch_config(str(tmp_path / "config"), PROFILE, "1.0")
    finally:
        monkeypatch.delenv(paths.ENV_HOME)
        paths.home.cache_clear()
    with (
        open(profile, encoding="utf-8") as src,
        open(os.path.join(lab.folder, f"{PROFILE}.yaml"), encoding="utf-8") as ref,
    ):
        assert src.read() == ref.read()
