"""The domain XML of a bootable guest: what the builder makes of a variant whose `guest` names an
image (kernel, initrd, command line, ACPI, serial console), checked against libvirt's schema."""

import os
import shutil
import subprocess

import pytest
from lxml import etree

from avocado_cert.base import xmlbuild, xmlsafe
from avocado_cert.guest import cache, recipe, variant

QEMU_PARAMS = {"uri": "qemu:///system", "domain_type": "qemu", "guest_arch": "x86_64", "guest": "debian-tiny"}


@pytest.fixture
def image(tmp_path):
    """The shipped recipe's image as the cache would hold it (paths only: nothing is booted)."""
    return cache.Image(recipe.load("debian-tiny", "x86_64"), str(tmp_path / "img"), {})


def _domain(params, image, **kwargs):
    merged = dict(params)
    merged.update(variant.image_params(image, params["domain_type"]))
    return xmlbuild.domain(merged, "acert-dom-selftest", **kwargs)


def test_bootable_domain_has_the_image_and_a_console(image):
    root = _domain(QEMU_PARAMS, image, vcpus=1, max_vcpus=2)
    assert root.get("type") == "qemu"
    assert root.findtext("os/kernel") == image.kernel
    assert root.findtext("os/initrd") == image.initrd
    assert root.findtext("os/cmdline") == image.recipe.settings["cmdline"]
    assert root.find("os/type").get("arch") == "x86_64"
    assert root.find("os/type").get("machine") == "pc"
    assert [f.tag for f in root.find("features")] == ["acpi", "apic"]
    assert root.find("devices/serial").get("type") == "pty"
    assert root.find("devices/console/target").get("type") == "serial"
    assert root.findtext("memory") == str(image.recipe.settings["memory_kib"])
    assert root.find("vcpu").get("current") == "1" and root.findtext("vcpu") == "2"


def test_kvm_decision_sets_the_domain_type(image):
    assert _domain(dict(QEMU_PARAMS, domain_type="kvm"), image).get("type") == "kvm"


def test_explicit_memory_wins_over_the_recipe(image):
    assert _domain(QEMU_PARAMS, image, memory_kib=196608).findtext("memory") == "196608"


SCHEMA = "/usr/share/libvirt/schemas/domain.rng"


def _validator():
    """virt-xml-validate where it can run (it needs xmllint), else libvirt's RelaxNG schema through lxml."""
    if shutil.which("virt-xml-validate") and shutil.which("xmllint"):
        return "virt-xml-validate"
    if os.path.isfile(SCHEMA):
        return "lxml"
    return None


@pytest.mark.skipif(
    _validator() is None, reason="neither virt-xml-validate with xmllint nor libvirt's schemas"
)
def test_bootable_domain_validates_against_the_schema(image, tmp_path):
    path = tmp_path / "domain.xml"
    path.write_text(xmlbuild.to_xml(_domain(QEMU_PARAMS, image, vcpus=1, max_vcpus=2)))
    if _validator() == "virt-xml-validate":
        done = subprocess.run(
            ["virt-xml-validate", str(path), "domain"], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return
    schema = etree.RelaxNG(file=SCHEMA)
    assert schema.validate(xmlsafe.parse(str(path))), schema.error_log.last_error


def test_no_image_no_boot_params():
    for guest in ("none", "simulated"):
        assert variant.boot_params({"guest": guest, "domain_type": "test"}) == {}
    # With nothing to probe with, auto settles on TCG, which runs anywhere.
    assert variant.boot_params({"guest": "none", "domain_type": "auto"}) == {"domain_type": "qemu"}


def test_test_driver_domain_is_unchanged():
    root = xmlbuild.domain({"domain_type": "test", "guest": "simulated"}, "acert-dom-selftest")
    assert root.get("type") == "test"
    assert root.find("os/kernel") is None and root.find("features") is None
    assert xmlsafe.fromstring(xmlbuild.to_xml(root)).findtext("name") == "acert-dom-selftest"
