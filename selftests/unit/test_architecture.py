"""The package's architecture, held true: imports go down only, no module cycle, and the offline
verifier and the catalog run on machines without a hypervisor (docs/architecture.md)."""

import ast
import os
import subprocess
import sys

import pytest

from avocado_cert.base import paths

PACKAGE = os.path.join(paths.home(), "avocado_cert")
# Lower number, lower layer: a module may import its own layer or a lower one.
LAYERS = {"base": 0, "version": 0, "": 0, "plugins": 2, "commands": 2}
FEATURE = 1
# Subpackages that run where no hypervisor is (anyone's laptop, a web server): never the host side.
HOST_FREE = ("offline", "catalog", "lab", "report", "plan", "apisurface", "base", "framework")
# A lab host's own inventory is read from its libvirt by `lab register`, run on that host.
HOST_SIDE_MODULES = ("avocado_cert.lab.probe",)
HOST_SIDE = ("host", "guest", "testing")
HOST_LIBRARIES = ("libvirt", "aexpect", "libvirt_qemu", "libvirt_lxc")


def _modules():
    found = {}
    for root, _dirs, files in os.walk(PACKAGE):
        if "migrations" in root.split(os.sep):
            continue  # Alembic's scripts are loaded by Alembic, not imported by the package
        for name in files:
            if name.endswith(".py"):
                rel = os.path.relpath(os.path.join(root, name), os.path.dirname(PACKAGE))[:-3]
                module = rel.replace(os.sep, ".").removesuffix(".__init__")
                found[module] = os.path.join(root, name)
    return found


def _imports(module, path, known):
    """Every module of the package (and every top-level library) that path imports, anywhere in it."""
    with open(path, encoding="utf-8") as src:
        tree = ast.parse(src.read(), path)
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names
            ]
        else:
            continue
        for name in names:
            if name.startswith("avocado_cert"):
                while name not in known and "." in name:
                    name = name.rpartition(".")[0]
            out.add(name)
    return out


@pytest.fixture(scope="module")
def graph():
    known = _modules()
    return {module: _imports(module, path, known) for module, path in known.items()}


def _top(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _layer(module):
    return LAYERS.get(_top(module), FEATURE)


def test_no_upward_imports(graph):
    upward = [
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if target.startswith("avocado_cert") and _layer(target) > _layer(module)
    ]
    assert not upward, "imports that go up a layer: " + "; ".join(sorted(upward))


def test_no_import_cycles(graph):
    edges = {m: {t for t in ts if t in graph and t != m} for m, ts in graph.items()}
    # A package's __init__ importing its own submodules is how a package is built, not a cycle.
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(10000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_host_free_packages_never_reach_the_host(graph):
    """offline/, catalog/ and what they stand on import no libvirt, testing/, guest/ or host/, even indirectly."""
    bad = []
    for module in graph:
        if _top(module) not in HOST_FREE or module in HOST_SIDE_MODULES:
            continue
        seen, todo = set(), [module]
        while todo:
            current = todo.pop()
            for target in graph.get(current, ()):
                if target in seen:
                    continue
                seen.add(target)
                if (
                    target.split(".")[0] in HOST_LIBRARIES
                    or _top(target) in HOST_SIDE
                    and target.startswith("avocado_cert.")
                ):
                    bad.append(f"{module} reaches {target}")
                elif target in graph:
                    todo.append(target)
    assert not bad, "; ".join(sorted(bad))


def test_verifier_and_catalog_import_with_libvirt_blocked():
    code = (
        "import sys\n"
        "for name in ('libvirt', 'libvirtmod', 'aexpect'): sys.modules[name] = None\n"
        "import avocado_cert.offline.verify, avocado_cert.catalog.app\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
