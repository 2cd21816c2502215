"""The `avocado cert` subcommands: every module of this package that defines NAME, HELP,
configure(parser) and run(config, out) -> exit code is one subcommand; the plugin only registers them.
Adding a module adds a subcommand; nothing else needs editing.

A command module imports what does the work inside the functions that use it: registering the
subcommands (which every `avocado` invocation does) then costs only their argument definitions."""

import importlib
import pkgutil


def _discover():
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if all(hasattr(module, attr) for attr in ("NAME", "HELP", "configure", "run")):
            found.append(module)
    return sorted(found, key=lambda module: module.NAME)


COMMANDS = _discover()
