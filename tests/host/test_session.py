"""The connection as a session: keepalive, notification when the daemon closes it, and whether the
channel is secure and encrypted."""

import time
from urllib.parse import urlparse

import libvirt

from avocado_cert.host import hostcheck
from avocado_cert.testing import CertTest, daemonclients, events

# Transport -> (secure, encrypted) as libvirt documents them: a UNIX socket or the in-process driver
# cannot be overheard; TLS and SSH encrypt; plain TCP does neither (unless SASL encrypts: set params).
CHANNELS = {
    "": (1, 0),
    "unix": (1, 0),
    "tls": (1, 1),
    "ssh": (1, 1),
    "libssh": (1, 1),
    "libssh2": (1, 1),
    "tcp": (0, 0),
}


class SessionTest(CertTest):
    """
    :avocado: disable
    """

    def setUp(self):
        events.start_loop()  # keepalive and close notifications are driven by the event loop
        super().setUp()

    def require_daemon(self):
        if hostcheck.in_process(self.uri):
            self.skip_because(
                "the in-process driver keeps no connection to a daemon that could close or time out"
            )


class KeepAlive(SessionTest):
    """
    :avocado: tags=area:host,cap:host.session
    """

    def test_keepalive(self):
        """
        With keepalive probes every second and one miss allowed, a connection to a daemon that answers
        stays open well past the time a dead one would be dropped; keepalive can be turned off again.

        :avocado: tags=api:virConnectSetKeepAlive
        """
        result = self.conn.setKeepAlive(1, 1)
        if result == 1:
            self.skip_because("the daemon does not support keepalive messages")
        self.assertEqual(result, 0)
        idle_until = time.monotonic() + 3.0
        # The connection stays alive while idle: the loop answers and sends the probes meanwhile.
        self.wait_for(
            lambda: not self.conn.isAlive() or time.monotonic() >= idle_until,
            5.0,
            step=0.1,
            what="the idle period",
        )
        self.assertEqual(self.conn.isAlive(), 1, "keepalive closed a connection to a daemon that answers")
        self.assertTrue(self.conn.getHostname(), "the connection does not work after the idle period")
        self.assertEqual(self.conn.setKeepAlive(0, 0), 0, "keepalive could not be turned off")


class CloseCallback(SessionTest):
    """
    :avocado: tags=area:host,cap:host.session
    """

    def test_register_unregister(self):
        """
        One close callback per connection: a second registration is refused until it is unregistered.

        :avocado: tags=api:virConnectRegisterCloseCallback,api:virConnectUnregisterCloseCallback
        """
        self.require_daemon()
        self.assertEqual(self.conn.registerCloseCallback(lambda *_args: None, None), 0)
        self.expect_error(
            libvirt.VIR_ERR_OPERATION_INVALID, self.conn.registerCloseCallback, lambda *_args: None, None
        )
        self.conn.unregisterCloseCallback()
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, self.conn.unregisterCloseCallback)
        self.assertEqual(
            self.conn.registerCloseCallback(lambda *_args: None, None), 0, "re-registration refused"
        )
        self.conn.unregisterCloseCallback()

    def test_closed_by_daemon(self):
        """
        When the daemon closes the connection, the close callback runs with the connection and a reason,
        and the connection is no longer alive.

        :avocado: tags=api:virConnectRegisterCloseCallback,api:virConnectIsAlive
        """
        self.require_daemon()
        server = str(self.param("admin_server", "libvirtd"))
        try:
            before = daemonclients.own_clients(server)
            conn = self.open_connection()
            mine = daemonclients.own_clients(server) - before
        except daemonclients.AdminUnavailable as details:
            self.skip_because(f"cannot see the daemon's clients: {details}")
        self.objects.on_cleanup("second connection", self._close_quietly, conn)
        if len(mine) != 1:
            self.skip_because(f"cannot tell this connection among the daemon's clients ({sorted(mine)})")
        calls = []
        conn.registerCloseCallback(lambda c, reason, opaque: calls.append((c, reason, opaque)), "acert")
        daemonclients.disconnect(mine.pop(), server)
        self.wait_for(lambda: calls, float(self.param("event_timeout", 10)), what="the close callback")
        closed, reason, opaque = calls[0]
        self.assertIs(closed, conn)
        self.assertEqual(opaque, "acert")
        self.assertIn(reason, (libvirt.VIR_CONNECT_CLOSE_REASON_EOF, libvirt.VIR_CONNECT_CLOSE_REASON_ERROR))
        self.assertEqual(conn.isAlive(), 0)
        self.assertEqual(self.conn.isAlive(), 1, "closing one client closed another")

    @staticmethod
    def _close_quietly(conn):
        try:
            conn.close()
        except libvirt.libvirtError:
            pass  # already closed by the daemon


class ChannelSecurity(SessionTest):
    """
    :avocado: tags=area:host,cap:host.session
    """

    def test_secure_encrypted(self):
        """
        virConnectIsSecure and virConnectIsEncrypted match the transport of the URI.

        :avocado: tags=api:virConnectIsSecure,api:virConnectIsEncrypted
        """
        scheme = urlparse(self.uri).scheme
        transport = scheme.split("+", 1)[1] if "+" in scheme else ""
        self.require(transport in CHANNELS, f"no documented expectation for transport {transport!r}")
        secure, encrypted = CHANNELS[transport]
        secure = int(self.param("expect_secure", secure))
        encrypted = int(self.param("expect_encrypted", encrypted))
        self.assertEqual(self.conn.isSecure(), secure, f"isSecure over {transport or 'the local channel'}")
        self.assertEqual(
            self.conn.isEncrypted(), encrypted, f"isEncrypted over {transport or 'the local channel'}"
        )
