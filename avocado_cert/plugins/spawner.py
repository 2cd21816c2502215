"""The "forkserver" spawner: like Avocado's process spawner, but each runner is forked from a server
that has already imported Avocado, libvirt and the test kit (avocado_cert.framework.forkserver)."""

import asyncio
import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from avocado.plugins.spawners.process import ProcessSpawner


class _Server:
    """The job's one fork server, started on first use and stopped when the job process exits."""

    proc = None
    path = None

    @classmethod
    def socket_path(cls):
        if cls.proc is None or cls.proc.poll() is not None:
            folder = tempfile.mkdtemp(prefix="avocado-cert-forkserver-")
            cls.path = os.path.join(folder, "sock")
            cls.proc = subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, "-m", "avocado_cert.framework.forkserver", cls.path],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            atexit.register(cls.stop, cls.proc, folder)
            deadline = time.monotonic() + 60
            while not os.path.exists(cls.path):
                if cls.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the fork server did not start")
                time.sleep(0.02)
        return cls.path

    @staticmethod
    def stop(proc, folder):
        try:
            proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
        for name in os.listdir(folder):
            os.unlink(os.path.join(folder, name))
        os.rmdir(folder)


class ForkedTask:
    """Spawner handle: the child's pid and the future of its exit code."""

    def __init__(self, pid, exit_task):
        self.pid = pid
        self.wait_task = exit_task


async def _read_exit(reader, writer):
    try:
        line = await reader.readline()
        return json.loads(line)["exit"] if line else None
    finally:
        writer.close()


class ForkServerSpawner(ProcessSpawner):
    description = "Runs each test in a process forked from a pre-loaded server (faster start-up)"

    async def spawn_task(self, runtime_task):
        self.create_task_output_dir(runtime_task)
        task = runtime_task.task
        runner = task.runnable.runner_command()
        argv = runner + ["task-run"] + task.get_command_args()
        try:
            reader, writer = await asyncio.open_unix_connection(_Server.socket_path())
        except (OSError, RuntimeError):
            return False
        request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
        writer.write((json.dumps(request) + "\n").encode())
        await writer.drain()
        line = await reader.readline()
        if not line:
            writer.close()
            return False
        pid = json.loads(line)["pid"]
        runtime_task.spawner_handle = ForkedTask(pid, asyncio.ensure_future(_read_exit(reader, writer)))
        return True

    async def terminate_task(self, runtime_task):
        handle = runtime_task.spawner_handle
        for sig, interval in (
            (signal.SIGTERM, "runner.task.interval.from_soft_to_hard_termination"),
            (signal.SIGKILL, "runner.task.interval.from_hard_termination_to_verification"),
        ):
            try:
                os.kill(handle.pid, sig)
            except ProcessLookupError:
                return True
            try:
                await asyncio.wait_for(asyncio.shield(handle.wait_task), self.config.get(interval))
                return True
            except asyncio.TimeoutError:
                continue
        return False
