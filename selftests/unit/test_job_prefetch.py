"""A certification job leaves out Avocado's asset pre-fetch when none of its test files fetches an
asset, and keeps it otherwise; the safeloader parses a source text once per process."""

import types

from avocado.core.nrunner.runnable import Runnable

from avocado_cert.framework import assets, safeloader


class Extension:
    def __init__(self, name):
        self.name = name


def job_of(tmp_path, sources):
    tests = []
    for name, text in sources.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        tests.append(Runnable("avocado-instrumented", f"{path}:Case.test_one"))
    dispatcher = types.SimpleNamespace(extensions=[Extension("fetchasset"), Extension("cert-host")])
    return types.SimpleNamespace(
        test_suites=[types.SimpleNamespace(tests=tests)], result_events_dispatcher=dispatcher
    )


def test_prefetch_dropped_where_no_test_fetches(tmp_path):
    job = job_of(tmp_path, {"test_a.py": "class Case: pass\n", "test_b.py": "x = 1\n"})
    assert assets.skip_unused_prefetch(job)
    assert [e.name for e in job.result_events_dispatcher.extensions] == ["cert-host"]


def test_prefetch_kept_where_a_test_fetches(tmp_path):
    job = job_of(tmp_path, {"test_a.py": "x = 1\n", "test_b.py": "self.fetch_asset('http://x/y.img')\n"})
    assert not assets.skip_unused_prefetch(job)
    assert [e.name for e in job.result_events_dispatcher.extensions] == ["fetchasset", "cert-host"]


def test_safeloader_parses_a_source_once():
    safeloader.install()
    from avocado.core.safeloader import module  # pylint: disable=import-outside-toplevel

    first = module.ast.parse("class A:\n    pass\n", "x.py")
    assert module.ast.parse("class A:\n    pass\n", "x.py") is first
    changed = module.ast.parse("class B:\n    pass\n", "x.py")
    assert changed is not first and changed.body[0].name == "B"
    assert module.ast.ClassDef is __import__("ast").ClassDef
