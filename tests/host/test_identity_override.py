"""virConnectSetIdentity: a privileged client over the daemon's UNIX socket replaces the identity the
daemon read from the socket's peer; the daemon's view of the client (virt-admin client-info) shows
the process id given, and the connection works on. A parameter libvirt does not know is refused."""

import secrets

import libvirt

from avocado_cert.base import naming
from avocado_cert.host import hostcheck
from avocado_cert.testing import CertTest, daemonclients, domainio

# Above Linux's largest pid_max (2^22): no real process of this host can carry it.
FAKE_PID_BASE = 1 << 23


class IdentityOverride(CertTest):
    """
    :avocado: tags=area:host,cap:host.client_identity
    """

    def own_clients(self, pid=None):
        try:
            return daemonclients.own_clients(pid=pid)
        except daemonclients.AdminUnavailable as err:
            self.skip_because(f"the daemon's view of its clients cannot be read: {err}")
        return set()

    def test_set_identity(self):
        """
        setIdentity on a fresh connection replaces the identity the daemon holds for that client (and
        for no other): it shows the process id given; the connection works on; an unknown parameter
        is refused with VIR_ERR_ARGUMENT_UNSUPPORTED.

        :avocado: tags=api:virConnectSetIdentity
        """
        conn = self.open_connection()
        self.objects.on_cleanup("connection", conn.close)
        user = naming.unique("user")
        pid = FAKE_PID_BASE + secrets.randbelow(1 << 20)
        identity = {
            libvirt.VIR_CONNECT_IDENTITY_USER_NAME: user,
            libvirt.VIR_CONNECT_IDENTITY_UNIX_USER_ID: 424242,
            libvirt.VIR_CONNECT_IDENTITY_PROCESS_ID: pid,
        }
        if hostcheck.in_process(self.uri):
            conn.setIdentity(identity, 0)  # a driver without a daemon answers VIR_ERR_NO_SUPPORT: UNSUPPORTED
            self.skip_because(
                "an in-process driver has no daemon whose view of the client could show the identity"
            )
        self.require(
            domainio.over_local_socket(self.uri), "the daemon reads a client's identity from a UNIX socket"
        )
        self.assertEqual(self.own_clients(pid), set(), f"a client already claims pid {pid}")
        ours_before = self.own_clients()
        self.assertEqual(conn.setIdentity(identity, 0), 0)
        moved = self.own_clients(pid)
        self.assertEqual(len(moved), 1, f"clients the daemon now sees with pid {pid}: {moved}")
        self.assertTrue(moved <= ours_before, "the identity landed on a client that is not this process's")
        self.assertFalse(moved & self.own_clients(), "the client still carries the socket's pid")
        self.assertTrue(conn.getHostname(), "the connection does not work after setIdentity")
        self.expect_error(libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED, conn.setIdentity, {"acert-unknown": "x"}, 0)
