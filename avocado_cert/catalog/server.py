"""Serving the catalog with gunicorn (pre-forked workers, threads in each): `avocado cert catalog serve`."""

from avocado_cert.base.errors import CertError
from avocado_cert.catalog.app import create_app


def serve(settings, bind="127.0.0.1:8080", workers=2, threads=4, access_log=None):
    """Run the service until interrupted; the schema is migrated once, before the workers start."""
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
                "bind": bind,
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
