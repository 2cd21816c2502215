"""`avocado cert guest build`: build (or find in the cache) the guest image a profile boots, and
optionally settle which virt type boots it on a daemon."""

import os

from avocado_cert.base.errors import CertError

NAME = "guest"
HELP = "Build the guest image that qemu profiles boot (data/guest), cached per recipe hash"


def configure(parser):
    actions = parser.add_subparsers(dest="cert_guest_action", metavar="action")
    actions.required = True
    build = actions.add_parser("build", help="Build the image unless the cache already holds it")
    build.add_argument(
        "--image", dest="cert_guest_image", default="debian-tiny", help="Recipe name (data/guest/NAME.yaml)"
    )
    build.add_argument(
        "--arch", dest="cert_guest_arch", default=os.uname().machine, help="Guest architecture"
    )
    build.add_argument("--force", dest="cert_guest_force", action="store_true", help="Rebuild even if cached")
    build.add_argument(
        "--probe",
        dest="cert_guest_probe",
        metavar="URI",
        default=None,
        help="Also settle the virt type (KVM or TCG) on this libvirt URI by a probe boot",
    )


def run(config, out):
    from avocado_cert.guest import cache, recipe, variant  # pylint: disable=import-outside-toplevel

    if config.get("cert_guest_action") != "build":
        raise CertError(f"unknown action {config.get('cert_guest_action')!r}")
    name = config.get("cert_guest_image")
    arch = config.get("cert_guest_arch")
    image, built = cache.ensure(recipe.load(name, arch), force=bool(config.get("cert_guest_force")), log=out)
    manifest = image.manifest
    out(f"{name} ({arch}) {'built' if built else 'cached'}: {image.folder}")
    out(f"  kernel:  {manifest.get('kernel_package', '')}  {image.kernel}")
    out(f"  initrd:  {manifest.get('busybox_package', '')}  {image.initrd}")
    out(f"  modules: {', '.join(manifest.get('modules', []))}")
    if built:
        out(f"  built in {manifest.get('build_seconds')} s")
    uri = config.get("cert_guest_probe")
    if uri:
        params = {"uri": uri, "guest": name, "guest_arch": arch, "domain_type": variant.AUTO}
        decision = variant.decide_virt_type(params, image, timeout=None)
        cached = " (cached decision)" if decision.get("cached") else ""
        out(f"  virt type on {uri}: {decision['virt_type']}{cached}: {decision['reason']}")
    return 0
