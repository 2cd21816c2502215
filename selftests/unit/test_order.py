"""A certification job spreads each test file's tests evenly over the run, keeping each file's order."""

from avocado.core.nrunner.runnable import Runnable

from avocado_cert.plan import order


def runnables(spec):
    """spec: {file: count} -> runnables in file order, as the resolver lists them."""
    return [
        Runnable("avocado-instrumented", f"tests/{name}:Case.test_{i}")
        for name, count in spec.items()
        for i in range(count)
    ]


def test_each_file_keeps_its_order_and_every_test_stays():
    listed = runnables({"a.py": 5, "b.py": 3, "c.py": 1})
    spread = order.spread(listed)
    assert sorted(r.uri for r in spread) == sorted(r.uri for r in listed)
    for name in ("a.py", "b.py", "c.py"):
        mine = [r.uri for r in spread if order.file_of(r) == f"tests/{name}"]
        assert mine == [r.uri for r in listed if order.file_of(r) == f"tests/{name}"]


def test_a_file_is_spread_over_the_run_not_run_in_one_block():
    listed = runnables({"guest.py": 4, "network.py": 12, "storage.py": 8})
    spread = [order.file_of(r) for r in order.spread(listed)]
    positions = [i for i, name in enumerate(spread) if name == "tests/guest.py"]
    # 4 of 24 tests: one in each quarter of the run
    assert [p * 4 // len(spread) for p in positions] == [0, 1, 2, 3]


def test_deterministic():
    listed = runnables({"a.py": 7, "b.py": 2, "c.py": 9})
    assert [r.uri for r in order.spread(listed)] == [r.uri for r in order.spread(list(listed))]
