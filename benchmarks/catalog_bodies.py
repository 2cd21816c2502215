"""What a big anonymous body costs the catalog: the time to its 413 and a worker's memory after it.

Usage: python benchmarks/catalog_bodies.py [--mib 250]

The service runs as documented (`avocado cert catalog serve`, one gunicorn worker) on a loopback
port. For `POST /api/v1/vendors` (JSON) and `POST /login` (a form), without credentials: a body
announced as MIB MiB of which only 100 bytes are sent (an answer proves it was never read), then the
whole body sent. Printed: the status, the time to it, how much the client could write before the
server closed, and the worker's resident memory before and after. Target: 413 at once, and the
worker's memory unchanged (a worker that read such bodies whole grew from 170 MB to 938 MB).
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

BIN = os.path.dirname(sys.executable)
PATHS = ("/api/v1/vendors", "/login")


def start(storage):
    """(process, port, worker pid) of `serve --bind 127.0.0.1:0 --workers 1`."""
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        [os.path.join(BIN, "avocado"), "cert", "catalog", "serve", "--storage", storage]
        + ["--bind", "127.0.0.1:0", "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", "")),
    )
    port = worker = None
    for line in iter(proc.stdout.readline, ""):
        found = re.search(r"catalog: http://127\.0\.0\.1:(\d+)/", line)
        port = int(found.group(1)) if found else port
        found = re.search(r"Booting worker with pid: (\d+)", line)
        if found:
            worker = int(found.group(1))
            break
    time.sleep(2)  # the worker imports the application
    return proc, port, worker


def rss_mb(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as src:
        return int(re.search(r"VmRSS:\s+(\d+)", src.read()).group(1)) // 1024


def post(port, path, size, whole):
    """(status, seconds to the status line, bytes the client wrote)."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        f"Content-Length: {size}\r\n\r\n"
    ).encode("ascii")
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        start_at = time.monotonic()
        sock.sendall(head + b"{" * 100)
        sent = 100
        chunk = b"a" * (1 << 20)
        try:
            while whole and sent < size:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the server answered and closed: the rest was never read
        status = sock.makefile("rb").readline().split()[1].decode("ascii")
        return status, time.monotonic() - start_at, sent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=250, help="size of the body (default 250 MiB)")
    args = parser.parse_args()
    size = args.mib << 20
    with tempfile.TemporaryDirectory(prefix="acert-bench-") as storage:
        proc, port, worker = start(storage)
        try:
            print(f"worker RSS before: {rss_mb(worker)} MB")
            for path in PATHS:
                status, took, _sent = post(port, path, size, whole=False)
                print(
                    f"{path}: {args.mib} MiB announced, 100 bytes sent: {status} after {took * 1000:.0f} ms"
                )
                status, took, sent = post(port, path, size, whole=True)
                print(
                    f"{path}: {args.mib} MiB sent whole: {status} after {took * 1000:.0f} ms, the client wrote "
                    f"{sent >> 20} MiB before the server closed; worker RSS {rss_mb(worker)} MB"
                )
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
