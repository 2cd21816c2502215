"""Reading the tests of a suite statically, as Avocado's loader finds them."""

from avocado_cert.offline import suitehash, suiteindex

SOURCE = '''
from avocado_cert.testing import CertTest
from somewhere import NetworkTest


class Base(CertTest):
    """
    :avocado: tags=area:net
    """

    def test_inherited(self):
        """:avocado: tags=cap:net.a,api:virA"""

    def helper(self):
        pass


class Child(Base):
    """
    :avocado: tags=cap:net.b
    """

    def test_own(self):
        """
        :avocado: tags=api:virB
        :avocado: tags=api:virC,cap:ignored
        """


class Imported(NetworkTest):
    def test_x(self):
        pass


class Hidden(CertTest):
    """:avocado: disable"""

    def test_hidden(self):
        pass


class Plain:
    def test_not_a_test(self):
        pass


class Shown:
    """:avocado: enable"""

    def test_shown(self):
        pass
'''


def test_tests_in_source():
    found = dict(suiteindex.tests_in_source(SOURCE))
    assert list(found) == [
        "Base.test_inherited",
        "Child.test_own",
        "Child.test_inherited",
        "Imported.test_x",
        "Shown.test_shown",
    ]
    # As Avocado combines them: the class's cap replaces the method's, the base's area fills in.
    assert found["Child.test_own"] == {"area": {"net"}, "cap": {"net.b"}, "api": {"virB", "virC"}}
    assert found["Child.test_inherited"] == {"area": {"net"}, "cap": {"net.b"}, "api": {"virA"}}
    assert found["Base.test_inherited"] == {"area": {"net"}, "cap": {"net.a"}, "api": {"virA"}}


def test_syntax_error_gives_no_tests():
    assert suiteindex.tests_in_source("class (:\n") == []


def test_suite_hash_covers_contents_and_version(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "test_x.py").write_text("x = 1\n")
    (tmp_path / "a" / "__pycache__").mkdir()
    (tmp_path / "a" / "__pycache__" / "test_x.cpython-311.pyc").write_bytes(b"\0")
    first, contents = suitehash.snapshot(str(tmp_path), "1.0")
    assert list(contents) == ["a/test_x.py"]
    assert suitehash.digest(first["files"], "1.0") == first["sha256"]
    assert suitehash.snapshot(str(tmp_path), "1.1")[0]["sha256"] != first["sha256"]
    (tmp_path / "a" / "test_x.py").write_text("x = 2\n")
    assert suitehash.snapshot(str(tmp_path), "1.0")[0]["sha256"] != first["sha256"]


def _avocado_view(path):
    """(Class.method, tags) as Avocado's own static loader finds them in a file."""
    from avocado_cert.framework.safeloader import (
        find_avocado_tests,  # pylint: disable=import-outside-toplevel
    )

    classes, _disabled = find_avocado_tests(path)
    return sorted(
        (f"{klass}.{method}", {k: set(v or ()) for k, v in tags.items()})
        for klass, methods in classes.items()
        for method, tags, _deps in methods
    )


def test_agrees_with_avocado_on_the_example(tmp_path):
    path = tmp_path / "test_example.py"
    path.write_text(
        SOURCE.replace("from somewhere import NetworkTest", "from avocado import Test as NetworkTest")
    )
    mine = sorted(suiteindex.tests_in_source(path.read_text()))
    assert mine == _avocado_view(str(path))


def test_agrees_with_avocado_on_the_whole_suite():
    """Every test file of tests/: the same tests, with the same tags, as Avocado's loader."""
    _description, contents = suitehash.snapshot()
    root = _description["root"]
    checked = 0
    for rel, source in sorted(contents.items()):
        if not rel.endswith(".py"):
            continue
        assert sorted(suiteindex.tests_in_source(source, rel)) == _avocado_view(f"{root}/{rel}"), rel
        checked += 1
    assert checked
