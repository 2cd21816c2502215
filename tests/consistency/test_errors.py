"""libvirt's error reporting after a failing call: the thread's last error and the connection's
last error hold that call's code, domain and message until reset, and a registered error handler
receives each error as it is raised."""

import libvirt

from avocado_cert.base import naming
from avocado_cert.host import libvirt_errors
from avocado_cert.testing import CertTest

NO_ERROR_MESSAGE = "no error"


def code_of(error):
    """The code of an error tuple; a cleared error reads as None or as code VIR_ERR_OK."""
    return error[0] if error else libvirt.VIR_ERR_OK


class ErrorReporting(CertTest):
    """
    :avocado: tags=area:consistency,cap:consistency.error_reporting
    """

    def fail_lookup(self, conn=None, kind="domain"):
        """A lookup of a missing object; return the libvirtError it raised."""
        conn = conn or self.conn
        lookup = conn.lookupByName if kind == "domain" else conn.networkLookupByName
        try:
            lookup(naming.unique("missing"))
        except libvirt.libvirtError as err:
            return err
        self.fail(f"looking up a missing {kind} succeeded")
        return None

    def test_last_error(self):
        """
        After a failing call, virGetLastError, virGetLastErrorCode, virGetLastErrorDomain and
        virGetLastErrorMessage report that call's error (VIR_ERR_NO_DOMAIN for a missing domain);
        virResetLastError clears it: no error, code VIR_ERR_OK; the next failure is the last error.

        :avocado: tags=api:virGetLastError,api:virGetLastErrorCode,api:virGetLastErrorDomain
        :avocado: tags=api:virGetLastErrorMessage,api:virResetLastError
        """
        libvirt.virResetLastError()
        err = self.fail_lookup()
        self.assertEqual(err.get_error_code(), libvirt.VIR_ERR_NO_DOMAIN)
        last = libvirt.virGetLastError()
        self.assertIsNotNone(last, "no last error after a failing call")
        self.assertEqual(
            (last[0], last[1], last[2]),
            (err.get_error_code(), err.get_error_domain(), err.get_error_message()),
        )
        self.assertEqual(last[3], libvirt.VIR_ERR_ERROR, "the error's level")
        self.assertEqual(libvirt.virGetLastErrorCode(), libvirt.VIR_ERR_NO_DOMAIN)
        self.assertEqual(libvirt.virGetLastErrorDomain(), err.get_error_domain())
        self.assertEqual(libvirt.virGetLastErrorMessage(), err.get_error_message())
        libvirt.virResetLastError()
        self.assertIsNone(libvirt.virGetLastError())
        self.assertEqual(libvirt.virGetLastErrorCode(), libvirt.VIR_ERR_OK)
        self.assertEqual(libvirt.virGetLastErrorDomain(), libvirt.VIR_FROM_NONE)
        self.assertEqual(libvirt.virGetLastErrorMessage(), NO_ERROR_MESSAGE)
        self.fail_lookup(kind="network")
        self.assertEqual(
            libvirt.virGetLastErrorCode(), libvirt.VIR_ERR_NO_NETWORK, "the last error is not the newest"
        )

    def test_connection_last_error(self):
        """
        virConnGetLastError holds the last error of calls on that connection only: a failure on
        another connection changes the thread's last error but not this connection's;
        virConnResetLastError clears it.

        :avocado: tags=api:virConnGetLastError,api:virConnResetLastError
        """
        self.conn.virConnResetLastError()
        self.assertEqual(code_of(self.conn.virConnGetLastError()), libvirt.VIR_ERR_OK)
        err = self.fail_lookup()
        last = self.conn.virConnGetLastError()
        self.assertNotEqual(
            code_of(last), libvirt.VIR_ERR_OK, "no connection error after a failing call on it"
        )
        self.assertEqual(
            (last[0], last[1], last[2]),
            (err.get_error_code(), err.get_error_domain(), err.get_error_message()),
        )
        other = self.open_connection()
        self.objects.on_cleanup("second connection", other.close)
        other.virConnResetLastError()
        self.fail_lookup(other, kind="network")
        self.assertEqual(libvirt.virGetLastErrorCode(), libvirt.VIR_ERR_NO_NETWORK)
        self.assertEqual(other.virConnGetLastError()[0], libvirt.VIR_ERR_NO_NETWORK)
        self.assertEqual(
            self.conn.virConnGetLastError()[0],
            libvirt.VIR_ERR_NO_DOMAIN,
            "another connection's failure shows on this connection",
        )
        self.conn.virConnResetLastError()
        self.assertEqual(code_of(self.conn.virConnGetLastError()), libvirt.VIR_ERR_OK)
        self.assertEqual(
            other.virConnGetLastError()[0], libvirt.VIR_ERR_NO_NETWORK, "the reset cleared another connection"
        )

    def test_error_handler(self):
        """
        A handler registered with virSetErrorFunc (registerErrorHandler) receives each error with the
        context given, carrying the code, domain and message the call raised; successful calls do not
        call it; a newly registered handler replaces the old one.

        :avocado: tags=api:virSetErrorFunc
        """
        received = []
        self.objects.on_cleanup("error handler", libvirt_errors.quiet)
        self.assertEqual(
            libvirt.registerErrorHandler(lambda ctx, error: received.append((ctx, error)), "acert-ctx"), 1
        )
        err = self.fail_lookup()
        ours = [error for ctx, error in received if error[0] == libvirt.VIR_ERR_NO_DOMAIN]
        self.assertTrue(ours, f"the handler received no VIR_ERR_NO_DOMAIN: {received}")
        self.assertEqual({ctx for ctx, _error in received}, {"acert-ctx"})
        self.assertEqual(
            (ours[-1][0], ours[-1][1], ours[-1][2]),
            (err.get_error_code(), err.get_error_domain(), err.get_error_message()),
        )
        count = len(received)
        self.assertTrue(self.conn.getURI())
        self.conn.listAllDomains(0)
        self.assertEqual(len(received), count, f"successful calls reached the handler: {received[count:]}")
        replaced = []
        libvirt.registerErrorHandler(lambda ctx, error: replaced.append(error), None)
        self.fail_lookup(kind="network")
        self.assertTrue(
            [e for e in replaced if e[0] == libvirt.VIR_ERR_NO_NETWORK], "the new handler got no error"
        )
        self.assertEqual(
            len([e for _c, e in received if e[0] == libvirt.VIR_ERR_NO_NETWORK]),
            0,
            "the replaced handler still received errors",
        )
