"""The catalog's security log: one line per event (failed and refused sign-ins, rejected tokens,
refused bodies and uploads with the rule that failed, administrative decisions), on by default.

Every value is written as a bare word or a JSON string, so a client cannot forge a line with a
newline or a quote in a username."""

import datetime
import json
import os
import re
import sys
import threading

BARE = re.compile(r"^[A-Za-z0-9_.:/@+-]{1,200}$")


def _value(value):
    text = "" if value is None else str(value)
    return text if BARE.match(text) else json.dumps(text[:500])


def line(event, fields):
    """The log line of one event (without its newline)."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = [stamp, _value(event)] + [
        f"{key}={_value(val)}" for key, val in fields.items() if val is not None
    ]
    return " ".join(parts)


class SecurityLog:
    """Appends event lines to a file ('-': standard error); one O_APPEND write per line, so the
    server's worker processes can share the file."""

    def __init__(self, target):
        self.target = target
        self._lock = threading.Lock()
        self._fd = None
        if target != "-":
            folder = os.path.dirname(os.path.abspath(target))
            os.makedirs(folder, exist_ok=True)
            self._fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)

    def event(self, event, **fields):
        data = (line(event, fields) + "\n").encode("utf-8", "replace")
        with self._lock:
            if self._fd is None:
                sys.stderr.write(data.decode("utf-8"))
                sys.stderr.flush()
            else:
                os.write(self._fd, data)

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def audit(event, **fields):
    """Log an event of the current request, with its client and signed-in account."""
    from flask import current_app, g, request  # pylint: disable=import-outside-toplevel

    actor = g.get("actor")
    current_app.extensions["catalog"].log.event(
        event,
        client=request.remote_addr,
        actor=getattr(actor, "username", None),
        **fields,
    )
