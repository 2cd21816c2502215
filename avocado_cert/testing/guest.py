"""A running guest for certification tests: a domain of the variant's guest image, booted to its
shell, with its serial console attached (aexpect through `virsh console`).

    guest = self.boot_guest(max_vcpus=2)        # SKIP where the profile boots no guest OS
    self.assertEqual(guest.check("nproc").strip(), "1")

The console is closed and the domain destroyed and undefined by the test's object factory.
"""

import libvirt

from avocado_cert.guest import variant
from avocado_cert.guest.console import ConsoleError, GuestConsole

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


def boot(test, why, **domain_kwargs):
    """Define, start paused, attach the console, resume and wait for the shell; return a Guest.

    SKIP (with why) where the variant boots no guest OS."""
    params = test.variant_params
    if variant.image_name(params) is None:
        test.skip_because(f"{why}: the profile boots no guest OS (guest: {params.get('guest', 'none')})")
    image = variant.image_for(params, log=test.log.info)
    dom = test.define_domain(**domain_kwargs)
    dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
    console = GuestConsole(test.uri, dom.name(), image.recipe.marker, image.recipe.prompt, log=test.log.debug)
    test.objects.on_cleanup(f"console of {dom.name()}", console.close)
    timeout = float(test.param("guest_boot_timeout", DEFAULT_BOOT_TIMEOUT))
    console.attach()
    dom.resume()
    console.wait_boot(timeout)
    test.log.info("guest %s booted (boot id %s)", dom.name(), console.boot_id)
    return Guest(dom, console, timeout)
