"""The scope-flag table (data/scope-flags.yaml) and the test file generated from it.

Each call of the table gets one test method per (domain state, scope) combination, so every call x scope
has its own outcome and its own tags (`api:` the call, `scope:STATE.SCOPE`): coverage reads them
statically. `python -m avocado_cert.testing.scopetable` writes tests/flags/test_scope_flags.py;
`--check` only says whether it is up to date (a selftest runs it)."""

import argparse
import os
import sys

from avocado_cert.base import paths
from avocado_cert.base.datafile import load_yaml
from avocado_cert.base.errors import CertError

SCOPE_NAMES = {
    "current": "AFFECT_CURRENT",
    "live": "AFFECT_LIVE",
    "config": "AFFECT_CONFIG",
    "live_config": "AFFECT_LIVE|AFFECT_CONFIG",
}
STATES = ("running", "shutoff")
OBJECTS = ("domain", "network")
FORMS = ("text", "cpuset", "ids")
KEYS = {
    "object",
    "build",
    "device",
    "apply",
    "getter",
    "pick",
    "form",
    "xpath",
    "value",
    "wait",
    "needs_cpus",
    "needs_cells",
}
# build: what the domain builder takes itself, and what the scope-flag kit adds to its domain.
BUILDER_KEYS = {"vcpus", "max_vcpus", "memory_kib"}
BUILD_KEYS = BUILDER_KEYS | {
    "kernel",
    "acpi",
    "memballoon",
    "scsi_controller",
    "disk",
    "interface",
    "iothreads",
    "numatune",
}
DEVICES = {"disk", "interface"}
CAPABILITY = "flags.scope_matrix"
GENERATED = os.path.join("flags", "test_scope_flags.py")


def table_path():
    return paths.data_path("scope-flags.yaml")


def combinations(path=None):
    """[(state, scope)] the table certifies every call for."""
    path = path or table_path()
    document, _raw = load_yaml(path, "scope-flag table")
    pairs = document.get("combinations") or []
    for pair in pairs:
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or pair[0] not in STATES
            or pair[1] not in SCOPE_NAMES
        ):
            raise CertError(
                f"combinations: {pair!r} is not [state, scope] (states {STATES}, scopes {tuple(SCOPE_NAMES)})",
                path,
            )
    if not pairs:
        raise CertError("combinations: expected a list of [state, scope]", path)
    return [tuple(pair) for pair in pairs]


def load(path=None):
    """{api: entry} of the table, checked: unknown keys, objects or forms are errors naming the call."""
    path = path or table_path()
    document, _raw = load_yaml(path, "scope-flag table")
    calls = document.get("calls")
    if not isinstance(calls, dict) or not calls:
        raise CertError("calls: expected a mapping of API name -> entry", path)
    for api, entry in calls.items():
        if not isinstance(entry, dict):
            raise CertError(f"calls.{api}: expected a mapping", path)
        unknown = set(entry) - KEYS
        if unknown:
            raise CertError(f"calls.{api}: unknown key '{sorted(unknown)[0]}'", path)
        for key in ("object", "apply", "xpath", "value"):
            if key not in entry:
                raise CertError(f"calls.{api}: '{key}' is required", path)
        if entry["object"] not in OBJECTS:
            raise CertError(
                f"calls.{api}.object: '{entry['object']}' is not one of {', '.join(OBJECTS)}", path
            )
        if entry.get("form", "text") not in FORMS:
            raise CertError(f"calls.{api}.form: '{entry['form']}' is not one of {', '.join(FORMS)}", path)
        if not isinstance(entry["apply"], list) or not entry["apply"]:
            raise CertError(f"calls.{api}.apply: expected [method, args...]", path)
        unknown = set(entry.get("build") or {}) - BUILD_KEYS
        if unknown:
            raise CertError(f"calls.{api}.build: unknown key '{sorted(unknown)[0]}'", path)
        device = entry.get("device")
        if device is not None and (not isinstance(device, dict) or len(device) != 1 or set(device) - DEVICES):
            raise CertError(f"calls.{api}.device: expected one of {', '.join(sorted(DEVICES))}", path)
        if "{device}" in entry["apply"] and device is None:
            raise CertError(f"calls.{api}: apply passes {{device}} but no 'device' is given", path)
    return calls


def class_name(api):
    """virDomainSetVcpusFlags -> SetVcpusFlags, virNetworkUpdate -> NetworkUpdate."""
    name = api[3:]
    return name[len("Domain") :] if name.startswith("Domain") else name


def _method(api, entry, state, scope):
    inactive = "an inactive persistent" if state == "shutoff" else "a running persistent"
    changes = {
        ("running", "current"): "the live object only",
        ("running", "live"): "the live object only",
        ("running", "config"): "the persistent definition only",
        ("running", "live_config"): "both the live object and the persistent definition",
        ("shutoff", "current"): "the persistent definition",
        ("shutoff", "config"): "the persistent definition",
    }[(state, scope)]
    return f'''
    def test_{state}_{scope}(self):
        """
        {api} with {SCOPE_NAMES[scope]} on {inactive} {entry["object"]} changes {changes}.

        :avocado: tags=api:{api},scope:{state}.{scope}
        """
        self.check("{api}", "{state}", "{scope}")
'''


def render(calls, pairs):
    """The text of the generated test file."""
    parts = [
        '"""Scope flags of every call in data/scope-flags.yaml, one outcome per call x (state, scope).\n\n'
        "Generated by `python -m avocado_cert.testing.scopetable` from the table: edit the table, then\n"
        'regenerate."""\n\n'
        "from avocado_cert.testing.scopeflags import ScopeFlagTest\n"
    ]
    for api, entry in calls.items():
        parts.append(f'\n\nclass {class_name(api)}(ScopeFlagTest):\n    """\n')
        parts.append(f"    :avocado: tags=area:flags,cap:{CAPABILITY}\n" + '    """\n')
        parts.extend(_method(api, entry, state, scope) for state, scope in pairs)
    return "".join(parts)


def generated_path():
    return os.path.join(paths.suite_dir(), GENERATED)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Generate the scope-flag tests from data/scope-flags.yaml")
    parser.add_argument("--check", action="store_true", help="only check that the generated file is current")
    args = parser.parse_args(argv)
    try:
        text = render(load(), combinations())
    except CertError as err:
        print(f"scopetable: {err}", file=sys.stderr)
        return 2
    target = generated_path()
    current = None
    if os.path.exists(target):
        with open(target, encoding="utf-8") as src:
            current = src.read()
    if args.check:
        if current != text:
            print(f"{target}: out of date; run python -m avocado_cert.testing.scopetable", file=sys.stderr)
            return 1
        return 0
    if current != text:
        with open(target, "w", encoding="utf-8") as out:
            out.write(text)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
