#!/usr/bin/env python3
"""The certification guest: image build time (cold, from Debian packages, and cached) and the median
boot-to-prompt time through libvirt (start paused, attach the console, resume, wait for the shell).

    python benchmarks/qemu_guest.py [--boots N] [--uri URI] [--virt-type auto|qemu|kvm] [--arch ARCH]

The cold build goes to a scratch cache folder, so the real cache is neither used nor changed.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import libvirt  # noqa: E402  pylint: disable=wrong-import-position

from avocado_cert.base import naming  # noqa: E402  pylint: disable=wrong-import-position
from avocado_cert.guest import cache, recipe, variant  # noqa: E402  pylint: disable=wrong-import-position
from avocado_cert.guest.console import GuestConsole  # noqa: E402  pylint: disable=wrong-import-position
from avocado_cert.host import libvirt_errors
from avocado_cert.testing import xmlbuild  # noqa: E402  pylint: disable=wrong-import-position

BIN = os.path.dirname(sys.executable)


def build_times(name, arch):
    """(cold build seconds in a scratch cache, median seconds of a cached lookup)."""
    rec = recipe.load(name, arch)
    scratch = tempfile.mkdtemp(prefix="acert-bench-cache-")
    saved = os.environ.get(cache.ENV_CACHE)
    os.environ[cache.ENV_CACHE] = scratch
    try:
        start = time.perf_counter()
        cache.ensure(rec)
        cold = time.perf_counter() - start
        samples = []
        for _ in range(20):
            start = time.perf_counter()
            _image, built = cache.ensure(recipe.load(name, arch))
            samples.append(time.perf_counter() - start)
            assert not built
    finally:
        if saved is None:
            os.environ.pop(cache.ENV_CACHE, None)
        else:
            os.environ[cache.ENV_CACHE] = saved
        shutil.rmtree(scratch, ignore_errors=True)
    return cold, statistics.median(samples)


def boot_once(conn, params, image):
    """Seconds from resume to the shell prompt of one fresh domain."""
    name = naming.unique("bench")
    xml = xmlbuild.to_xml(xmlbuild.domain(params, name))
    dom = conn.createXML(xml, libvirt.VIR_DOMAIN_START_PAUSED)
    console = GuestConsole(params["uri"], name, image.recipe.marker, image.recipe.prompt)
    try:
        console.attach()
        start = time.perf_counter()
        dom.resume()
        console.wait_boot(180)
        return time.perf_counter() - start
    finally:
        console.close()
        try:
            dom.destroy()
        except libvirt.libvirtError as err:
            if err.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
                raise


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boots", type=int, default=5)
    parser.add_argument("--uri", default="qemu:///system")
    parser.add_argument("--virt-type", default="auto", choices=("auto", "qemu", "kvm"))
    parser.add_argument("--image", default="debian-tiny")
    parser.add_argument("--arch", default="x86_64")
    args = parser.parse_args()
    os.environ["PATH"] = BIN + os.pathsep + os.environ.get("PATH", "")

    cold, cached = build_times(args.image, args.arch)
    print(f"image build, cold (apt-get download + assemble): {cold:.2f} s")
    print(f"image lookup, cached (median of 20):            {cached * 1000:.1f} ms")

    params = {"uri": args.uri, "guest": args.image, "guest_arch": args.arch, "domain_type": args.virt_type}
    libvirt_errors.quiet()
    try:
        conn = libvirt.open(args.uri)
    except libvirt.libvirtError as err:
        print(f"boot-to-prompt: skipped, no libvirtd answers {args.uri}: {err.get_error_message()}")
        return 0
    try:
        resolved = variant.resolve(params)
        image = variant.image_for(params)
        samples = [boot_once(conn, resolved, image) for _ in range(args.boots)]
    finally:
        conn.close()
    shown = ", ".join(f"{s:.2f}" for s in samples)
    print(
        f"boot to prompt under {resolved['domain_type']}, median of {len(samples)}: "
        f"{statistics.median(samples):.2f} s (samples: {shown})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
