"""Reading the suite's tests statically with Avocado's safeloader, made reliable for this package.

Three problems of avocado.core.safeloader (Avocado 113) are mended here, once per process:
- ImportedSymbol.get_importable_spec inserts into sys.path itself instead of a copy, so each lookup makes
  every later one slower: resolving the suite took ~11 s, ~9 s of it path searches over a sys.path grown to
  hundreds of entries; with sys.path restored after each call it takes ~2 s.
- It finds a test class's parents with PathFinder over sys.path; an editable install made by a recent pip
  puts no path entry there (an import hook finds the package), so CertTest, and with it every test, would
  not be found. The folder holding this package is searched too.
- It parses a test class's parent modules again for every test file: avocado_cert/testing/certtest.py
  and avocado/core/test.py were parsed about a hundred times each, 64% of resolving the qemu-x86_64
  profile. A source text already parsed in this process gives the same tree again (the safeloader only
  reads its trees).
"""

import ast
import functools
import inspect
import os
import sys

PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The last Avocado release both faults were seen in; a later one is mended only if it still has them.
LAST_AFFECTED_MAJOR = 113


def needed(imported, major):
    """Whether this Avocado's safeloader has the faults: a release up to the last affected one, or a
    later one whose get_importable_spec still inserts into sys.path itself."""
    try:
        if int(major) <= LAST_AFFECTED_MAJOR:
            return True
    except ValueError:
        pass
    try:
        source = inspect.getsource(imported.ImportedSymbol.get_importable_spec)
    except (OSError, TypeError):
        return True
    return "modules_paths = sys.path\n" in source


class _ParseOnce:
    """The ast module, but for parse(): a source text already parsed in this process (same file name,
    same text) gives its tree again."""

    def __init__(self):
        self._trees = {}

    def __getattr__(self, name):
        return getattr(ast, name)

    def parse(self, source, *args, **kwargs):
        key = (source, args, tuple(sorted(kwargs.items())))
        tree = self._trees.get(key)
        if tree is None:
            tree = self._trees[key] = ast.parse(source, *args, **kwargs)
        return tree


def install():
    """Mend Avocado's safeloader in this process (a certification job or command calls this before it
    resolves tests; nothing else pays for it)."""
    # Imported on use: importing avocado.core.safeloader costs every avocado command that needs no mend.
    from avocado.core.safeloader import imported, module  # pylint: disable=import-outside-toplevel
    from avocado.core.version import MAJOR  # pylint: disable=import-outside-toplevel

    original = imported.ImportedSymbol.get_importable_spec
    if getattr(original, "acert_mended", False) or not needed(imported, MAJOR):
        return

    @functools.wraps(original)
    def get_importable_spec(self, symbol_is_module=False):
        saved = list(sys.path)
        if PACKAGE_PARENT not in sys.path:
            sys.path.append(PACKAGE_PARENT)
        try:
            return original(self, symbol_is_module)
        finally:
            sys.path[:] = saved

    get_importable_spec.acert_mended = True
    imported.ImportedSymbol.get_importable_spec = get_importable_spec
    module.ast = _ParseOnce()


def find_avocado_tests(path):
    """Avocado's find_avocado_tests, with the mends above installed."""
    install()
    from avocado.core import safeloader  # pylint: disable=import-outside-toplevel

    return safeloader.find_avocado_tests(path)
