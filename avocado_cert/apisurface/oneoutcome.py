"""One outcome per API, checked statically: a test that tags several entry points of one operation
(virDomainCreateXML and virDomainCreateWithFlags, virDomainSetMemory and virDomainSetMemoryFlags) and calls
the first where a refusal ends the test UNSUPPORTED (outside a try that handles libvirtError) never checks
the others on a driver that implements only those. Such a test is flagged unless data/api/one-outcome.yaml
names it with the reason the others cannot be checked on their own.

A test whose tagged APIs depend on each other (suspend then resume, set then get) is fine: they are not
entry points of one operation."""

import ast
import re

from avocado_cert.base import paths
from avocado_cert.base.datafile import load_yaml
from avocado_cert.base.errors import CertError

# What distinguishes the entry points of one operation: virDomainCreate, ...XML, ...WithFlags, ...Flags.
VARIANT_SUFFIX = re.compile(r"(WithFlags|Flags|XML|Params|WithFiles|Any|Alias|[0-9])+$")
HANDLED = {"libvirtError", "Exception", "BaseException"}


def exceptions_path():
    return paths.data_path("api", "one-outcome.yaml")


def load_exceptions(path=None):
    """{test id (file:Class.method, relative to tests/): reason}."""
    path = path or exceptions_path()
    document, _raw = load_yaml(path, "one-outcome exceptions")
    tests = document.get("tests") or {}
    if not isinstance(tests, dict):
        raise CertError("tests: expected a mapping of test -> reason", path)
    for name, reason in tests.items():
        if not isinstance(reason, str) or not reason.strip():
            raise CertError(f"tests.{name}: a reason is required", path)
    return tests


def families(apis):
    """{operation: [entry points]} of the tagged APIs that share an operation."""
    grouped = {}
    for api in sorted(apis):
        grouped.setdefault(VARIANT_SUFFIX.sub("", api), []).append(api)
    return {stem: names for stem, names in grouped.items() if len(names) > 1}


def _handles_libvirt_errors(handler):
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(getattr(n, "attr", getattr(n, "id", "")) in HANDLED for n in names)


def _references(method, python_names):
    """[(line, column, name, guarded)] of the attribute references to the python names, in source order;
    guarded: inside a try whose handlers take libvirtError."""
    found = []

    def visit(node, guarded):
        if isinstance(node, ast.Try):
            inner = guarded or any(_handles_libvirt_errors(h) for h in node.handlers)
            for child in node.body:
                visit(child, inner)
            for child in node.handlers + node.orelse + node.finalbody:
                visit(child, guarded)
            return
        if isinstance(node, ast.Attribute) and node.attr in python_names:
            found.append((node.lineno, node.col_offset, node.attr, guarded))
        for child in ast.iter_child_nodes(node):
            visit(child, guarded)

    visit(method, False)
    return sorted(found)


def _methods(path):
    with open(path, "rb") as stream:
        tree = ast.parse(stream.read(), path)
    methods = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    methods[f"{node.name}.{item.name}"] = item
    return methods


def problem(test_id, apis, method, python_name):
    """Why the test may end UNSUPPORTED before checking every entry point it tags, or None."""
    for stem, names in families(apis).items():
        # libvirt-python names a method Class.method: the test calls it as obj.method.
        wanted = {python_name(api).rpartition(".")[2]: api for api in names if python_name(api)}
        refs = _references(method, set(wanted)) if method is not None else []
        if len({name for _l, _c, name, _g in refs}) < len(names):
            return f"{test_id}: tags {', '.join(names)} ({stem}) but does not call each in its body"
        first = refs[0]
        if not first[3]:
            return (
                f"{test_id}: {wanted[first[2]]} is called first (line {first[0]}) where a refusal ends the "
                f"test UNSUPPORTED, before {', '.join(a for a in names if a != wanted[first[2]])} is checked"
            )
    return None


def check(tests, python_name, source_of):
    """[problem] of the tests (coverage TestEntry with .id and tags); source_of(test id) -> path."""
    problems = []
    cache = {}
    for test in tests:
        apis = test.values("api")
        if not families(apis):
            continue
        path = source_of(test.id)
        if path not in cache:
            cache[path] = _methods(path)
        method = cache[path].get(test.id.rpartition(":")[2])
        found = problem(test.id, apis, method, python_name)
        if found:
            problems.append((test.id, found))
    return problems
