"""Certification inside Avocado-VT jobs: which tests of a job certify what, their results as entries for
the scorer, the job settings of a profile that runs through Avocado-VT, and the command that reruns one
variant.

Avocado-VT keeps a test's Cartesian params out of the job results, so what a test certifies is read from
the job's runnables (runnable.kwargs): cert_test, cert_area, cert_caps, cert_apis, cert_profile,
cert_variant (see avocado_cert.vt.cartesian).
"""

import hashlib
import json
import os
import shlex
import tempfile

from avocado_cert.base import paths
from avocado_cert.report import rerun, results
from avocado_cert.vt import cartesian as vtcfg
from avocado_cert.vt import provider as vtprovider

KIND = "avocado-vt"
JOB_CONFIG_PREFIX = "avocado-cert-vt-"
TESTS_FILE = "vt-tests.json"
# Job settings that decide which Cartesian variants a reference resolves to, and their flags; with a
# Cartesian file of its own, Avocado-VT ignores the type, guest, arch, machine and URI settings.
FILE_FLAGS = (("vt.config", "--vt-config"),)
TYPE_FLAGS = (
    ("vt.type", "--vt-type"),
    ("vt.guest_os", "--vt-guest-os"),
    ("vt.common.arch", "--vt-arch"),
    ("vt.common.machine_type", "--vt-machine-type"),
    ("vt.libvirt.connect_uri", "--vt-connect-uri"),
)
FILTER_FLAGS = (("vt.only_filter", "--vt-only-filter"), ("vt.no_filter", "--vt-no-filter"))


def _words(value):
    return tuple(str(value or "").split())


def info_from_kwargs(name, kwargs):
    """What one Avocado-VT variant certifies, from its Cartesian params; None if it certifies nothing."""
    if not kwargs.get("cert_test"):
        return None
    return {
        "name": name,
        "test": str(kwargs["cert_test"]),
        "area": (_words(kwargs.get("cert_area")) or ("",))[0],
        "caps": list(_words(kwargs.get("cert_caps"))),
        "apis": list(_words(kwargs.get("cert_apis"))),
        "profile": str(kwargs.get("cert_profile") or ""),
        "profile_ref": str(kwargs.get("cert_profile_file") or kwargs.get("cert_profile") or ""),
        "variant": str(kwargs.get("cert_variant") or ""),
    }


def cert_tests(runnables):
    """{test name: info} of the certification variants among a job's runnables."""
    found = {}
    for runnable in runnables:
        if getattr(runnable, "kind", None) != KIND:
            continue
        info = info_from_kwargs(runnable.uri, getattr(runnable, "kwargs", None) or {})
        if info is not None:
            found[runnable.uri] = info
    return found


def _test_name(test):
    name = test.get("name")
    if hasattr(name, "name"):
        return name.name
    match = results.TEST_ID_RE.match(str(name or test.get("id") or ""))
    return match.group("name") if match else str(name)


def entries(result_tests, infos):
    """results.json-shaped entries of the certification variants, with the test and variant they certify."""
    found = []
    for test in result_tests or []:
        info = infos.get(_test_name(test))
        if info is None:
            continue
        (entry,) = results.entries_from_result([test])  # pylint: disable=unbalanced-tuple-unpacking
        entry["test"] = info["name"]
        entry["variant"] = info["variant"]
        entry["tags"] = {
            "area": [info["area"]] if info["area"] else [],
            "cap": info["caps"],
            "api": info["apis"],
        }
        found.append(entry)
    return found


def expected(infos):
    """(test, variant) -> tags of every certification variant the job was asked to run."""
    return {
        (info["name"], info["variant"]): {"area": info["area"], "caps": info["caps"], "apis": info["apis"]}
        for info in infos.values()
    }


def profile_spec(infos):
    """The --cert-profile spec and variant ids that the job's certification variants score for."""
    profiles = sorted({info["profile_ref"] for info in infos.values() if info["profile_ref"]})
    variants = sorted({info["variant"] for info in infos.values() if info["variant"]})
    return ",".join(profiles), variants


def save(cert_dir, infos):
    """Keep what each variant certifies beside the report: results.json alone cannot say it."""
    os.makedirs(cert_dir, exist_ok=True)
    with open(os.path.join(cert_dir, TESTS_FILE), "w", encoding="utf-8") as out:
        json.dump(infos, out, indent=1, sort_keys=True)


def suite_config():
    """The standalone Cartesian file of the suite (for --vt-config)."""
    return paths.cfg_path("vt", "subtests.cfg")


