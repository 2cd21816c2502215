"""Serving the catalog with gunicorn (pre-forked workers, threads in each): `avocado cert catalog serve`."""

import socket

from avocado_cert.base.errors import CertError
from avocado_cert.catalog.app import create_app


def parse_bind(bind):
    """(host, port) of HOST:PORT ([ADDR]:PORT for IPv6); port 0 asks for any free port."""
    host, sep, port = (bind or "").rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not host or not (port.isascii() and port.isdigit()) or not 0 <= int(port) <= 65535:
        raise CertError(f"--bind {bind!r}: expected HOST:PORT with a port from 0 to 65535")
    return host, int(port)


def listen(bind):
    """A listening socket on HOST:PORT, bound here so that a refusal is one line and port 0 is known."""
    host, port = parse_bind(bind)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as details:
        raise CertError(f"--bind {bind!r}: unknown host {host!r} ({details.strerror})") from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as details:
        sock.close()
        raise CertError(f"--bind {bind!r}: cannot listen there: {details.strerror}") from None
    sock.set_inheritable(True)
    return sock


def url(sock):
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(settings, sock, workers=2, threads=4, access_log=None):
    """Run the service on a listening socket until interrupted; the schema is migrated once, before
    the workers start."""
    try:
        from gunicorn.app.base import BaseApplication  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise CertError(
            "the catalog needs its extra dependencies: pip install 'avocado-cert[catalog]'"
        ) from None
    app = create_app(settings)
    engine = app.extensions["catalog"].engine
    engine.dispose()  # no pooled connection may cross the fork into the workers

    class Server(BaseApplication):  # pylint: disable=abstract-method
        def load_config(self):
            options = {
                "bind": f"fd://{sock.fileno()}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "accesslog": access_log,
                "timeout": 120,
                "graceful_timeout": 10,
                "control_socket_disable": True,  # one per user by default: several catalogs would collide
                "post_fork": lambda _server, _worker: engine.dispose(close=False),
            }
            for key, value in options.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self):
            return app

    Server().run()
