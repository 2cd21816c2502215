"""Saved guest states: one per definition and versions (whatever the domain's name and UUID), used by
one domain at a time, only where the daemon runs on this host."""

from avocado_cert.base import naming
from avocado_cert.guest import savedstate

XML = "<domain type='qemu'><name>{name}</name>{uuid}<memory unit='KiB'>{mem}</memory></domain>"


def xml(name="acert-dom-1", uuid="", mem=131072):
    return XML.format(name=name, uuid=f"<uuid>{uuid}</uuid>" if uuid else "", mem=mem)


def test_key_ignores_name_and_uuid_only():
    base = savedstate.key(xml(), (9000000, 7002000))
    assert (
        savedstate.key(
            xml(name="acert-dom-2", uuid="c347f639-5897-403f-ae43-4e910b36236b"), (9000000, 7002000)
        )
        == base
    )
    assert savedstate.key(xml(mem=262144), (9000000, 7002000)) != base
    # another libvirt or QEMU version: the state is not used (a new one is saved)
    assert savedstate.key(xml(), (9000000, 8000000)) != base


def test_renamed_replaces_the_domain_name():
    assert "<name>acert-saved-x</name>" in savedstate.renamed(xml(), "acert-saved-x")
    assert "acert-dom-1" not in savedstate.renamed(xml(), "acert-saved-x")


def test_each_slot_serves_one_domain_at_a_time(tmp_path):
    versions = (1, 2)
    first = savedstate.claim(str(tmp_path), xml(), versions, slots=2)
    second = savedstate.claim(str(tmp_path), xml(name="acert-dom-9"), versions, slots=2)
    assert first and second and first.path != second.path
    assert naming.owned(first.domain_name) and first.domain_name != second.domain_name
    assert not first.saved
    assert savedstate.claim(str(tmp_path), xml(), versions, slots=2) is None, "both slots are in use"
    first.release()
    again = savedstate.claim(str(tmp_path), xml(), versions, slots=2)
    assert again.path == first.path
    again.release()
    second.release()


def test_commit_is_atomic_and_discard_forgets(tmp_path):
    state = savedstate.claim(str(tmp_path), xml(), (1, 2))
    partial = state.partial_path()
    with open(partial, "wb") as out:
        out.write(b"state")
    assert not state.saved
    state.commit(partial)
    assert state.saved
    state.discard()
    assert not state.saved
    state.release()


def test_only_local_daemons():
    for uri in ("qemu:///system", "qemu+tcp://127.0.0.1/system", "qemu+tls://localhost:16514/system"):
        assert savedstate.local_uri(uri), uri
    for uri in ("qemu+ssh://root@lab-host/system", "qemu+tcp://10.0.0.5:16509/system"):
        assert not savedstate.local_uri(uri), uri