def is_suite_config(path):
    """The suite's own subtests.cfg, or one written for a profile run."""
    real = os.path.realpath(path)
    if real == os.path.realpath(suite_config()):
        return True
    return os.path.basename(os.path.dirname(real)).startswith(JOB_CONFIG_PREFIX)


def prepare_job(config):
    """What a job that runs the suite's Cartesian file needs, so that its user need not know it:
    Avocado-VT names the variants by their short names (else every one is called `acert`), and finds
    the `acert` test type through the registered test provider."""
    path = config.get("vt.config")
    if not path or not os.path.isfile(path):
        return
    if is_suite_config(path):
        config["vt.short_names_when_config"] = True
    vtprovider.ensure()


# --- rerunning one variant ------------------------------------------------------------------------
def options(config):
    """The `avocado run` flags that make Avocado-VT resolve names as this job did."""
    has_file = bool(config.get("vt.config"))
    args = []
    for key, flag in (FILE_FLAGS if has_file else TYPE_FLAGS) + FILTER_FLAGS:
        value = config.get(key)
        if value:
            args += [flag, os.path.abspath(value) if key == "vt.config" else str(value)]
    if has_file and config.get("vt.short_names_when_config"):
        args.append("--vt-short-names-when-config")
    extra = config.get("vt.extra_params") or []
    for param in [extra] if isinstance(extra, str) else extra:
        args += ["--vt-extra-params", str(param)]
    return args


def rerun_command(name, vt_args, criteria_ref=None):
    """`avocado run` of exactly one Avocado-VT variant, with the job's Avocado-VT settings."""
    parts = ["avocado", "run", *vt_args]
    if criteria_ref:
        parts += ["--cert-criteria", criteria_ref]
    parts.append(name)
    return " ".join(shlex.quote(part) for part in parts)


def rerun_for(infos, config):
    """rec -> the command that reruns that certification variant with this job's Avocado-VT settings."""
    args = options(config)
    criteria_ref = config.get("cert.criteria")

    def command(rec):
        return rerun_command(rec.test, args, criteria_ref) if rec.test in infos else None

    return command


def profile_rerun_for(plan, spec, config):
    """rec -> the rerun of one variant of a profile run that --cert-runner sent through Avocado-VT."""
    refs = plan.profile_refs(spec)
    runner = config.get("cert.runner")
    criteria_ref = config.get("cert.criteria")

    def command(rec):
        ref = refs.get(rec.profile)
        return rerun.command(rec, ref, criteria_ref, runner) if ref else None

    return command


# --- profiles that run through Avocado-VT ---------------------------------------------------------
def uses_vt(plan):
    return any(prof.runner == "vt" for prof in plan.profiles)


def _suite_names(ref):
    """The <area>[.<Class>[.<method>]] names a native test reference stands for; None if it is not one."""
    path, _sep, selector = ref.partition(":")
    if not os.path.exists(path):
        return None
    rel = os.path.relpath(os.path.realpath(path), os.path.realpath(paths.suite_dir()))
    if rel.startswith(os.pardir):
        return None
    if rel == os.curdir:
        return [""]
    area = rel.split(os.sep)[0]
    if os.path.isdir(path):
        return [area]
    # A selector as `avocado cert` writes it in rerun commands: ^Class\.method$
    selector = selector.strip("^$").replace("\\", "")
    if selector:
        return [f"{area}.{selector}"]
    return sorted({f"{area}.{cls}" for _a, file, cls, _m, _t in vtcfg.suite_tests() if file == rel})


def translate_references(plan, given):
    """Avocado-VT references of a profile run: acert.<profile>.<variant>[.<area>...] per selected variant.

    Native references to the suite (tests/host, tests/host/test_x.py:Class.method) become the same tests'
    variants; anything else (already an Avocado-VT name) is kept as it is."""
    targets = [f"{vtcfg.TOP}.{v.profile}.{v.id}" for v in plan.variants]
    if not given:
        return targets
    refs = []
    for ref in given:
        names = _suite_names(ref)
        if names is None:
            refs.append(ref)
            continue
        refs.extend(f"{target}.{name}" if name else target for target in targets for name in names)
    return refs


def write_job_config(plan, where=None):
    """The subtests.cfg of a profile run: the suite's tests x the plan's selected variants.

    Written once per distinct content under the temporary folder, so repeated runs reuse it.
    """
    text = vtcfg.job_config(plan.profiles, plan.variants)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    folder = os.path.join(where or tempfile.gettempdir(), f"{JOB_CONFIG_PREFIX}{digest}")
    path = os.path.join(folder, "subtests.cfg")
    if not os.path.isfile(path):
        os.makedirs(folder, exist_ok=True)
        partial = f"{path}.{os.getpid()}"
        with open(partial, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(partial, path)
    return path
