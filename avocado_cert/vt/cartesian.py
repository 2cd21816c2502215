"""The Cartesian files that expose the certification tests to Avocado-VT, generated from the tests' own
tags (read statically with Avocado's safeloader) and from the profiles in cfg/profiles.

Every certification test x profile variant becomes one Avocado-VT variant named
acert.<profile>.<variant>.<area>.<Class>.<method>, whose params say what it certifies (cert_test,
cert_area, cert_caps, cert_apis, cert_profile, cert_variant) and the variant's own params (cert_uri,
cert_domain_type, ...). Generated files:

  cfg/vt/acert-tests.cfg                        the tests (and cfg/vt/acert-params.cfg): read once here, so
                                                no run has to read the tests' sources again
  cfg/vt/acert.cfg                              the tests x every shipped profile's variants; included by
                                                cfg/vt/subtests.cfg (--vt-config) or by any Cartesian file
  cfg/vt/provider/libvirt/tests/cfg/acert.cfg   the same, inline, as the test provider's `- acert:` entry

Usage: python -m avocado_cert.vt.cartesian [--check]   (--check: exit 1 if the committed files are stale)
"""

import os
import re
import sys

from avocado_cert.base import paths
from avocado_cert.base.errors import CertError
from avocado_cert.framework.safeloader import find_avocado_tests
from avocado_cert.plan import profile as profile_mod
from avocado_cert.plan import session

TOP = "acert"
TEST_TYPE = "acert"
NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
INDENT = "    "
# Params of a profile variant that are the variant's identity, not a setting of the test.
IDENTITY_KEYS = {"profile": "cert_profile", "variant_id": "cert_variant"}


def tests_path():
    return paths.cfg_path("vt", "acert-tests.cfg")


def body_path():
    return paths.cfg_path("vt", "acert.cfg")


def provider_path():
    return paths.cfg_path("vt", "provider", "libvirt", "tests", "cfg", "acert.cfg")


def params_path():
    return paths.cfg_path("vt", "acert-params.cfg")


def encode(value):
    """A param value as Cartesian text; booleans in Avocado-VT's yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _check_name(name, what):
    if not NAME_RE.match(name):
        raise CertError(
            f"{what} '{name}' cannot be an Avocado-VT variant name (letters, digits, _ and - only)"
        )
    return name


def file_tests(path):
    """[(Class, method, tags)] of one test file, read statically as Avocado's loader reads it."""
    classes, _disabled = find_avocado_tests(path)
    return [(cls, method, tags) for cls, methods in classes.items() for method, tags, _req in methods]


def suite_tests(suite_dir=None):
    """[(area, relpath, Class, method, tags)] of every certification test, by area, file and order."""
    suite_dir = suite_dir or paths.suite_dir()
    found = []
    for area in sorted(os.listdir(suite_dir)):
        folder = os.path.join(suite_dir, area)
        if not os.path.isdir(folder) or area.startswith((".", "_")):
            continue
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
            for name in sorted(files):
                if name.startswith("test_") and name.endswith(".py"):
                    path = os.path.join(root, name)
                    rel = os.path.relpath(path, suite_dir)
                    found.extend((area, rel, *test) for test in file_tests(path))
    return found


def _test_lines(tests):
    lines = ["variants:"]
    by_area = {}
    for entry in tests:
        by_area.setdefault(entry[0], []).append(entry)
    seen = set()
    for area, entries in by_area.items():
        lines.append(f"{INDENT}- {_check_name(area, 'test area')}:")
        lines.append(f"{INDENT * 2}variants:")
        by_class = {}
        for entry in entries:
            by_class.setdefault(entry[2], []).append(entry)
        for cls, methods in by_class.items():
            lines.append(f"{INDENT * 3}- {_check_name(cls, 'test class')}:")
            lines.append(f"{INDENT * 4}variants:")
            for _area, rel, _cls, method, tags in methods:
                key = (area, cls, method)
                if key in seen:
                    raise CertError(f"{area}: two test files define {cls}.{method}", rel)
                seen.add(key)
                lines.append(f"{INDENT * 5}- {_check_name(method, 'test method')}:")
                inner = INDENT * 6
                lines.append(f"{inner}cert_test = {rel}:{cls}.{method}")
                lines.append(f"{inner}cert_area = {' '.join(sorted(tags.get('area') or [area]))}")
                lines.append(f"{inner}cert_caps = {' '.join(sorted(tags.get('cap') or []))}")
                lines.append(f"{inner}cert_apis = {' '.join(sorted(tags.get('api') or []))}")
    return lines


