"""What the console, graphics, FD-passing and lifecycle-action tests stand on: devices added to a
domain's XML, the RFB greeting of a VNC server read from a socket, and the on_* actions of an XML."""

import socket
from urllib.parse import urlparse

from avocado_cert.base import xmlsafe
from avocado_cert.testing import xmlbuild

RFB_VERSION = b"RFB 003.008\n"
# RFB security types (RFC 6143, 7.1.2).
RFB_SECURITY_NONE = 1
RFB_SECURITY_VNC_AUTH = 2
LIFECYCLE_EVENTS = ("on_poweroff", "on_reboot", "on_crash")


def over_local_socket(uri):
    """Whether calls go in-process or over a local UNIX socket (file descriptors can travel with them)."""
    scheme = urlparse(uri).scheme
    return "+" not in scheme or scheme.endswith("+unix")


def _edit(xml, change):
    root = xmlsafe.fromstring(xml)
    change(root)
    return xmlbuild.to_xml(root)


def with_fd_disk(xml, path, group, target="vdb"):
    """The domain XML with a raw disk read from the fd group `group`; path names it, unopened."""

    def change(root):
        disk = xmlbuild.template("disk-fdgroup")
        disk.find("source").set("file", path)
        disk.find("source").set("fdgroup", group)
        disk.find("target").set("dev", target)
        root.find("devices").append(disk)

    return _edit(xml, change)


def with_graphics_password(xml, password):
    """The domain XML with a password on its (first) graphics device."""
    return _edit(xml, lambda root: root.find("devices/graphics").set("passwd", password))


def lifecycle_actions(xml):
    """{'on_poweroff': 'destroy', ...} of a domain XML."""
    root = xmlsafe.fromstring(xml)
    return {event: (root.findtext(event) or "").strip() for event in LIFECYCLE_EVENTS}


def _recv_exactly(sock, size):
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError(f"the peer closed after {data!r}")
        data += chunk
    return data


def rfb_handshake(fd, timeout=10.0):
    """Read a VNC server's greeting on fd, answer with RFB 3.8, return (greeting, security types).

    Takes ownership of fd (closed on return)."""
    with socket.socket(fileno=fd) as sock:
        sock.settimeout(timeout)
        greeting = _recv_exactly(sock, len(RFB_VERSION))
        if greeting != RFB_VERSION:
            return greeting, []
        sock.sendall(RFB_VERSION)
        count = _recv_exactly(sock, 1)[0]
        return greeting, list(_recv_exactly(sock, count)) if count else []
