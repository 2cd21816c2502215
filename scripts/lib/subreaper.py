#!/usr/bin/env python3
"""Run a daemon under a child subreaper that reaps its orphans at once.

libvirtd's QEMU processes are daemonized: when one exits, it is the orphan of whatever adopts it. Under
systemd, PID 1 reaps at once; under a minimal init (containers, micro-VMs) an exited QEMU can stay a
zombie for a second or more, and libvirt's destroy waits for it to vanish: every domain destroy then
costs that second. This process marks itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so the
orphans of the daemon it starts are reparented to it, and it reaps every child the moment it exits.

Usage: subreaper.py COMMAND [ARGS...]   A daemonizing command (libvirtd -d) is fine: the daemon is
adopted too. Exits when no child is left, with the status of COMMAND itself.
"""

import ctypes
import os
import sys

PR_SET_CHILD_SUBREAPER = 36


def main(argv):
    if not argv:
        print("usage: subreaper.py COMMAND [ARGS...]", file=sys.stderr)
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        # Without the prctl the command still runs; only the prompt reaping is lost.
        print(f"subreaper: prctl: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        except OSError as err:
            print(f"subreaper: {argv[0]}: {err.strerror}", file=sys.stderr)
            os._exit(127)
    status = 0
    while True:
        try:
            child, code = os.wait()
        except ChildProcessError:
            return status
        except InterruptedError:
            continue
        if child == pid:
            status = os.waitstatus_to_exitcode(code)
            status = status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
