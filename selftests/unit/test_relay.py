"""The fork-served runner relays its test's queued messages without a wait between them, in order,
with at most one "running" heartbeat per status interval while the queue is empty."""

import multiprocessing

from avocado.core.nrunner.runner import RUNNER_RUN_CHECK_INTERVAL, RUNNER_RUN_STATUS_INTERVAL

from avocado_cert.framework import monitor


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.sleeps = 0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps += 1
        self.now += seconds


def test_queued_messages_pass_without_waiting_and_in_order():
    queue = multiprocessing.SimpleQueue()
    queue.put({"type": "early_state", "status": "early"})
    for n in range(50):
        queue.put({"status": "running", "type": "log", "log": f"line {n}"})
    queue.put({"status": "finished", "result": "pass"})
    fake = FakeTime()
    relayed = list(monitor.relay(queue, clock=fake.clock, sleep=fake.sleep))
    assert fake.sleeps == 0
    assert [m.get("log") for m in relayed[:-1]] == [f"line {n}" for n in range(50)]
    assert relayed[-1] == {"status": "finished", "result": "pass"}


def test_heartbeat_at_most_once_per_status_interval_while_empty():
    queue = multiprocessing.SimpleQueue()
    fake = FakeTime()
    relayed = monitor.relay(queue, clock=fake.clock, sleep=fake.sleep)
    heartbeats = 0
    seconds = 3.0
    while fake.now < seconds:
        message = next(relayed)
        assert message["status"] == "running" and "type" not in message
        heartbeats += 1
    assert heartbeats <= seconds / RUNNER_RUN_STATUS_INTERVAL + 1
    assert fake.sleeps >= seconds / RUNNER_RUN_CHECK_INTERVAL - 1  # still polls every check interval
    queue.put({"status": "finished", "result": "pass"})
    assert list(relayed) == [{"status": "finished", "result": "pass"}]


def test_installed_in_the_runner_the_fork_server_serves():
    from avocado.plugins.runners.avocado_instrumented import (  # pylint: disable=import-outside-toplevel
        AvocadoInstrumentedTestRunner,
    )

    original = AvocadoInstrumentedTestRunner.__dict__["_monitor"]
    try:
        monitor.install()
        assert AvocadoInstrumentedTestRunner._monitor is monitor.relay  # pylint: disable=protected-access
    finally:
        AvocadoInstrumentedTestRunner._monitor = original  # pylint: disable=protected-access
