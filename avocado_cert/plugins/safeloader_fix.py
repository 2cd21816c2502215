"""Keep Avocado's safeloader from growing sys.path on every parent-class lookup.

avocado.core.safeloader.imported.ImportedSymbol.get_importable_spec (Avocado 113) inserts into
sys.path itself instead of a copy, so each lookup makes every later one slower: resolving the suite's
~70 files took ~11 s, of which ~9 s were path searches over a sys.path grown to hundreds of entries.
With sys.path restored after each call, the same resolution takes ~2 s. The lookup's result is unchanged.
"""

import functools
import sys

from avocado.core.safeloader import imported


def install():
    original = imported.ImportedSymbol.get_importable_spec
    if getattr(original, "acert_restores_sys_path", False):
        return

    @functools.wraps(original)
    def get_importable_spec(self, symbol_is_module=False):
        saved = list(sys.path)
        try:
            return original(self, symbol_is_module)
        finally:
            sys.path[:] = saved

    get_importable_spec.acert_restores_sys_path = True
    imported.ImportedSymbol.get_importable_spec = get_importable_spec
