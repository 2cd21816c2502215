"""What a variant's params say about its guest: which image boots (param `guest`), its kernel, initrd
and command line, and the virt type (`domain_type: auto` is settled by a probe boot under KVM)."""

import libvirt

from avocado_cert.base import xmlbuild
from avocado_cert.base.errors import CertError
from avocado_cert.guest import cache, virt
from avocado_cert.host import connect, libvirt_errors

AUTO = "auto"
# Values of `guest` that name no image: the test driver plays the guest, or nothing boots.
NO_IMAGE = ("none", "simulated", "")

_resolved = {}  # (image, arch, uri, domain_type) -> extra params, per process


def image_name(params):
    name = str(params.get("guest", "none") or "")
    return None if name in NO_IMAGE else name


def guest_arch(params):
    return str(params.get("guest_arch") or params.get("arch") or "x86_64")


def image_params(image, virt_type):
    """The builder params (xmlbuild.domain) that boot image under virt_type."""
    settings = image.recipe.settings
    params = {
        "domain_type": virt_type,
        "guest_kernel": image.kernel,
        "guest_initrd": image.initrd,
        "guest_cmdline": settings["cmdline"],
        "console_target": settings["console_target"],
        "guest_memory_kib": settings["memory_kib"],
        "guest_features": ",".join(settings["features"]),
    }
    if settings["machine"]:
        params["machine"] = settings["machine"]
    if settings.get("cpu_model"):
        params["guest_cpu_model"] = settings["cpu_model"]
    return params


def _probe_xml(image, params):
    def xml_for(name, virt_type):
        probe_params = dict(params)
        probe_params.update(image_params(image, virt_type))
        return xmlbuild.to_xml(xmlbuild.domain(probe_params, name))

    return xml_for


def decide_virt_type(params, image, log=None, timeout=None):
    """The virt type decision for the variant's daemon (cached beside the image)."""
    uri = params.get("uri", "")
    libvirt_errors.quiet()
    try:
        conn = connect.open_uri(uri)
    except libvirt.libvirtError as err:
        raise CertError(f"cannot connect to {uri}: {libvirt_errors.describe(err)}") from None
    try:
        wait = float(timeout or params.get("virt_probe_timeout") or virt.PROBE_TIMEOUT)
        return virt.choose(conn, uri, image, _probe_xml(image, params), timeout=wait, log=log)
    finally:
        conn.close()


def image_for(params, log=None):
    """The variant's built image (None when it names none)."""
    name = image_name(params)
    if name is None:
        return None
    return cache.load_image(name, guest_arch(params), log=log)


def boot_params(params, log=None):
    """Params to overlay on the variant's so its domains boot its guest image ({} if it has none).

    Builds the image on first use and settles `domain_type: auto`; both are cached on disk, and the
    result is kept for the life of the process."""
    name = image_name(params)
    domain_type = str(params.get("domain_type", ""))
    if name is None:
        return {"domain_type": virt.TCG} if domain_type == AUTO else {}
    key = (name, guest_arch(params), params.get("uri", ""), domain_type)
    if key not in _resolved:
        image = image_for(params, log=log)
        virt_type = domain_type
        if domain_type == AUTO:
            virt_type = decide_virt_type(params, image, log=log)["virt_type"]
        _resolved[key] = image_params(image, virt_type)
    extra = dict(_resolved[key])
    # What the variant sets explicitly wins over the recipe's defaults.
    for key_name in ("guest_cmdline", "guest_memory_kib", "machine", "console_target"):
        if params.get(key_name):
            extra.pop(key_name, None)
    return extra


def resolve(params, log=None):
    """params with boot_params overlaid."""
    merged = dict(params)
    merged.update(boot_params(params, log=log))
    return merged


def prepare(params, log=None):
    """Build the variant's image and settle its virt type now (the job's preflight); return what the
    report's environment records of its guest, or None where the variant boots none."""
    name = image_name(params)
    if name is None:
        return None
    image, built = cache.ensure(cache.recipe_mod.load(name, guest_arch(params)), log=log)
    info = {
        "image": name,
        "arch": image.recipe.arch,
        "recipe_hash": image.recipe.hash,
        "folder": image.folder,
        "kernel_package": image.manifest.get("kernel_package", ""),
        "busybox_package": image.manifest.get("busybox_package", ""),
        "modules": image.manifest.get("modules", []),
        "built_by_this_run": built,
        "domain_type_param": str(params.get("domain_type", "")),
    }
    if str(params.get("domain_type", "")) == AUTO:
        decision = decide_virt_type(params, image, log=log)
        info.update(
            virt_type=decision["virt_type"],
            virt_reason=decision["reason"],
            virt_probed_at=decision.get("probed_at", ""),
            virt_decision_cached=decision.get("cached", False),
        )
    else:
        info.update(virt_type=str(params.get("domain_type", "")), virt_reason="set by the profile")
    return info
