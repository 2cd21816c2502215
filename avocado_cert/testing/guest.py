"""A running guest for certification tests: a domain of the variant's guest image, booted to its
shell, with its serial console attached (aexpect through `virsh console`).

    guest = self.boot_guest(max_vcpus=2)        # SKIP where the profile boots no guest OS
    self.assertEqual(guest.check("nproc").strip(), "1")
    guest = self.running_guest()                # at its shell, restored from a saved boot

The console is closed and the domain destroyed and undefined by the test's object factory.
"""

import os
import time

import libvirt

from avocado_cert.guest import savedstate, variant
from avocado_cert.guest.console import ConsoleError, GuestConsole
from avocado_cert.host import libvirt_errors

DEFAULT_BOOT_TIMEOUT = 120.0


class Guest:
    """A domain whose guest OS runs its shell on the console."""

    def __init__(self, dom, console, boot_timeout):
        self.dom = dom
        self.console = console
        self.boot_timeout = boot_timeout

    @property
    def boot_id(self):
        """The guest kernel's boot id (/proc/sys/kernel/random/boot_id) printed with the boot marker."""
        return self.console.boot_id

    def run(self, command, timeout=30.0):
        """(exit status, output) of a shell command in the guest."""
        return self.console.run(command, timeout)

    def check(self, command, timeout=30.0):
        """The output of a shell command that must succeed in the guest."""
        return self.console.check(command, timeout)

    def read_int(self, command, timeout=30.0):
        """The integer a guest command prints."""
        output = self.check(command, timeout).strip()
        try:
            return int(output.split()[-1])
        except (ValueError, IndexError):
            raise ConsoleError(f"`{command}` printed {output!r}, not a number") from None

    def wait_reboot(self, timeout=None):
        """Wait for the guest to boot again (a new boot id); return it."""
        return self.console.wait_boot(timeout or self.boot_timeout, previous=self.boot_id)


def _usable_image(test, why):
    """The variant's guest image; SKIP (with why) where the variant boots no guest OS."""
    params = test.variant_params
    if variant.image_name(params) is None:
        test.skip_because(f"{why}: the profile boots no guest OS (guest: {params.get('guest', 'none')})")
    return variant.image_for(params, log=test.log.info)


def _console(test, image, dom):
    console = GuestConsole(test.uri, dom.name(), image.recipe.marker, image.recipe.prompt, log=test.log.debug)
    test.objects.on_cleanup(f"console of {dom.name()}", console.close)
    return console


def _boot_defined(test, image, dom):
    """Start the defined domain paused, attach the console, resume and wait for the shell."""
    dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
    console = _console(test, image, dom)
    timeout = float(test.param("guest_boot_timeout", DEFAULT_BOOT_TIMEOUT))
    console.attach()
    started = time.monotonic()
    dom.resume()
    console.wait_boot(timeout)
    # The boot time is read by benchmarks/qemu_profile.py.
    test.log.info(
        "guest %s booted in %.2f s (boot id %s)", dom.name(), time.monotonic() - started, console.boot_id
    )
    return Guest(dom, console, timeout)


def boot(test, why, **domain_kwargs):
    """Define, start paused, attach the console, resume and wait for the shell; return a Guest.

    SKIP (with why) where the variant boots no guest OS."""
    image = _usable_image(test, why)
    return _boot_defined(test, image, test.define_domain(**domain_kwargs))


def _restore(test, image, state, define):
    """The state's domain restored at its shell, or None if the state cannot be restored here.
    define: the domain is not defined yet (a later test than the one that saved the state)."""
    started = time.monotonic()
    try:
        if define:
            test.objects.define_domain(test.conn.saveImageGetXMLDesc(state.path, 0))
        test.conn.restoreFlags(state.path, None, libvirt.VIR_DOMAIN_SAVE_PAUSED)
    except libvirt.libvirtError as err:
        test.log.info("the saved state %s cannot be restored: %s", state.path, libvirt_errors.describe(err))
        return None
    dom = test.conn.lookupByName(state.domain_name)
    console = _console(test, image, dom)
    timeout = float(test.param("guest_boot_timeout", DEFAULT_BOOT_TIMEOUT))
    console.attach()
    dom.resume()
    console.wait_shell(timeout)
    # Read by benchmarks/qemu_profile.py, like the boot time.
    test.log.info(
        "guest %s restored at its shell in %.2f s (boot id %s)",
        dom.name(),
        time.monotonic() - started,
        console.boot_id,
    )
    return Guest(dom, console, timeout)


def running(test, why, xml=None, **domain_kwargs):
    """A Guest at its shell for a test that needs it running, not booting: restored from the state
    saved right after a real boot of the same definition (guest/savedstate), the first time booted
    and saved. Where no state can be used (a remote daemon, the state in use by another test, a
    restore refused), the guest boots for real. SKIP (with why) where the variant boots no guest OS.
    xml: the definition (a prefixed name of its own), instead of the variant's domain built from
    domain_kwargs."""
    image = _usable_image(test, why)
    xml = xml or test.domain_xml(**domain_kwargs)

    def boot_for_real():
        return _boot_defined(test, image, test.objects.define_domain(xml))

    if not savedstate.local_uri(test.uri):
        return boot_for_real()
    state = savedstate.claim(image.folder, xml, (test.conn.getLibVersion(), test.conn.getVersion()))
    if state is None:
        test.log.info("every saved state of this definition serves another domain: booting for real")
        return boot_for_real()
    # Registered first, so released last: after the domain that carries the state's name is gone.
    test.objects.on_cleanup(f"saved state {state.path}", state.release)
    if state.saved:
        guest = _restore(test, image, state, define=True)
        if guest is not None:
            return guest
        state.discard()
        return boot_for_real()
    dom = test.objects.define_domain(savedstate.renamed(xml, state.domain_name))
    guest = _boot_defined(test, image, dom)
    guest.console.close()
    partial = state.partial_path()
    try:
        dom.save(partial)
    except libvirt.libvirtError:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    state.commit(partial)
    test.log.info("guest %s saved at its shell to %s", dom.name(), state.path)
    guest = _restore(test, image, state, define=False)
    if guest is None:
        state.discard()
        return boot_for_real()
    return guest


def started_domain(test, xml):
    """A started persistent domain of xml whose guest OS runs, for a check that needs the guest's
    part (a balloon driver) but neither its shell nor its boot: restored from a saved boot where the
    variant boots a guest image (running()); elsewhere defined and started, as the test driver
    simulates its guest. The caller SKIPs first where the profile boots no guest OS."""
    if variant.image_name(test.variant_params) is None:
        dom = test.objects.define_domain(xml)
        dom.create()
        return dom
    guest = running(test, "the check needs the guest OS", xml=xml)
    guest.console.close()  # the shell is not used: the console is free for the test
    return guest.dom
