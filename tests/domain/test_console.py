"""Console and graphics streams of a domain: what the guest prints on its serial console reaches an
openConsole stream (and what is written to it reaches the guest), one console session at a time
unless forced; openGraphics/openGraphicsFD hand the client a socket on which the VNC server greets."""

import socket

import libvirt

from avocado_cert.guest import variant as guest_variant
from avocado_cert.testing import CertTest, domainio, events
from avocado_cert.testing.runtime import Runtime

# SeaBIOS, with <bios useserial='yes'/>, prints its banner and the machine's UUID on the first serial port.
BIOS_BANNER = b"SeaBIOS"
BIOS_ARCHES = ("x86_64", "i686")


class StreamTest(CertTest):
    """
    :avocado: disable
    """

    def setUp(self):
        # A remote connection receives stream data only through an event loop registered before it opens.
        events.start_loop()
        super().setUp()
        self.rt = Runtime(self)

    def open_console(self, dom, dev_name=None, flags=0):
        stream = self.conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
        dom.openConsole(dev_name, stream, flags)
        self.objects.on_cleanup(f"console stream {id(stream)}", self._close_stream, stream)
        return stream

    def _close_stream(self, stream):
        try:
            stream.abort()
        except libvirt.libvirtError as err:
            # A stream the daemon already ended (forced off, domain gone) has nothing left to close.
            self.log.info("console stream already ended: %s", err.get_error_message())

    def require_bios_serial(self):
        arch = str(self.param("guest_arch", self.param("arch", "")))
        self.require(
            arch in BIOS_ARCHES, f"no firmware known to print on the serial console of {arch} guests"
        )

    def stream_ended(self, stream):
        """Whether a non-blocking stream reports its end: end of file, or an error."""
        try:
            return stream.recv(4096) == b""
        except libvirt.libvirtError as err:
            self.log.info("the stream reports: %s", err.get_error_message())
            return True


class DomainConsole(StreamTest):
    """
    :avocado: tags=area:domain,cap:domain.console
    """

    def test_console_output(self):
        """
        A console stream opened on a paused domain receives what its firmware prints on the serial
        port once it runs: the SeaBIOS banner and this domain's UUID.

        :avocado: tags=api:virDomainOpenConsole
        """
        self.require_bios_serial()
        dom, _facts = self.rt.domain(paused=True, console=True, bios_serial=True)
        stream = self.open_console(dom)
        dom.resume()
        data = self.rt.read_stream_until(stream, [BIOS_BANNER, dom.UUIDString().encode()], timeout=30)
        self.log.info("console output: %r", data[:200])

    def test_console_session_exclusive(self):
        """
        While a console session is open (SAFE), a second one is refused with VIR_ERR_OPERATION_FAILED;
        FORCE takes the console over: the first stream ends and the new one receives the output. A
        device name the domain lacks is refused; the serial port's alias opens the same console.

        :avocado: tags=api:virDomainOpenConsole
        """
        self.require_bios_serial()
        dom, _facts = self.rt.domain(paused=True, console=True, bios_serial=True)
        self.expect_error(
            (libvirt.VIR_ERR_INTERNAL_ERROR, libvirt.VIR_ERR_INVALID_ARG),
            dom.openConsole,
            "serial7",
            self.conn.newStream(0),
            0,
        )
        first = self.open_console(dom, "serial0", libvirt.VIR_DOMAIN_CONSOLE_SAFE)
        self.expect_error(libvirt.VIR_ERR_OPERATION_FAILED, dom.openConsole, None, self.conn.newStream(0), 0)
        second = self.open_console(dom, None, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
        self.wait_for(lambda: self.stream_ended(first), 10, what="the forced-off console stream to end")
        dom.resume()
        self.rt.read_stream_until(second, [BIOS_BANNER, dom.UUIDString().encode()], timeout=30)

    def test_console_guest_shell(self):
        """
        The console stream carries both ways: the guest's boot marker arrives, and a shell command
        written to the stream is run by the guest, its output read back.

        :avocado: tags=api:virDomainOpenConsole
        """
        params = self.variant_params
        if guest_variant.image_name(params) is None:
            self.skip_because(f"the profile boots no guest OS (guest: {self.guest}) to answer on the console")
        recipe = guest_variant.image_for(params, log=self.log.info).recipe
        dom = self.define_domain()
        dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
        stream = self.open_console(dom)
        dom.resume()
        timeout = float(self.param("guest_boot_timeout", 120))
        self.rt.read_stream_until(stream, [recipe.marker.encode(), recipe.prompt.encode()], timeout=timeout)
        stream.send(b"echo $((6 * 7))-acert\n")
        # The command line holds "$((6 * 7))": only the shell's evaluation prints "42-acert".
        self.rt.read_stream_until(stream, [b"42-acert"], timeout=30)


class DomainGraphics(StreamTest):
    """
    :avocado: tags=area:domain,cap:domain.graphics_socket
    """

    def setUp(self):
        super().setUp()
        if not domainio.over_local_socket(self.uri):
            self.skip_because(
                "openGraphics passes a file descriptor: documented to work only over a local UNIX socket"
            )

    def graphics_domain(self, password=None):
        xml, _facts = self.rt.domain_xml(graphics=True)
        if password:
            xml = domainio.with_graphics_password(xml, password)
        dom = self.objects.define_domain(xml)
        dom.create()
        return dom

    def test_open_graphics_fd(self):
        """
        openGraphicsFD returns a socket on which the domain's VNC server sends its RFB 003.008 greeting
        and offers no authentication (no password is set); an index with no graphics device is refused.

        :avocado: tags=api:virDomainOpenGraphicsFD
        """
        dom = self.graphics_domain()
        greeting, security = domainio.rfb_handshake(dom.openGraphicsFD(0, 0))
        self.assertEqual(greeting, domainio.RFB_VERSION)
        self.assertEqual(security, [domainio.RFB_SECURITY_NONE])
        self.expect_error(
            (libvirt.VIR_ERR_INTERNAL_ERROR, libvirt.VIR_ERR_INVALID_ARG), dom.openGraphicsFD, 1, 0
        )

    def test_open_graphics_skipauth(self):
        """
        openGraphics connects the caller's socket to the VNC server: with a password set it asks for
        VNC authentication, with VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH it lets the client in without one;
        openGraphicsFD does the same with the flag.

        :avocado: tags=api:virDomainOpenGraphics,api:virDomainOpenGraphicsFD
        """
        dom = self.graphics_domain(password="acertvnc")  # VNC takes 8 characters at most
        offered = {}
        for flags in (0, libvirt.VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH):
            ours, theirs = socket.socketpair()
            try:
                self.assertEqual(dom.openGraphics(0, theirs.fileno(), flags), 0)
            finally:
                theirs.close()  # the daemon holds its own copy now
            greeting, offered[flags] = domainio.rfb_handshake(ours.detach())
            self.assertEqual(greeting, domainio.RFB_VERSION)
        self.assertEqual(
            offered[0], [domainio.RFB_SECURITY_VNC_AUTH], "a password-protected display let a client in"
        )
        self.assertEqual(offered[libvirt.VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH], [domainio.RFB_SECURITY_NONE])
        _greeting, security = domainio.rfb_handshake(
            dom.openGraphicsFD(0, libvirt.VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH)
        )
        self.assertEqual(security, [domainio.RFB_SECURITY_NONE])
