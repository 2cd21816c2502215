"""The guest image for real: built from Debian packages (or taken from the cache), booted through the
system libvirtd, and driven on its serial console. Skips where no libvirtd answers qemu:///system."""

import libvirt
import pytest

from avocado_cert.base import naming
from avocado_cert.guest import variant
from avocado_cert.guest.console import GuestConsole
from avocado_cert.host import libvirt_errors
from avocado_cert.testing import xmlbuild

URI = "qemu:///system"
PARAMS = {"uri": URI, "domain_type": "auto", "guest_arch": "x86_64", "guest": "debian-tiny"}


@pytest.fixture
def conn():
    libvirt_errors.quiet()
    try:
        connection = libvirt.open(URI)
    except libvirt.libvirtError as err:
        pytest.skip(f"no libvirtd answers {URI}: {err.get_error_message()}")
    yield connection
    connection.close()


def test_build_boot_and_run_a_command(conn):
    image = variant.image_for(PARAMS)
    name = naming.unique("dom")
    xml = xmlbuild.to_xml(xmlbuild.domain(PARAMS, name, vcpus=1, max_vcpus=2))
    dom = conn.createXML(xml, libvirt.VIR_DOMAIN_START_PAUSED)
    console = GuestConsole(URI, name, image.recipe.marker, image.recipe.prompt)
    try:
        console.attach()
        dom.resume()
        boot_id = console.wait_boot(120)
        assert boot_id and boot_id == console.check("cat /proc/sys/kernel/random/boot_id").strip()
        assert console.check("uname -m").strip() == "x86_64"
        status, output = console.run("echo out; exit_with() { return $1; }; exit_with 3")
        assert (status, output.strip()) == (3, "out")
        assert console.check("nproc").strip() == "1"
    finally:
        console.close()
        try:
            dom.destroy()
        except libvirt.libvirtError as err:
            if err.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
                raise
    with pytest.raises(libvirt.libvirtError):
        conn.lookupByName(name)
