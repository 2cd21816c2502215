import pytest

from avocado_cert.base.errors import CertError
from avocado_cert.plan import profile
from selftests.conftest import write

GOOD = """
name: {name}
description: a profile
criteria: "1.0"
areas: [host]
axes:
  driver:
    test: {{uri: "test:///default"}}
  arch:
    i686: {{}}
"""


def test_shipped_profiles_all_load():
    names = profile.available()
    assert "test" in names
    for name in names:
        prof = profile.load(name)
        assert prof.name == name
        assert prof.references, name


def test_test_profile_references_are_suite_folders():
    prof = profile.load("test")
    assert prof.criteria == "1.1"
    assert all(ref.startswith(profile.paths.suite_dir()) for ref in prof.references)


def test_unknown_profile_lists_available():
    with pytest.raises(CertError) as err:
        profile.load("no-such-profile")
    assert "unknown profile 'no-such-profile'" in str(err.value)
    assert "test" in str(err.value)


@pytest.mark.parametrize(
    "body, problem",
    [
        ("name: [unclosed\n", "malformed YAML: line 2"),
        ("- just\n- a list\n", "expected a mapping at the top level"),
        (GOOD.format(name="p") + "bogus: 1\n", "unknown key 'bogus'"),
        (GOOD.format(name="p").replace('criteria: "1.0"\n', ""), "missing required key 'criteria'"),
        (GOOD.format(name="p").replace("areas: [host]", "areas: host"), "profile.areas: expected a list"),
        (
            GOOD.format(name="p").replace("areas: [host]", "areas: [nowhere]"),
            "no test suite for area 'nowhere'",
        ),
        (GOOD.format(name="p") + "parallel: two\n", "profile.parallel: expected an integer"),
        (GOOD.format(name="p") + "parallel: 0\n", "parallel: must be at least 1"),
        (GOOD.format(name="p") + "parallel_per_cpu: 0\n", "parallel_per_cpu: must be at least 1"),
        (GOOD.format(name="other"), "does not match the file name"),
        (GOOD.format(name="p") + "host: cloud\n", "'cloud' is not one of"),
        (GOOD.format(name="p").replace("i686: {}", "i686: [1]"), "axes.arch.i686: expected a mapping"),
        (GOOD.format(name="p").replace("i686: {}", "'bad;id': {}"), "invalid value name"),
        (GOOD.format(name="p").replace("i686: {}", "i686: {x: [1]}"), "axes.arch.i686.x: expected a string"),
    ],
)
def test_bad_profiles_give_one_line_naming_file(tmp_path, body, problem):
    path = write(tmp_path / "p.yaml", body)
    with pytest.raises(CertError) as err:
        profile.load(path)
    message = str(err.value)
    assert problem in message
    assert message.startswith(path)
    assert "\n" not in message


def test_load_many_rejects_repeats(tmp_path):
    path = write(tmp_path / "p.yaml", GOOD.format(name="p"))
    with pytest.raises(CertError, match="named twice"):
        profile.load_many(f"{path},{path}")


def test_parallelism_per_cpu_follows_the_host(tmp_path, monkeypatch):
    monkeypatch.setattr(profile.os, "cpu_count", lambda: 3)
    per_cpu = profile.load(write(tmp_path / "p.yaml", GOOD.format(name="p") + "parallel_per_cpu: 2\n"))
    assert per_cpu.tests_at_a_time() == 6
    both = profile.load(
        write(tmp_path / "q.yaml", GOOD.format(name="q") + "parallel: 5\nparallel_per_cpu: 2\n")
    )
    assert both.tests_at_a_time() == 5, "a fixed parallel: wins"
    assert profile.load(write(tmp_path / "r.yaml", GOOD.format(name="r"))).tests_at_a_time() is None
