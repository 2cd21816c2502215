"""How a runner served by the fork server relays its test's messages: every message already queued is
passed on at once, and a "running" heartbeat goes out at most every RUNNER_RUN_STATUS_INTERVAL.

Avocado's avocado-instrumented runner reads its test's queue one message per RUNNER_RUN_CHECK_INTERVAL
(10 ms), and sends a "running" message on each empty read. A test's log lines travel on that queue,
so a test that logs 25 lines in 50 ms reached the job 0.2 to 0.3 s after it ended: in a certification
job of 595 tests, about 100 s of test slots were spent relaying logs. The order and content of the
messages are unchanged; only the waits between ready messages and the redundant heartbeats go.

Installed by the fork server before it forks any runner (install()); a runner started another way
is Avocado's own.
"""

import time

from avocado.core.nrunner.runner import RUNNER_RUN_CHECK_INTERVAL, RUNNER_RUN_STATUS_INTERVAL
from avocado.core.utils import messages


def relay(queue, clock=time.monotonic, sleep=time.sleep):
    """The messages of a test's queue, as the runner yields them: queued ones without waiting, a
    "running" heartbeat while the queue is empty (at most one per RUNNER_RUN_STATUS_INTERVAL);
    the test's early state is not passed on; the finished message ends it."""
    heartbeat = None
    while True:
        if queue.empty():
            now = clock()
            if heartbeat is None or now - heartbeat >= RUNNER_RUN_STATUS_INTERVAL:
                heartbeat = now
                yield messages.RunningMessage.get()
            sleep(RUNNER_RUN_CHECK_INTERVAL)
            continue
        message = queue.get()
        if message.get("type") != "early_state":
            yield message
        if message.get("status") == "finished":
            return


def install():
    """Make the avocado-instrumented runner of this process relay with relay()."""
    # pylint: disable=import-outside-toplevel
    from avocado.plugins.runners.avocado_instrumented import AvocadoInstrumentedTestRunner

    AvocadoInstrumentedTestRunner._monitor = staticmethod(relay)  # pylint: disable=protected-access
