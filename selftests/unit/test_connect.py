"""Connections opened the suite's way: transports read from URIs, credentials from the caller."""

import libvirt
import pytest

from avocado_cert.host import connect, libvirt_errors
from avocado_cert.testing import transport


@pytest.mark.parametrize(
    "uri, expected",
    [
        ("qemu:///system", "unix"),
        ("qemu+unix:///system?socket=/x/sock", "unix"),
        ("qemu+tcp://127.0.0.1/system", "tcp"),
        ("qemu+tls://127.0.0.1/system?pkipath=/p", "tls"),
        ("qemu://host.example/system", "tls"),
        ("qemu+ssh://root@h/system", "ssh"),
        ("test:///default", ""),
    ],
)
def test_transport_of(uri, expected):
    assert connect.transport_of(uri) == expected


def test_uri_params_and_with_params():
    uri = "qemu+tls://127.0.0.1/system?pkipath=/a/b&authfile=/c/auth.conf"
    assert connect.uri_params(uri) == {"pkipath": "/a/b", "authfile": "/c/auth.conf"}
    assert transport.with_params(uri, authfile=None) == "qemu+tls://127.0.0.1/system?pkipath=/a/b"
    assert transport.with_params(uri, pkipath="/other") == (
        "qemu+tls://127.0.0.1/system?pkipath=/other&authfile=/c/auth.conf"
    )
    assert transport.with_params("qemu+tcp://h/system", authfile=None) == "qemu+tcp://h/system"


def test_auth_file_credentials(tmp_path):
    path = tmp_path / "auth.conf"
    path.write_text("[credentials-x]\nauthname=alice\npassword=s3cr=t\n\n[auth-libvirt-h]\ncredentials=x\n")
    assert transport.auth_file_credentials(str(path)) == ("alice", "s3cr=t")


def test_open_uri_answers_credentials_the_test_driver_asks_for(tmp_path):
    """The test driver's <auth> asks for a user and password: given, they connect; a wrong one is refused."""
    libvirt_errors.quiet()
    path = tmp_path / "node.xml"
    path.write_text("<node><auth><user password='pw'>alice</user></auth></node>")
    uri = f"test://{path}"
    conn = connect.open_uri(uri, authname="alice", passphrase="pw")
    assert conn.isAlive() == 1
    conn.close()
    with pytest.raises(libvirt.libvirtError):
        connect.open_uri(uri, authname="alice", passphrase="wrong")
    with pytest.raises(libvirt.libvirtError):
        connect.open_uri(uri)
