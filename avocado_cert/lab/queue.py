"""The task queue: procrastinate on the catalog's own PostgreSQL database (no other service).

One queue per lab host ("lab.NAME") and the host's name as the job lock: a host runs one
certification at a time whatever the number of workers serving it; the request id as queueing lock:
a request is never queued twice. Jobs of a worker that stopped sending heartbeats are retried."""

import urllib.parse

TASK = "avocado_cert.lab.certify"
HEARTBEAT = 1.0  # seconds between a worker's heartbeats
STALLED = 5.0  # a worker silent this long is dead: its job is run again from the start


def conninfo(database_url):
    """The libpq URI of a SQLAlchemy PostgreSQL URL; ValueError for any other database."""
    parsed = urllib.parse.urlparse(database_url or "")
    scheme = parsed.scheme.split("+")[0]
    if scheme not in ("postgresql", "postgres"):
        raise ValueError(
            "the lab's task queue needs the catalog on PostgreSQL (--database postgresql+psycopg://...)"
        )
    return urllib.parse.urlunparse(parsed._replace(scheme="postgresql"))


def queue_name(host):
    return f"lab.{host}"


def lock_name(host):
    return f"lab-host:{host}"


def queueing_lock(request_id):
    return f"lab-request:{request_id}"


def app_for(database_url, sync=True):
    """A procrastinate App on the catalog's database (imported here: the catalog runs without it)."""
    import procrastinate  # pylint: disable=import-outside-toplevel

    info = conninfo(database_url)
    if sync:
        connector = procrastinate.SyncPsycopgConnector(conninfo=info, min_size=1, max_size=4)
    else:
        connector = procrastinate.PsycopgConnector(conninfo=info, min_size=1, max_size=4)
    return procrastinate.App(connector=connector)


class Dispatcher:
    """The catalog's side: defers one job per request, on the request's host queue."""

    def __init__(self, database_url):
        self.database_url = database_url
        self._app = None

    def _opened(self):
        if self._app is None:
            app = app_for(self.database_url, sync=True)
            app.open()
            self._app = app
        return self._app

    def defer(self, request_id, host):
        """The queue's job id; a request already queued keeps its one job."""
        from procrastinate import exceptions  # pylint: disable=import-outside-toplevel

        app = self._opened()
        task = app.configure_task(
            name=TASK,
            queue=queue_name(host),
            lock=lock_name(host),
            queueing_lock=queueing_lock(request_id),
        )
        try:
            return task.defer(request_id=request_id)
        except exceptions.AlreadyEnqueued:
            return None

    def cancel(self, job_id):
        if job_id is not None:
            self._opened().job_manager.cancel_job_by_id(job_id)
