"""Security of the remote transports: who may connect, and whether the channel can be overheard.

Each check needs the transport set-up of its profile (qemu-x86_64-tls: client certificates and
SASL; qemu-x86_64-tcp: the insecure reference) and SKIPs, saying why, where the profile has none.
"""

import os

import libvirt

from avocado_cert.host import connect
from avocado_cert.testing import CertTest, transport

# How a daemon refuses a client: the TLS handshake fails (the client reads no confirmation) or the
# authentication step says no.
REFUSED = (libvirt.VIR_ERR_SYSTEM_ERROR, libvirt.VIR_ERR_AUTH_FAILED, libvirt.VIR_ERR_AUTH_CANCELLED)


class TransportTest(CertTest):
    """
    :avocado: disable
    """

    def setUp(self):
        super().setUp()
        # Only the URI's own authfile (or the test's credentials) may answer: not one from the environment.
        os.environ.pop("LIBVIRT_AUTH_FILE", None)
        self.transport = connect.transport_of(self.uri)
        self.uri_params = connect.uri_params(self.uri)

    def require_transport(self, *transports):
        self.require(
            self.transport in transports,
            f"the profile's transport ({self.transport or 'in-process'}) is not {' or '.join(transports)}",
        )

    def assert_refused(self, uri, what, **credentials):
        """Connecting to uri must fail the way a daemon refuses a client."""
        try:
            conn = connect.open_uri(uri, **credentials)
        except libvirt.libvirtError as err:
            self.log.info("%s refused, as expected: %s", what, err.get_error_message())
            self.assertIn(err.get_error_code(), REFUSED, f"{what}: refused with an unexpected error: {err}")
            return
        try:
            alive = conn.isAlive()
        finally:
            conn.close()
        self.fail(f"{what}: the daemon accepted the connection (virConnectIsAlive {alive})")

    def assert_accepted(self, uri, what, **credentials):
        """The control: the same URI with the right credentials connects and answers."""
        conn = connect.open_uri(uri, **credentials)
        try:
            self.assertEqual(conn.isAlive(), 1, f"{what}: the connection is not alive")
            self.assertTrue(conn.getType(), f"{what}: virConnectGetType answered nothing")
        finally:
            conn.close()


class TlsClientCertificate(TransportTest):
    """
    :avocado: tags=area:security,cap:security.tls_client_auth
    """

    def setUp(self):
        super().setUp()
        self.require_transport("tls")
        pkipath = self.uri_params.get("pkipath")
        self.require(pkipath, "the profile's TLS URI names no pkipath (the client's certificates)")
        self.cacert = os.path.join(pkipath, "cacert.pem")
        self.require(os.path.isfile(self.cacert), f"no CA certificate in the pkipath {pkipath}")

    def test_foreign_ca_refused(self):
        """
        A client certificate signed by another CA is refused; the profile's own one is accepted.

        :avocado: tags=api:virConnectOpenAuth
        """
        folder = transport.foreign_client_pki(os.path.join(self.workdir, "foreign"), self.cacert)
        self.require(folder, "certtool (gnutls-bin) is needed to make a certificate of another CA")
        self.assert_accepted(self.uri, "the profile's client certificate")
        self.assert_refused(
            transport.with_params(self.uri, pkipath=folder), "a client certificate of another CA"
        )

    def test_missing_certificate_refused(self):
        """
        A client that presents no certificate is refused, even with valid SASL credentials.

        :avocado: tags=api:virConnectOpenAuth
        """
        folder = transport.no_client_pki(os.path.join(self.workdir, "none"), self.cacert)
        self.assert_accepted(self.uri, "the profile's client certificate")
        self.assert_refused(transport.with_params(self.uri, pkipath=folder), "a client without a certificate")


class SaslPassword(TransportTest):
    """
    :avocado: tags=area:security,cap:security.sasl_auth
    """

    def setUp(self):
        super().setUp()
        self.require(
            self.param("transport_auth") == "sasl",
            f"the profile's transport ({self.transport or 'in-process'}) does not authenticate with SASL",
        )
        auth_file = self.uri_params.get("authfile")
        self.require(auth_file and os.path.isfile(auth_file), "the profile's URI names no readable authfile")
        self.authname, self.password = transport.auth_file_credentials(auth_file)
        self.require(self.authname and self.password, f"no credentials in {auth_file}")
        self.bare_uri = transport.with_params(self.uri, authfile=None)

    def test_wrong_password_refused(self):
        """
        SASL refuses a wrong password, an unknown user and no credentials; the right ones connect.

        :avocado: tags=api:virConnectOpenAuth
        """
        self.assert_accepted(
            self.bare_uri, "the right password", authname=self.authname, passphrase=self.password
        )
        self.assert_refused(
            self.bare_uri, "a wrong password", authname=self.authname, passphrase=self.password + "-wrong"
        )
        self.assert_refused(
            self.bare_uri, "an unknown user", authname="acert-nobody", passphrase=self.password
        )
        self.assert_refused(self.bare_uri, "no credentials at all")


class RemoteAccess(TransportTest):
    """
    :avocado: tags=area:security
    """

    def setUp(self):
        super().setUp()
        self.require(
            self.transport in transport.NETWORK,
            f"the profile's transport ({self.transport or 'in-process'}) is not reachable over a network",
        )

    def test_unauthenticated_client_refused(self):
        """
        A network client that presents no credentials (no client certificate, no password) is refused.

        :avocado: tags=cap:security.remote_authentication,api:virConnectOpenAuth
        """
        uri = transport.with_params(self.uri, authfile=None)
        if self.transport == "tls" and self.uri_params.get("pkipath"):
            cacert = os.path.join(self.uri_params["pkipath"], "cacert.pem")
            uri = transport.with_params(
                uri, pkipath=transport.no_client_pki(os.path.join(self.workdir, "anon"), cacert)
            )
        self.assert_refused(uri, f"a client without credentials over {self.transport}")

    def test_channel_encrypted(self):
        """
        The channel over the network is encrypted and secure, as virConnectIsEncrypted/IsSecure report.

        :avocado: tags=cap:security.remote_encryption,api:virConnectIsEncrypted,api:virConnectIsSecure
        """
        encrypted = self.conn.isEncrypted()
        secure = self.conn.isSecure()
        self.log.info(
            "over %s: virConnectIsEncrypted %s, virConnectIsSecure %s", self.transport, encrypted, secure
        )
        if (encrypted, secure) != (1, 1):
            self.fail(
                f"over {self.transport} virConnectIsEncrypted is {encrypted} and virConnectIsSecure is "
                f"{secure}: requests and replies, secret values included, cross the network readable by "
                "anyone on the path"
            )
