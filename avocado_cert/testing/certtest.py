"""CertTest: the base class of every certification test.

It opens the connection the variant names, gives the test a factory of prefixed objects whose
cleanup always runs, turns VIR_ERR_NO_SUPPORT into the UNSUPPORTED outcome, and keeps the code,
domain and message of every libvirt error in the test log.
"""

import functools
import json
import time

import libvirt
from avocado import Test
from avocado.core.exceptions import TestError

from avocado_cert.base import outcome
from avocado_cert.guest import variant as guest_variant
from avocado_cert.host import connect, hostcheck, libvirt_errors
from avocado_cert.testing import guest, hostlock, xmlbuild
from avocado_cert.testing.objects import Objects

DEFAULT_URI = "test:///default"
# No agent channel in the domain (ARGUMENT_UNSUPPORTED) or none answering on it.
AGENT_ERRORS = (libvirt.VIR_ERR_AGENT_UNRESPONSIVE, libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED)


class CertTest(Test):
    """Base class: subclasses hold test methods and tag them (area:, api:, cap:)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conn = None
        self.objects = None
        self.metrics = {}
        self.libvirt_error = None
        method = getattr(self, self._testMethodName, None)
        if method is not None:
            setattr(self, self._testMethodName, self._translate_errors(method))
        self.setUp = self._translate_errors(self.setUp)

    # --- parameters of the variant ---------------------------------------------------------------
    @property
    def uri(self):
        return self.params.get("uri", default=DEFAULT_URI)

    @property
    def driver(self):
        return self.params.get("driver", default="test")

    @property
    def variant_params(self):
        """All params of the variant as a flat dict (for the XML builders), with the boot params of
        its guest image (kernel, initrd, settled domain_type) where it names one."""
        params = {key: value for _path, key, value in self.params.iteritems()}
        return guest_variant.resolve(params, log=self.log.info)

    def param(self, key, default=None):
        value = self.params.get(key, default=default)
        if value == guest_variant.AUTO:
            return self.variant_params.get(key, value)  # settled by the guest image's probe boot
        return value

    @property
    def guest(self):
        """What runs inside the variant's domains: 'simulated' (the test driver acts as the guest),
        'none' (no OS boots: requests to the guest go unanswered) or the name of a bootable image."""
        return self.params.get("guest", default="none")

    def require_guest_os(self, why):
        """SKIP unless something inside the domain answers guest requests (shutdown, reboot, ...)."""
        if self.guest == "none":
            self.skip_because(f"{why}: the profile boots no guest OS")

    def boot_guest(self, why="the check needs a guest OS", **domain_kwargs):
        """A domain of the variant's guest image booted to its shell, console attached (a Guest:
        .dom, .run(), .check()); removed at cleanup. SKIP where the profile boots no guest OS."""
        return guest.boot(self, why, **domain_kwargs)

    def running_guest(self, why="the check needs a guest OS", **domain_kwargs):
        """Like boot_guest, for a test that needs the guest running, not its boot: the guest is
        restored at its shell from a state saved after a real boot of the same definition."""
        return guest.running(self, why, **domain_kwargs)

    def hold_host_resource(self, resource):
        """Hold a host-wide resource that this test changes or reads (e.g. "hugepages") until its
        cleanup is over, against other certification tests running at the same time."""
        self.log.info("holding the host's %s", resource)
        self.objects.on_cleanup(f"host resource {resource}", hostlock.hold(resource))

    def start_guest_domain(self, root):
        """A started persistent domain of root (an lxml domain element, a prefixed name of its own)
        whose guest OS runs, for a check that needs the guest's part (a balloon driver) but not its
        boot: restored from a saved boot where the variant boots a guest image, else started. Call
        require_guest_os first."""
        return guest.started_domain(self, xmlbuild.to_xml(root))

    # --- set-up and tear-down --------------------------------------------------------------------
    def setUp(self):
        libvirt_errors.quiet()
        self.conn = self.open_connection()
        self.objects = Objects(self.conn, self.log)

    def open_connection(self, uri=None, readonly=False):
        uri = uri or self.uri
        # openAuth: SASL-authenticated transports take their credentials from the URI's authfile.
        conn = connect.open_uri(uri, readonly=readonly)
        self.log.info("connected to %s (%s)", uri, "read-only" if readonly else "read-write")
        return conn

    def record_metric(self, name, value, unit=""):
        """Keep a measurement for the report; criteria may bound it (a capability's thresholds)."""
        self.metrics[name] = {"value": float(value), "unit": unit}
        self.whiteboard = json.dumps({"metrics": self.metrics}, sort_keys=True)
        self.log.info("metric %s = %g%s", name, value, unit)

    def connection_lost(self):
        """Whether the test's connection to a daemon has died (the daemon went away or closed it)."""
        if self.conn is None or hostcheck.in_process(self.uri):
            return False
        try:
            return self.conn.isAlive() != 1
        except libvirt.libvirtError:
            return True

    def _cleanup_objects(self):
        if self.objects is None:
            return []
        if self.connection_lost():
            # Every call on a dead connection fails at once: clean up through a fresh one if the daemon is back.
            try:
                fresh = connect.open_uri(self.uri)
            except libvirt.libvirtError as err:
                left = self.objects.abandon()
                if not left:
                    return []
                problem = (
                    f"the connection to the daemon was lost ({libvirt_errors.describe(err)}): not removed: "
                    f"{', '.join(left)} (prefixed: the next run's preflight sweeps them)"
                )
                self.log.error("cleanup: %s", problem)
                return [problem]
            self.objects.conn = fresh
            try:
                return self.objects.cleanup()
            finally:
                fresh.close()
        return self.objects.cleanup()

    def tearDown(self):
        problems = self._cleanup_objects()
        if self.conn is not None:
            try:
                self.conn.close()
            except libvirt.libvirtError as err:
                self.log.info("closing the connection: %s", libvirt_errors.describe(err))
        super().tearDown()
        if problems and self.status == "PASS":
            self.error("cleanup left objects behind: " + "; ".join(problems))

    # --- outcomes --------------------------------------------------------------------------------
    def _translate_errors(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except AssertionError as err:
                # A check that failed after the daemon went away proves nothing about the API: ERROR.
                if self.connection_lost():
                    raise TestError(f"the connection to the daemon was lost: {err}") from None
                raise
            except libvirt.libvirtError as err:
                # Kept for runners that report the outcome elsewhere (the Avocado-VT adapter).
                self.libvirt_error = libvirt_errors.describe(err)
                self.log.error("libvirt error: %s", self.libvirt_error)
                if err.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT or libvirt_errors.unsupported_flags(
                    err
                ):
                    self.unsupported(err.get_error_message())
                raise

        return wrapper

    def unsupported(self, reason):
        """End the test as UNSUPPORTED: the driver does not implement what it certifies."""
        self.cancel(f"{outcome.UNSUPPORTED_PREFIX}{reason}")

    def skip_because(self, reason):
        """End the test as SKIP: the host lacks a precondition (never a PASS)."""
        self.cancel(f"{outcome.SKIP_PREFIX}{reason}")

    def call_agent(self, what, func, *args):
        """Call an API the guest agent answers; no agent configured or answering is a SKIP."""
        try:
            return func(*args)
        except libvirt.libvirtError as err:
            if err.get_error_code() in AGENT_ERRORS:
                self.skip_because(f"{what} needs a guest agent, and none answers: {err.get_error_message()}")
            raise

    def require(self, condition, reason):
        if not condition:
            self.skip_because(reason)

    # --- checks ----------------------------------------------------------------------------------
    def expect_error(self, codes, func, *args, **kwargs):
        """Call func and assert it raises a libvirtError with one of the codes; return the error."""
        codes = (codes,) if isinstance(codes, int) else tuple(codes)
        names = " or ".join(libvirt_errors.code_name(c) for c in codes)
        call = getattr(func, "__name__", repr(func))
        try:
            result = func(*args, **kwargs)
        except libvirt.libvirtError as err:
            self.log.info("%s raised, as expected: %s", call, libvirt_errors.describe(err))
            # An unimplemented API cannot show the error it promises: that is UNSUPPORTED, not FAIL.
            if err.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT and libvirt.VIR_ERR_NO_SUPPORT not in codes:
                self.unsupported(err.get_error_message())
            if err.get_error_code() not in codes:
                self.fail(f"{call}: expected {names}, got {libvirt_errors.describe(err)}")
            return err
        self.fail(f"{call}: expected {names}, but it returned {result!r}")
        return None

    def wait_for(self, predicate, timeout=10.0, step=0.05, what="condition"):
        """Poll predicate until it is true; fail the test if it is still false after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                self.fail(f"timed out after {timeout:g} s waiting for {what}")
            time.sleep(step)

    # --- building objects --------------------------------------------------------------------------
    def domain_xml(self, **kwargs):
        """The XML of a fresh prefixed domain for this variant (name in the XML)."""
        name = kwargs.pop("name", None) or Objects.name("dom")
        return xmlbuild.to_xml(xmlbuild.domain(self.variant_params, name, **kwargs))

    def define_domain(self, **kwargs):
        return self.objects.define_domain(self.domain_xml(**kwargs))

    def domain_state(self, dom):
        return dom.state()[0]

    def assert_state(self, dom, expected, what=None):
        state = dom.state()[0]
        if state != expected:
            self.fail(
                f"{what or dom.name()}: state is {STATE_NAMES.get(state, state)}, "
                f"expected {STATE_NAMES.get(expected, expected)}"
            )


STATE_NAMES = {
    getattr(libvirt, name): name
    for name in dir(libvirt)
    if name.startswith("VIR_DOMAIN_")
    and name[11:]
    in ("NOSTATE", "RUNNING", "BLOCKED", "PAUSED", "SHUTDOWN", "SHUTOFF", "CRASHED", "PMSUSPENDED")
}
