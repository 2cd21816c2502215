"""API coverage: which public functions the certification tests check, read statically.

A test covers the functions named by its `api:` tags; the flags it exercises are the libvirt.VIR_*
constants in its method's source that belong to a covered function's flag enums. Functions with no
test are explained by data/api/not-certifiable.yaml (reviewed) or reported as "no test yet".
"""

import ast
import os
import re
from dataclasses import dataclass, field

from avocado_cert.apisurface import depth
from avocado_cert.apisurface import libvirt_api as apisurface
from avocado_cert.apisurface import pybindings
from avocado_cert.base import paths
from avocado_cert.base.datafile import load_yaml
from avocado_cert.base.errors import CertError
from avocado_cert.framework.safeloader import find_avocado_tests
from avocado_cert.plan import profile

COVERED = "covered"
NOT_CERTIFIABLE = "not-certifiable"
NO_TEST = "no-test"
NOT_EXPOSED = "not-exposed"
NO_TEST_REASON = "no test yet"


@dataclass
class TestEntry:
    id: str
    tags: dict  # key -> set of values
    constants: set = field(default_factory=set)

    def values(self, key):
        return set(self.tags.get(key) or ())


def not_certifiable_path():
    return paths.data_path("api", "not-certifiable.yaml")


def load_not_certifiable(surface, path=None):
    """{function: reason} of the reviewed list; unknown functions or empty reasons are errors."""
    path = path or not_certifiable_path()
    document, _raw = load_yaml(path, "not-certifiable list")
    entries = document.get("functions")
    if set(document) - {"functions"}:
        raise CertError(
            f"unknown key '{sorted(set(document) - {'functions'})[0]}' (known keys: functions)", path
        )
    if entries is None:
        return {}
    if not isinstance(entries, dict):
        raise CertError("functions: expected a mapping of function -> reason", path)
    checked = {}
    for name, reason in entries.items():
        if name not in surface.functions:
            raise CertError(f"functions.{name}: not a function of the libvirt API", path)
        if not isinstance(reason, str) or not reason.strip():
            raise CertError(f"functions.{name}: a reason is required", path)
        checked[name] = " ".join(reason.split())
    return checked


# --- reading the tests -----------------------------------------------------------------------------
def _constants(node):
    """Names of libvirt.VIR_* constants (or bare VIR_* names) used under an ast node."""
    found = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Attribute) and child.attr.startswith("VIR_"):
            if isinstance(child.value, ast.Name) and child.value.id == "libvirt":
                found.add(child.attr)
        elif isinstance(child, ast.Name) and child.id.startswith("VIR_"):
            found.add(child.id)
    return found


def _method_constants(path):
    """{class: ({method: constants}, [base names])} of one source file."""
    with open(path, "rb") as stream:
        tree = ast.parse(stream.read(), path)
    classes = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            methods = {
                item.name: _constants(item)
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            }
            bases = [base.id for base in node.bases if isinstance(base, ast.Name)]
            classes[node.name] = (methods, bases)
    return classes


def _lookup(classes, klass, method, seen=()):
    if klass not in classes or klass in seen:
        return set()
    methods, bases = classes[klass]
    if method in methods:
        return methods[method]
    for base in bases:
        found = _lookup(classes, base, method, seen + (klass,))
        if found:
            return found
    return set()


def _python_files(reference):
    if os.path.isfile(reference):
        return [reference]
    if not os.path.isdir(reference):
        raise CertError("no such test file or folder", reference)
    found = []
    for root, dirs, files in os.walk(reference):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        found.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(".py") and f != "__init__.py")
    return found


def _test_id(path, klass, method, base):
    rel = os.path.relpath(path, base)
    shown = path if rel.startswith("..") else rel
    return f"{shown}:{klass}.{method}"


def scan_tests(references, base=None):
    """TestEntry of every Avocado test in the references (files, folders, or file:filter)."""
    base = base or paths.home()
    entries = []
    for reference in references:
        target, _, pattern = reference.partition(":")
        wanted = re.compile(pattern) if pattern else None
        for path in _python_files(target):
            try:
                found, _disabled = find_avocado_tests(path)
                classes = _method_constants(path)
            except SyntaxError as details:
                raise CertError(
                    f"cannot parse test file: {details.msg} (line {details.lineno})", path
                ) from None
            for klass, methods in found.items():
                for method, tags, _deps in methods:
                    if wanted and not wanted.search(f"{klass}.{method}"):
                        continue
                    entries.append(
                        TestEntry(
                            id=_test_id(path, klass, method, base),
                            tags={key: set(value or ()) for key, value in (tags or {}).items()},
                            constants=_lookup(classes, klass, method),
                        )
                    )
    return entries


# --- the report ------------------------------------------------------------------------------------
def _percent(part, whole):
    return round(100.0 * part / whole, 1) if whole else 100.0


def _function_entry(surface, bindings, name, tests, not_certifiable):
    func = surface.functions[name]
    flag_values = surface.flag_values(name)
    used = set()
    for test in tests:
        used |= test.constants & set(flag_values)
    entry = {
        "since": func.since,
        "python": bindings.python_name(name),
        "tests": sorted(test.id for test in tests),
        "flags": {"all": sorted(flag_values), "exercised": sorted(used)},
    }
    if name in bindings.not_exposed:
        entry.update(status=NOT_EXPOSED, reason=bindings.not_exposed[name])
    elif tests:
        entry.update(status=COVERED, reason="")
    elif name in not_certifiable:
        entry.update(status=NOT_CERTIFIABLE, reason=not_certifiable[name])
    else:
        entry.update(status=NO_TEST, reason=NO_TEST_REASON)
    return entry


