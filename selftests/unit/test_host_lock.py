"""The host lock of a run: a private libvirtd (its own socket, e.g. a migration host) has a lock of its
own; any URI that reaches the host's daemon shares the host's."""

from avocado_cert.host import hostcheck


def test_a_private_daemon_has_a_lock_of_its_own(tmp_path):
    host_lock = str(tmp_path / "avocado-cert.lock")
    private = "qemu+unix:///system?socket=/tmp/acert-migration/src/sock/libvirt-sock"
    assert hostcheck.lock_path(private, host_lock) == str(
        tmp_path / "avocado-cert-socket-_tmp_acert-migration_src_sock_libvirt-sock.lock"
    )
    for uri in ("qemu:///system", "qemu+unix:///system?socket=/var/run/libvirt/libvirt-sock"):
        assert hostcheck.lock_path(uri, host_lock) == host_lock
    host_run = hostcheck.lock_host(["qemu:///system"], host_lock)
    private_run = hostcheck.lock_host([private], host_lock)  # not held back by a run on the host's daemon
    hostcheck.unlock_host(private_run)
    hostcheck.unlock_host(host_run)
