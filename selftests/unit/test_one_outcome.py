"""One outcome per API: no test tags several entry points of one operation while its first call can end
it UNSUPPORTED before the others are checked, except those data/api/one-outcome.yaml names."""

import ast
import os
import textwrap

from avocado_cert.apisurface import coverage, libvirt_api, oneoutcome, pybindings
from avocado_cert.base import paths

PYTHON_NAMES = {
    "virDomainCreateXML": "virConnect.createXML",
    "virDomainCreateWithFlags": "virDomain.createWithFlags",
    "virDomainSuspend": "virDomain.suspend",
    "virDomainResume": "virDomain.resume",
}


def _method(source):
    return ast.parse(textwrap.dedent(source)).body[0]


def _problem(source, apis):
    return oneoutcome.problem("t", set(apis), _method(source), PYTHON_NAMES.get)


def test_sequence_of_entry_points_is_flagged():
    source = """
    def test(self):
        self.conn.createXML(xml, libvirt.VIR_DOMAIN_START_PAUSED)
        dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
    """
    found = _problem(source, ["virDomainCreateXML", "virDomainCreateWithFlags"])
    assert found and "virDomainCreateXML is called first" in found


def test_entry_point_called_elsewhere_is_flagged():
    source = """
    def test(self):
        dx.create(self, root, libvirt.VIR_DOMAIN_START_PAUSED)
        dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
    """
    assert "does not call each" in _problem(source, ["virDomainCreateXML", "virDomainCreateWithFlags"])


def test_guarded_first_call_and_dependent_apis_pass():
    guarded = """
    def test(self):
        try:
            self.conn.createXML(xml, 0)
        except libvirt.libvirtError as err:
            self.log.info("%s", err)
        dom.createWithFlags(0)
    """
    assert _problem(guarded, ["virDomainCreateXML", "virDomainCreateWithFlags"]) is None
    dependent = """
    def test(self):
        dom.suspend()
        dom.resume()
    """
    assert _problem(dependent, ["virDomainSuspend", "virDomainResume"]) is None


def test_suite_follows_the_rule():
    bindings = pybindings.load(libvirt_api.load())
    tests = coverage.scan_tests([paths.suite_dir()])
    home = paths.home()
    problems = oneoutcome.check(
        tests, bindings.python_name, lambda test_id: os.path.join(home, test_id.rpartition(":")[0])
    )
    excepted = oneoutcome.load_exceptions()
    unexplained = [text for test_id, text in problems if test_id not in excepted]
    assert not unexplained, "split these tests, or name them in data/api/one-outcome.yaml:\n" + "\n".join(
        unexplained
    )
    flagged = {test_id for test_id, _text in problems}
    stale = sorted(set(excepted) - flagged)
    assert not stale, f"data/api/one-outcome.yaml names tests that no longer need it: {stale}"
