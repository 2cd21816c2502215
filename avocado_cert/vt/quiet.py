"""Avocado-VT's import-time warnings that concern none of the suite's commands: its `vt-list-archs`
plugin imports virttest.virsh, which warns "Virsh executable not set or found on path" on every
`avocado` command of a machine without virsh. The suite calls libvirt through its API, never virsh."""

import logging

NOISE = ("Virsh executable not set or found on path",)


class _ImportNoise(logging.Filter):
    def filter(self, record):
        message = str(record.msg)
        return not any(message.startswith(text) for text in NOISE)


_FILTER = _ImportNoise()


def install():
    """Drop those records from the logger Avocado-VT writes them to (idempotent)."""
    logger = logging.getLogger("avocado.app")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
