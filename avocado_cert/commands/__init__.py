"""The `avocado cert` subcommands. Each module defines NAME, HELP, configure(parser) and
run(config) -> exit code; the plugin only registers them. Add a module here to add a subcommand."""

from avocado_cert.commands import coverage, guest, profiles

COMMANDS = [profiles, coverage, guest]