def _summary(entries):
    counts = {status: 0 for status in (COVERED, NOT_CERTIFIABLE, NO_TEST, NOT_EXPOSED)}
    flag_total = flag_used = 0
    for entry in entries.values():
        counts[entry["status"]] += 1
        if entry["status"] == COVERED:
            flag_total += len(entry["flags"]["all"])
            flag_used += len(entry["flags"]["exercised"])
    exposed = len(entries) - counts[NOT_EXPOSED]
    certifiable = exposed - counts[NOT_CERTIFIABLE]
    return {
        "functions": len(entries),
        "exposed": exposed,
        "covered": counts[COVERED],
        "not_certifiable": counts[NOT_CERTIFIABLE],
        "no_test": counts[NO_TEST],
        "not_exposed": counts[NOT_EXPOSED],
        "percent": _percent(counts[COVERED], certifiable),
        "flags": {"values": flag_total, "exercised": flag_used},
    }


def build(surface, bindings, tests, not_certifiable, references=()):
    """The complete coverage report (a JSON-ready dict)."""
    by_function = {}
    unknown, specific = {}, {}
    companions = apisurface.companion_functions(surface)
    for test in tests:
        for name in sorted(test.values("api")):
            if name in surface.functions:
                by_function.setdefault(name, []).append(test)
            elif name in companions:
                specific.setdefault(name, []).append(test.id)
            else:
                unknown.setdefault(name, []).append(test.id)
    modules = {}
    every = {}
    for module, names in surface.modules().items():
        entries = {
            name: _function_entry(surface, bindings, name, by_function.get(name, []), not_certifiable)
            for name in names
        }
        every.update(entries)
        modules[module] = dict(_summary(entries), entries=entries)
    stale = sorted(n for n in not_certifiable if every.get(n, {}).get("status") == COVERED)
    return {
        "api": {"path": surface.path, "level": surface.level},
        "binding": {"source": bindings.source, "version": bindings.version},
        "references": list(references),
        "tests": len(tests),
        "summary": _summary(every),
        "modules": modules,
        "unknown_api_tags": {name: sorted(ids) for name, ids in sorted(unknown.items())},
        # Hypervisor-specific functions (libvirt-qemu, libvirt-lxc): real, outside the main API's figures.
        "specific_api_tags": {name: sorted(ids) for name, ids in sorted(specific.items())},
        "listed_but_covered": stale,
        # Beyond "has a test": scope-flag combinations per call, redefinition per object type.
        "scope_flags": depth.scope_flags(surface, tests),
        "redefinition": depth.redefinition(tests),
    }


def compute(profile_name=None, api_xml=None, not_certifiable_file=None, references=None):
    """Coverage of the suite (or a profile's areas) against the installed or named API description."""
    surface = apisurface.load(api_xml)
    bindings = pybindings.load(surface)
    if references is None:
        references = profile.load(profile_name).references if profile_name else [paths.suite_dir()]
    tests = scan_tests(references)
    listed = load_not_certifiable(surface, not_certifiable_file)
    return build(surface, bindings, tests, listed, references)


# --- text ------------------------------------------------------------------------------------------
def _wrapped(label, names, width, indent="    "):
    """A label line, then the names filled to the width."""
    lines = [f"  {label} ({len(names)}):"]
    current = indent
    for name in names:
        if len(current) + len(name) + 1 > width and current.strip():
            lines.append(current.rstrip())
            current = indent
        current += name + " "
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _headline(name, summary):
    return (
        f"{name}: {summary['covered']}/{summary['exposed'] - summary['not_certifiable']} covered "
        f"({summary['percent']}%); not certifiable {summary['not_certifiable']}, no test yet "
        f"{summary['no_test']}, not in libvirt-python {summary['not_exposed']}; flag values exercised "
        f"{summary['flags']['exercised']}/{summary['flags']['values']}"
    )


def render_text(report, width=110):
    """One screen per module: its figures, why each uncovered function is uncovered, flag gaps."""
    lines = [
        _headline("total", report["summary"]),
        f"  API: {report['api']['path']} (libvirt {report['api']['level']}); "
        f"libvirt-python {report['binding']['version']}; {report['tests']} tests",
    ]
    if report["unknown_api_tags"]:
        lines.append(f"  api: tags naming no libvirt function: {', '.join(report['unknown_api_tags'])}")
    if report.get("specific_api_tags"):
        lines.append(
            f"  hypervisor-specific functions tagged (not counted): {', '.join(report['specific_api_tags'])}"
        )
    if report["listed_but_covered"]:
        lines.append(f"  in not-certifiable.yaml but covered: {', '.join(report['listed_but_covered'])}")
    for module, data in report["modules"].items():
        entries = data["entries"]
        lines += ["", _headline(module, data)]
        for name, entry in entries.items():
            if entry["status"] == NOT_CERTIFIABLE:
                lines.append(f"  not certifiable: {name}: {entry['reason']}")
        no_test = [name for name, entry in entries.items() if entry["status"] == NO_TEST]
        if no_test:
            lines += _wrapped(NO_TEST_REASON, no_test, width)
        gaps = [
            f"{name}({len(e['flags']['exercised'])}/{len(e['flags']['all'])})"
            for name, e in entries.items()
            if e["status"] == COVERED and len(e["flags"]["exercised"]) < len(e["flags"]["all"])
        ]
        if gaps:
            lines += _wrapped("covered, flags not all exercised", gaps, width)
        hidden = [name for name, entry in entries.items() if entry["status"] == NOT_EXPOSED]
        if hidden:
            lines += _wrapped("not in libvirt-python (see --format json for why)", hidden, width)
    return "\n".join(lines)
