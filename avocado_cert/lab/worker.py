"""`avocado cert lab worker`: a procrastinate worker serving one lab host's queue, one job at a
time, with the certify task; it also puts back in the queue the jobs of workers that stopped
sending heartbeats (killed mid-run), so those requests are run again from the start."""

import asyncio
import logging

from avocado_cert.lab import queue
from avocado_cert.lab.runner import Runner

RECOVER_EVERY = 1.0  # seconds between two looks for stalled jobs
LOG = logging.getLogger("avocado_cert.lab.worker")


def build_app(database_url, runner):
    app = queue.app_for(database_url, sync=False)

    @app.task(name=queue.TASK)
    def certify(request_id):
        return runner.certify(request_id)

    del certify  # registered on the app by the decorator
    return app


async def recover_stalled(app, queue_name):
    """Jobs of this queue whose worker went silent go back to the queue (a SIGKILLed worker's)."""
    while True:
        stalled = await app.job_manager.get_stalled_jobs(
            queue=queue_name, seconds_since_heartbeat=queue.STALLED
        )
        for job in stalled:
            LOG.info("job %s of a stalled worker: queued again", job.id)
            await app.job_manager.retry_job(job)
        await asyncio.sleep(RECOVER_EVERY)


async def serve(database_url, runner, once=False):
    app = build_app(database_url, runner)
    name = queue.queue_name(runner.host)
    async with app.open_async():
        if not await _has_schema(app):
            await app.schema_manager.apply_schema_async()
        recovery = asyncio.create_task(recover_stalled(app, name))
        try:
            await app.run_worker_async(
                queues=[name],
                concurrency=1,
                wait=not once,
                name=f"lab-{runner.host}",
                update_heartbeat_interval=queue.HEARTBEAT,
                stalled_worker_timeout=queue.STALLED,
                fetch_job_polling_interval=1.0,
                delete_jobs="successful",
            )
        finally:
            recovery.cancel()


async def _has_schema(app):
    row = await app.connector.execute_query_one_async("SELECT to_regclass('procrastinate_jobs') AS found")
    return row["found"] is not None


def run(database_url, server, token, host, key_path, workdir, once=False):
    queue.conninfo(database_url)  # a database the queue cannot use is refused before anything else
    runner = Runner(server, token, host, key_path, workdir)
    runner.sweep()
    runner.seen()
    asyncio.run(serve(database_url, runner, once))
