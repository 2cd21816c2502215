"""A fork server for test runners: one process imports Avocado, libvirt and the test kit once, then
forks a ready child per test instead of starting a new interpreter each time.

Protocol (unix socket, one connection per task, JSON lines):
  client -> server  {"argv": [...], "cwd": "...", "env": {...}}
  server -> client  {"pid": N}                 once the child is forked
  server -> client  {"exit": CODE}             when the child has exited
The server exits when its stdin reaches end of file (the job that started it is gone).

Usage: python -m avocado_cert.framework.forkserver SOCKET_PATH
"""

import functools
import importlib
import importlib.metadata
import json
import os
import runpy
import selectors
import shutil
import signal
import socket
import sys

PRELOAD = (
    "avocado",
    "avocado.core.nrunner.runner",
    "avocado.core.test",
    "avocado.plugins.runners.avocado_instrumented",
    "libvirt",
    "lxml.etree",
    "avocado_cert.testing",
)


#: In a child served by a fork, the server's pid; never set in a process that was exec'd.
FORKED_FROM = None

_CONSOLE_SCRIPTS = {}


def preload():
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # pylint: disable=broad-except
            pass  # a module that cannot load here is simply imported (or fails) in the child
    # Read once here: scanning every installed distribution again in each child costs tens of ms.
    _CONSOLE_SCRIPTS.update((ep.name, ep) for ep in importlib.metadata.entry_points(group="console_scripts"))
    try:
        from avocado_cert.framework import monitor  # pylint: disable=import-outside-toplevel

        monitor.install()
    except ImportError:
        pass  # no avocado-instrumented runner here: nothing to relay


def _is_this_interpreter(program, env):
    """Whether program (a path or a name looked up on the request's PATH) is the server's own Python."""
    found = program if os.sep in program else shutil.which(program, path=(env or {}).get("PATH", ""))
    if not found:
        return False
    found, own = os.path.abspath(found), os.path.abspath(sys.executable)
    # python3 and python3.11 of one virtualenv are the same interpreter with the same sys.path
    return found == own or (
        os.path.dirname(found) == os.path.dirname(own) and os.path.realpath(found) == os.path.realpath(own)
    )


def in_process(argv, env=None):
    """How to serve a runner command in the forked child: a callable and the sys.argv it expects, or
    None when the command is no Python runner of this environment (the child then execs it).

    Served forms: a console script of this environment (`avocado-runner-KIND ...`, by name or path) and
    this interpreter running a module (`python3 -m MODULE ...`, as Avocado asks for a runner when its
    console script is not on PATH, and as its podman/lxc spawners name one)."""
    if not argv:
        return None
    entry = _CONSOLE_SCRIPTS.get(os.path.basename(argv[0]))
    if entry is not None:
        return entry.load(), list(argv)
    if len(argv) >= 3 and argv[1] == "-m" and _is_this_interpreter(argv[0], env):
        # runpy replaces sys.argv[0] with the module's file, as `python -m` does
        return functools.partial(runpy.run_module, argv[2], run_name="__main__", alter_sys=True), argv[2:]
    return None


def run_child(request):
    """In the forked child: become the runner process the process spawner would have started."""
    global FORKED_FROM  # pylint: disable=global-statement
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.environ.clear()
    os.environ.update(request.get("env") or {})
    os.chdir(request.get("cwd") or "/")
    argv = list(request["argv"])
    code = 1
    try:
        served = in_process(argv, request.get("env"))
        if served is None:
            os.execvp(argv[0], argv)
        runner, sys.argv = served
        FORKED_FROM = os.getppid()
        result = runner()
        code = result if isinstance(result, int) else 0
    except SystemExit as details:
        code = details.code if isinstance(details.code, int) else (0 if details.code is None else 1)
    except BaseException:  # pylint: disable=broad-except
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)  # pylint: disable=protected-access


def _send(conn, message):
    try:
        conn.sendall((json.dumps(message) + "\n").encode())
    except OSError:
        pass


def _read_request(conn):
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    return json.loads(data)


def serve(path):
    preload()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)

    def wake(*_):
        try:
            os.write(wake_write, b".")
        except BlockingIOError:
            pass  # already awake

    signal.signal(signal.SIGCHLD, wake)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(wake_read, selectors.EVENT_READ, "child")
    selector.register(sys.stdin, selectors.EVENT_READ, "parent")
    children = {}
    while True:
        for key, _ in selector.select():
            if key.data == "parent":
                if not os.read(sys.stdin.fileno(), 1024):
                    os.unlink(path)
                    return
            elif key.data == "accept":
                conn, _ = listener.accept()
                request = _read_request(conn)
                if request is None:
                    conn.close()
                    continue
                pid = os.fork()
                if pid == 0:
                    listener.close()
                    conn.close()
                    run_child(request)
                children[pid] = conn
                _send(conn, {"pid": pid})
            else:
                os.read(wake_read, 4096)
                while children:
                    try:
                        pid, status = os.waitpid(-1, os.WNOHANG)
                    except ChildProcessError:
                        break
                    if pid == 0:
                        break
                    conn = children.pop(pid, None)
                    if conn is not None:
                        _send(conn, {"exit": os.waitstatus_to_exitcode(status)})
                        conn.close()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.stderr.write("usage: python -m avocado_cert.framework.forkserver SOCKET_PATH\n")
        return 2
    serve(argv[0])
    return 0


if __name__ == "__main__":
    # Run as the importable module, so that FORKED_FROM is read where a runner looks for it.
    from avocado_cert.framework import forkserver  # pylint: disable=import-self

    sys.exit(forkserver.main())
