"""The order a certification job starts its tests in: each test file's tests spread evenly over the
run, instead of one file (one area) after another.

Areas load the host differently: a file of guest tests keeps the CPUs busy with TCG guests booting,
a file of network or storage tests mostly waits on the daemon. Run one after the other, the CPUs are
saturated for a while and then half idle; spread, every stretch of the run mixes both. Each file
keeps its own order; the tests do not depend on the order (every test creates what it uses).
"""

import collections


def file_of(runnable):
    """The test file a runnable comes from ('path/test_x.py:Class.test_y' -> 'path/test_x.py')."""
    return (runnable.uri or "").split(":", 1)[0]


def spread(runnables):
    """runnables reordered: the i-th of a file's n tests placed at (i + 1/2) / n of the run, ties
    kept in the original order (deterministic: the same list gives the same order)."""
    counts = collections.Counter(file_of(runnable) for runnable in runnables)
    seen, keyed = collections.Counter(), []
    for position, runnable in enumerate(runnables):
        name = file_of(runnable)
        index = seen[name]
        seen[name] += 1
        keyed.append(((index + 0.5) / counts[name], position, runnable))
    return [runnable for _key, _position, runnable in sorted(keyed, key=lambda item: item[:2])]
