"""Which C functions libvirt-python exposes, and under which Python name.

libvirt-python's generator writes libvirt.py from libvirt-api.xml, its naming rules and its
override API (libvirt-override-api.xml and the hand-written libvirt-override-*.py); every method
it emits calls the C entry point libvirtmod.<C name>. Reading the installed libvirt.py (its
source, with ast, without importing it) therefore gives the real mapping of this binding.
The few C functions reached another way come from data/api/python-bindings.yaml.
"""

import ast
import fnmatch
import importlib.metadata
import importlib.util
from dataclasses import dataclass
from functools import lru_cache

from avocado_cert.apisurface import libvirt_api as apisurface
from avocado_cert.base import paths
from avocado_cert.base.datafile import Field, check_mapping, load_yaml
from avocado_cert.base.errors import CertError

MODULE = "libvirt"
RULE_FIELDS = {"match": Field(list, required=True, item=str), "reason": Field(str, required=True)}
DATA_FIELDS = {"aliases": Field(dict, default=dict), "not_exposed": Field(list, default=list)}


@dataclass
class Bindings:
    source: str  # the libvirt.py read
    version: str  # libvirt-python's version
    exposed: dict  # C name -> Python name ("virDomain.suspend", "libvirt.open")
    not_exposed: dict  # C name -> reason

    def python_name(self, c_name):
        return self.exposed.get(c_name)


def module_source():
    """Path of the installed libvirt.py (found, not imported)."""
    spec = importlib.util.find_spec(MODULE)
    if spec is None or not spec.origin:
        raise CertError("libvirt-python is not installed (no 'libvirt' module)")
    return spec.origin


def binding_version():
    try:
        return importlib.metadata.version("libvirt-python")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def scan(text, where="libvirt.py"):
    """({libvirtmod name: [Python names]}, {class: set of methods}) of a generated libvirt.py."""
    try:
        tree = ast.parse(text)
    except SyntaxError as details:
        raise CertError(
            f"cannot parse libvirt-python's module: {details.msg} (line {details.lineno})", where
        ) from None
    calls, methods = {}, {}

    def visit(node, owner, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                methods.setdefault(child.name, set())
                visit(child, child.name, None)
                continue
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if function is None and owner is not None:
                    methods[owner].add(child.name)
                visit(child, owner, function or child.name)
                continue
            if (
                function is not None
                and isinstance(child, ast.Attribute)
                and isinstance(child.value, ast.Name)
                and child.value.id == "libvirtmod"
            ):
                python_name = f"{owner or MODULE}.{function}"
                names = calls.setdefault(child.attr, [])
                if python_name not in names:
                    names.append(python_name)
            visit(child, owner, function)

    visit(tree, None, None)
    return calls, methods


def _public(names):
    """The public name among the methods that call a C function (not __del__ or __init__)."""
    public = [name for name in names if not name.rsplit(".", 1)[1].startswith("_")]
    return min(public, key=len) if public else None


def generator_name(c_name, cls):
    """The generator's default naming: the C name less its class prefix, first letter lowered."""
    if not c_name.startswith(cls) or len(c_name) == len(cls):
        return None
    rest = c_name[len(cls) :]
    return rest[0].lower() + rest[1:]


def load_rules(path=None):
    """(aliases, [(patterns, reason)]) from data/api/python-bindings.yaml."""
    path = path or paths.data_path("api", "python-bindings.yaml")
    document, _raw = load_yaml(path, "python bindings data")
    data = check_mapping(document, DATA_FIELDS, "python-bindings", path)
    rules = []
    for position, entry in enumerate(data["not_exposed"]):
        rule = check_mapping(entry, RULE_FIELDS, f"not_exposed[{position}]", path)
        rules.append((rule["match"], rule["reason"]))
    return {str(k): str(v) for k, v in data["aliases"].items()}, rules


def resolve(surface, text, aliases, rules, source="libvirt.py", version="unknown"):
    """Bindings of the surface's functions, given the text of a generated libvirt.py."""
    calls, methods = scan(text, source)
    exposed, not_exposed = {}, {}
    for name, func in surface.functions.items():
        python_name = _public(calls.get(name, []))
        if python_name is None and name in aliases:
            python_name = _public(calls.get(aliases[name], []))
        reason = next(
            (why for patterns, why in rules if any(fnmatch.fnmatchcase(name, p) for p in patterns)),
            None,
        )
        if python_name is None and reason is None:
            # Pure-Python overrides (virStream.sendAll, ...) call other entry points.
            cls = func.first_arg_type[:-3] if func.first_arg_type.endswith("Ptr") else ""
            method = generator_name(name, cls) if cls in methods else None
            if method and method in methods[cls]:
                python_name = f"{cls}.{method}"
        if python_name is not None:
            exposed[name] = python_name
        else:
            not_exposed[name] = reason or f"libvirt-python {version} has no call for it"
    return Bindings(source=source, version=version, exposed=exposed, not_exposed=not_exposed)


@lru_cache(maxsize=4)
def _cached(surface_path, source):
    try:
        with open(source, encoding="utf-8") as stream:
            text = stream.read()
    except OSError as details:
        raise CertError(f"cannot read libvirt-python's module: {details.strerror}", source) from None
    aliases, rules = load_rules()
    return resolve(apisurface.load(surface_path), text, aliases, rules, source, binding_version())


def load(surface):
    """The installed libvirt-python's bindings of a surface."""
    return _cached(surface.path, module_source())
