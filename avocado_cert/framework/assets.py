"""Avocado's asset pre-fetch, left out of a job whose tests fetch no asset.

Before the tests, Avocado's `fetchasset` job plugin walks each instrumented test's file for
fetch_asset() calls, once per test: 4 s for the 595 tests of qemu-x86_64, all to find none
(certification tests fetch nothing; the guest image is built by `avocado cert guest build`). Where a
test file of the job mentions fetch_asset, the pre-fetch runs as usual.
"""

from avocado_cert.plan import order

PLUGIN = "fetchasset"
CALL = "fetch_asset"


def test_files(job):
    """The files of the job's instrumented tests."""
    files = set()
    for suite in job.test_suites:
        for runnable in suite.tests:
            if getattr(runnable, "kind", None) == "avocado-instrumented" and runnable.uri:
                files.add(order.file_of(runnable))
    return files


def fetches_assets(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as src:
            return CALL in src.read()
    except OSError:
        return True  # unreadable here: let Avocado's plugin decide


def skip_unused_prefetch(job):
    """Drop the pre-fetch from the job's pre-test plugins unless one of its test files fetches an
    asset; True when dropped."""
    if any(fetches_assets(path) for path in test_files(job)):
        return False
    dispatcher = job.result_events_dispatcher
    kept = [ext for ext in dispatcher.extensions if ext.name != PLUGIN]
    dropped = len(kept) != len(dispatcher.extensions)
    dispatcher.extensions = kept
    return dropped
