"""Running one certification test inside an Avocado-VT test: the same CertTest code as the native suite.

The Avocado-VT module (cfg/vt/provider/libvirt/tests/src/acert.py) hands its test and Cartesian params
here. The CertTest method named by cert_test runs with the params of its profile variant (cert_profile,
cert_variant), overlaid by the cert_* Cartesian params (cert_uri, cert_domain_type, ...), and its outcome
becomes Avocado-VT's: FAIL -> test.fail, ERROR -> test.error, UNSUPPORTED and SKIP -> test.cancel (the
reason keeps its UNSUPPORTED:/SKIP: prefix, so the scorer reads it back), PASS -> return.
"""

import importlib.util
import os
import sys

from avocado_cert.base import outcome, paths
from avocado_cert.base.errors import CertError
from avocado_cert.plan import profile as profile_mod
from avocado_cert.plan import variants as variants_mod
from avocado_cert.vt import cartesian as vtcfg

PREFIX = "cert_"
# Cartesian params that say what a variant certifies; they are not params of the test itself.
META = ("cert_test", "cert_area", "cert_caps", "cert_apis", "cert_profile_file")
RENAMED = {"cert_profile": "profile", "cert_variant": "variant_id"}
_TRUE = ("yes", "true", "on", "1")
_FALSE = ("no", "false", "off", "0")


def _coerce(text, like):
    """A Cartesian string as the type of the profile's value it replaces."""
    if isinstance(like, bool):
        lowered = text.strip().lower()
        if lowered in _TRUE or lowered in _FALSE:
            return lowered in _TRUE
        return text
    for kind in (int, float):
        if isinstance(like, kind):
            try:
                return kind(text)
            except ValueError:
                return text
    return text


def profile_params(profile_ref, variant_id):
    """The typed params of one profile variant, as the cert varianter gives them ({} if unknown)."""
    if not profile_ref:
        return {}
    try:
        crossed = variants_mod.cross(profile_mod.load(profile_ref))
    except CertError:
        return {}
    for variant in crossed:
        if variant.id == variant_id or (not variant_id and len(crossed) == 1):
            return dict(variant.params)
    return {}


def test_params(vt_params):
    """The CertTest params of an Avocado-VT variant: its profile variant's, overlaid by cert_* params."""
    given = {
        key: str(value) for key, value in vt_params.items() if key.startswith(PREFIX) and key not in META
    }
    profile_ref = vt_params.get("cert_profile_file") or given.get("cert_profile")
    params = profile_params(profile_ref, given.get("cert_variant"))
    for key, text in given.items():
        name = RENAMED.get(key, key[len(PREFIX) :])
        if name in params and vtcfg.encode(params[name]) == text:
            continue  # unchanged: keep the profile's typed value
        params[name] = _coerce(text, params.get(name))
    if not params.get("uri") and vt_params.get("connect_uri"):
        params["uri"] = vt_params["connect_uri"]
    return params


def split_test(cert_test):
    """'area/test_x.py:Class.method' -> (absolute file, Class, method)."""
    path, sep, name = str(cert_test).rpartition(":")
    cls, dot, method = name.partition(".")
    if not sep or not dot or not path:
        raise CertError(f"cert_test: expected 'area/test_file.py:Class.method', got '{cert_test}'")
    full = path if os.path.isabs(path) else os.path.join(paths.suite_dir(), path)
    if not os.path.isfile(full):
        raise CertError(f"cert_test: no such test file {full}")
    return full, cls, method


def load_class(path, cls):
    """The test class, imported from its file as Avocado's loader does (the file's folder on sys.path)."""
    name = "acert_" + os.path.relpath(path, paths.suite_dir()).replace(os.sep, "_").replace(".", "_")
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        folder = os.path.dirname(path)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    try:
        return getattr(module, cls)
    except AttributeError:
        raise CertError(f"cert_test: {path} has no class {cls}") from None


def run_cert_test(cert_test, params, logdir, config=None):
    """Run one CertTest method with these params; return the finished test (status, fail_reason, ...)."""
    from avocado.core.test_id import TestID  # pylint: disable=import-outside-toplevel
    from avocado.core.tree import TreeNode  # pylint: disable=import-outside-toplevel

    path, cls, method = split_test(cert_test)
    klass = load_class(path, cls)
    if not hasattr(klass, method):
        raise CertError(f"cert_test: {cls} has no test method {method}")
    name = TestID(1, cert_test, variant={"variant_id": params.get("variant_id", "")})
    test = klass(
        methodName=method,
        name=name,
        params=([TreeNode("", params)], ["/"]),
        base_logdir=logdir,
        config=config,
    )
    test.run_avocado()
    return test


def details(test):
    """The fail reason, with the libvirt error (code, domain, message) that caused it when there was one."""
    reason = str(test.fail_reason or "")
    error = getattr(test, "libvirt_error", None)
    if error and error not in reason:
        reason = f"{reason} [{error}]" if reason else error
    return reason


def report(vt_test, test):
    """Turn the finished CertTest's outcome into the Avocado-VT test's."""
    status = test.status
    reason = details(test)
    if test.whiteboard:
        vt_test.whiteboard = test.whiteboard  # what the test recorded (metrics) goes to the job results
    if status in ("PASS", "WARN"):
        vt_test.log.info("certification test %s: %s", test.name.name, status)
        return
    if status in ("CANCEL", "SKIP"):
        if not reason.startswith((outcome.UNSUPPORTED_PREFIX, outcome.SKIP_PREFIX)):
            reason = f"{outcome.SKIP_PREFIX}{reason}"
        vt_test.cancel(reason)
    if status == "FAIL":
        vt_test.fail(reason)
    vt_test.error(reason if status == "ERROR" else f"{status}: {reason}")


def run(vt_test, vt_params):
    """The body of the Avocado-VT test: run the variant's CertTest method and report its outcome."""
    cert_test = vt_params.get("cert_test")
    if not cert_test:
        vt_test.error("not a certification variant: no cert_test param")
    params = test_params(vt_params)
    vt_test.log.info("certification test %s with %s", cert_test, params)
    try:
        test = run_cert_test(
            cert_test, params, os.path.join(vt_test.logdir, "cert"), getattr(vt_test, "_config", None)
        )
    except CertError as err:
        vt_test.error(str(err))
    report(vt_test, test)
