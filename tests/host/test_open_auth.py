"""Opening a connection with an authentication callback (virConnectOpenAuth): libvirt asks the
callback for documented credential types only, admits the right answers, refuses wrong or withheld
ones with VIR_ERR_AUTH_FAILED, and honours VIR_CONNECT_RO; where no authentication is needed the
connection opens all the same."""

import os

import libvirt

from avocado_cert.base import naming
from avocado_cert.testing import CertTest, clientauth
from avocado_cert.testing.runtime import Runtime

USER = "acert-user"


class OpenAuth(CertTest):
    """
    :avocado: tags=area:host,cap:host.open_auth
    """

    def open_auth(self, uri, credentials, flags=0, offered=None):
        conn = libvirt.openAuth(uri, credentials.auth(offered), flags)
        self.objects.on_cleanup(f"connection to {uri}", conn.close)
        return conn

    def check_requests(self, credentials, offered):
        for cred_type in credentials.types_asked:
            self.assertIn(
                cred_type, clientauth.DOCUMENTED_CREDENTIALS, f"undocumented credential type {cred_type}"
            )
            self.assertIn(cred_type, offered, f"asked for {cred_type}, which the client did not offer")

    def test_open_auth_variant_uri(self):
        """
        openAuth on the variant's URI gives a working connection to the same driver as open(), asking
        the callback (if at all) only for documented credential types it was offered; with
        VIR_CONNECT_RO the connection is read-only and refuses a define with VIR_ERR_OPERATION_DENIED.

        :avocado: tags=api:virConnectOpenAuth
        """
        answers = {libvirt.VIR_CRED_AUTHNAME: USER, libvirt.VIR_CRED_PASSPHRASE: "acert-unused"}
        credentials = clientauth.Credentials(answers)
        conn = self.open_auth(self.uri, credentials)
        self.assertEqual(conn.getURI(), self.conn.getURI())
        self.assertEqual(conn.getType(), self.conn.getType())
        dom = Runtime(self).domain(start=False)[0]
        self.assertEqual(
            conn.lookupByName(dom.name()).UUIDString(),
            dom.UUIDString(),
            "the connections see different domains",
        )
        self.check_requests(credentials, answers)
        self.log.info("credentials asked on %s: %s", self.uri, credentials.types_asked)
        readonly = self.open_auth(self.uri, clientauth.Credentials(answers), libvirt.VIR_CONNECT_RO)
        self.assertEqual(readonly.lookupByName(dom.name()).UUIDString(), dom.UUIDString())
        xml = self.domain_xml(name=naming.unique("dom"))
        self.expect_error(libvirt.VIR_ERR_OPERATION_DENIED, readonly.defineXML, xml)

    def test_auth_callback(self):
        """
        A driver that requires a user (the in-process test driver with users in its state file) asks
        the callback for VIR_CRED_AUTHNAME and VIR_CRED_PASSPHRASE; the right answers open the
        connection; a wrong password, a withheld answer, or no offer of the type needed are refused
        with VIR_ERR_AUTH_FAILED.

        :avocado: tags=api:virConnectOpenAuth
        """
        rt = Runtime(self)
        path = rt.scratch_file("auth-node.xml")
        with open(path, "w", encoding="utf-8") as out:
            out.write(clientauth.auth_node_xml(USER, "acert-right"))
        uri = "test://" + os.path.abspath(path)
        right = {libvirt.VIR_CRED_AUTHNAME: USER, libvirt.VIR_CRED_PASSPHRASE: "acert-right"}
        credentials = clientauth.Credentials(right)
        conn = self.open_auth(uri, credentials)
        self.assertEqual(conn.getURI(), uri)
        self.assertEqual(credentials.types_asked, [libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE])
        self.check_requests(credentials, right)
        wrong = clientauth.Credentials(dict(right))
        wrong.answers[libvirt.VIR_CRED_PASSPHRASE] = "acert-wrong"
        self.expect_error(libvirt.VIR_ERR_AUTH_FAILED, libvirt.openAuth, uri, wrong.auth(), 0)
        self.assertIn(libvirt.VIR_CRED_PASSPHRASE, wrong.types_asked)
        withheld = clientauth.Credentials({libvirt.VIR_CRED_AUTHNAME: USER})
        self.expect_error(
            libvirt.VIR_ERR_AUTH_FAILED,
            libvirt.openAuth,
            uri,
            withheld.auth([libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE]),
            0,
        )
        self.expect_error(
            libvirt.VIR_ERR_AUTH_FAILED,
            libvirt.openAuth,
            uri,
            clientauth.Credentials(right).auth([libvirt.VIR_CRED_EXTERNAL]),
            0,
        )