def _profile_filter(prof):
    """The `only` line that keeps a profile's own areas (its `tests:` files add their areas)."""
    areas = list(prof.areas)
    for ref in prof.tests:
        area = ref.split(":", 1)[0].split("/", 1)[0]
        if area and area not in areas:
            areas.append(area)
    return "only " + ", ".join(areas)


def _target_lines(profiles, selected):
    """The profile x variant dimension: the selected variants of each profile."""
    lines = ["variants:"]
    for prof in profiles:
        crossed = [v for v in selected if v.profile == prof.name]
        if not crossed:
            continue
        lines.append(f"{INDENT}- {_check_name(prof.name, 'profile name')}:")
        lines.append(f"{INDENT * 2}{_profile_filter(prof)}")
        if prof.path and os.path.dirname(prof.path) != paths.profiles_dir():
            # A profile given by its path: the adapter and the scorer load it from there.
            lines.append(f"{INDENT * 2}cert_profile_file = {prof.path}")
        lines.append(f"{INDENT * 2}variants:")
        for variant in crossed:
            lines.append(f"{INDENT * 3}- {_check_name(variant.id, 'variant id')}:")
            inner = INDENT * 4
            if variant.params.get("uri"):
                # Avocado-VT's own connection (its set-up checks) goes to the same URI as the test's.
                lines.append(f"{inner}connect_uri = {variant.params['uri']}")
            for key, value in sorted(variant.params.items()):
                name = IDENTITY_KEYS.get(key, f"cert_{key}")
                lines.append(f"{inner}{name} = {encode(value)}")
    return lines


GENERATED = (
    "# Generated by `python -m avocado_cert.vt.cartesian` from {what}: do not edit.",
    "# Variants: acert.<profile>.<variant>.<area>.<Class>.<method>",
)


def _text(what, lines):
    return "\n".join([line.format(what=what) for line in GENERATED] + lines) + "\n"


def tests_text(suite_dir=None):
    """The text of cfg/vt/acert-tests.cfg: the Avocado-VT params, then the tests by area and class."""
    with open(params_path(), encoding="utf-8") as src:
        header = src.read().rstrip("\n").splitlines()
    return _text("cfg/vt/acert-params.cfg and the tests' tags", header + _test_lines(suite_tests(suite_dir)))


def shipped_targets():
    """Every shipped profile, and its variants as a run of it selects them (a reduced cross stays reduced)."""
    plans = [session.plan(name) for name in profile_mod.available()]
    return [prof for plan in plans for prof in plan.profiles], [v for plan in plans for v in plan.variants]


def body(include, profiles, selected):
    """The tests (through an include of acert-tests.cfg) x the selected variants of these profiles."""
    return _text("cfg/profiles", [f"include {include}", *_target_lines(profiles, selected)])


def as_entry(text, indent=""):
    """Text as the body of an `- acert:` variant (what bootstrap copies into its subtests.cfg)."""
    lines = [f"{indent}- {TOP}:"]
    lines.extend(f"{indent}{INDENT}{line}" if line.strip() else line for line in text.splitlines())
    return "\n".join(lines) + "\n"


def job_config(profiles, selected):
    """A subtests.cfg of the tests x these variants, for a profile that runs through Avocado-VT."""
    return "variants:\n" + as_entry(body(tests_path(), profiles, selected), INDENT)


def outputs():
    tests = tests_text()
    profiles, selected = shipped_targets()
    targets = "\n".join(_target_lines(profiles, selected)) + "\n"
    return {
        tests_path(): tests,
        body_path(): body(os.path.basename(tests_path()), profiles, selected),
        provider_path(): as_entry(tests + targets),
    }


def _read(path):
    try:
        with open(path, encoding="utf-8") as src:
            return src.read()
    except OSError:
        return None


def stale():
    """The generated files whose committed text differs from what the suite gives now."""
    return [path for path, text in outputs().items() if _read(path) != text]


def write():
    written = []
    for path, text in outputs().items():
        if _read(path) != text:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as out:
                out.write(text)
            written.append(path)
    return written


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        if "--check" in argv:
            old = stale()
            for path in old:
                print(f"{path}: out of date; run python -m avocado_cert.vt.cartesian", file=sys.stderr)
            return 1 if old else 0
        for path in write():
            print(f"wrote {path}")
    except CertError as details:
        print(f"avocado_cert.vt.cartesian: {details}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
