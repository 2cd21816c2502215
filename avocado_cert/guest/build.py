"""Building a guest image from Debian packages: the kernel, and an initramfs of busybox-static, the
kernel modules the checks need and the recipe's /init. Runs apt-get download and dpkg-deb only."""

import fnmatch
import json
import lzma
import os
import subprocess
import time

from avocado_cert.base.errors import CertError
from avocado_cert.guest import aptarch, cachedir
from avocado_cert.guest.cpio import Archive

KERNEL = "vmlinuz"
INITRD = "initrd.img"
MANIFEST = "manifest.json"
_COMMAND_TIMEOUT = 600


def _run(args, cwd):
    try:
        done = subprocess.run(
            args, cwd=cwd, capture_output=True, text=True, timeout=_COMMAND_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise CertError(f"building the guest image needs {args[0]} (a Debian host)") from None
    except subprocess.TimeoutExpired:
        raise CertError(f"{' '.join(args)}: no answer after {_COMMAND_TIMEOUT} s") from None
    if done.returncode != 0:
        lines = [
            line for line in done.stderr.splitlines() if line.startswith("E:")
        ] or done.stderr.splitlines()
        raise CertError(f"{' '.join(args)} failed: {lines[-1] if lines else f'exit {done.returncode}'}")
    return done.stdout


def _field(deb, name, work):
    return _run(["dpkg-deb", "--field", deb, name], work).strip()


def _apt_options(debian_arch):
    """apt options for debian_arch: none for the host's own, private package lists for a foreign one."""
    return aptarch.refresh(debian_arch, cachedir.top())


def download(package, debian_arch, work):
    """Fetch one package (for debian_arch) into work with apt-get download; return the .deb path."""
    before = set(os.listdir(work))
    _run(["apt-get", *_apt_options(debian_arch), "download", "-q", f"{package}:{debian_arch}"], work)
    new = sorted(name for name in set(os.listdir(work)) - before if name.endswith(".deb"))
    if not new:
        raise CertError(f"apt-get download {package}:{debian_arch} gave no package")
    return os.path.join(work, new[0])


def unpack(deb, work):
    target = os.path.join(work, os.path.basename(deb)[:-4])
    _run(["dpkg-deb", "-x", deb, target], work)
    return target


def _glob(tree, pattern):
    found = []
    for root, _dirs, files in os.walk(tree):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), tree)
            if fnmatch.fnmatch(rel, pattern):
                found.append(rel)
    return sorted(found)


def fetch_kernel(settings, work):
    """The kernel package (following a metapackage to the versioned one): (deb, unpacked tree, kernel path)."""
    package = settings["kernel_package"]
    for _depth in range(3):
        deb = download(package, settings["debian_arch"], work)
        tree = unpack(deb, work)
        kernels = _glob(tree, settings["kernel_file"])
        if kernels:
            return deb, tree, os.path.join(tree, kernels[-1])
        depends = [d.strip().split(" ")[0] for d in _field(deb, "Depends", work).split(",") if d.strip()]
        images = [d for d in depends if d.startswith("linux-image-")]
        if not images:
            break
        package = images[0]
    raise CertError(
        f"package {settings['kernel_package']} holds no kernel matching {settings['kernel_file']}"
    )


# --- kernel modules ------------------------------------------------------------------------------
def module_name(path):
    base = os.path.basename(path)
    for suffix in (".ko.xz", ".ko"):
        if base.endswith(suffix):
            return base[: -len(suffix)].replace("-", "_")
    return ""


def module_index(tree):
    """name -> path of every module of the unpacked kernel package."""
    index = {}
    for rel in _glob(tree, "lib/modules/*"):
        name = module_name(rel)
        if name:
            index[name] = os.path.join(tree, rel)
    return index


def module_bytes(path):
    with open(path, "rb") as stream:
        data = stream.read()
    return lzma.decompress(data) if path.endswith(".xz") else data


def module_depends(data):
    """The modules a module needs, from its .modinfo "depends=" entry."""
    start = data.find(b"\0depends=")
    if start < 0:
        return []
    end = data.find(b"\0", start + 1)
    value = data[start + len(b"\0depends=") : end].decode("ascii", "replace")
    return [name.replace("-", "_") for name in value.split(",") if name]


def module_order(wanted, index):
    """wanted modules with their dependencies, each after what it needs: [(name, bytes)]."""
    ordered = []
    seen = set()

    def visit(name, chain):
        if name in seen:
            return
        if name in chain:
            raise CertError(f"kernel module dependency loop: {' -> '.join(chain + [name])}")
        if name not in index:
            raise CertError(
                f"kernel module {name} is not in the kernel package (built in? drop it from modules:)"
            )
        data = module_bytes(index[name])
        for dependency in module_depends(data):
            visit(dependency, chain + [name])
        seen.add(name)
        ordered.append((name, data))

    for name in wanted:
        visit(name.replace("-", "_"), [])
    return ordered


# --- the initramfs -------------------------------------------------------------------------------
def initramfs(recipe, busybox, modules):
    """The archive: busybox (the shell and every tool), /init, the modules and their load order."""
    archive = Archive()
    for folder in ("dev", "proc", "sys", "tmp", "root", "run", "etc", "sbin", "usr/bin", "usr/sbin"):
        archive.directory(folder)
    archive.char_device("dev/console", 5, 1)
    archive.char_device("dev/null", 1, 3, mode=0o666)
    archive.file("bin/busybox", busybox, mode=0o755)
    archive.symlink("bin/sh", "busybox")
    archive.file("init", recipe.file_text("init").encode("utf-8"), mode=0o755)
    archive.file("sbin/hotplug", recipe.file_text("hotplug").encode("utf-8"), mode=0o755)
    archive.file("etc/acpi/PWRF/00000080", recipe.file_text("acpi-power").encode("utf-8"), mode=0o755)
    order = []
    for name, data in modules:
        archive.file(f"lib/modules/{name}.ko", data)
        order.append(f"{name}.ko")
    archive.file("etc/modules.order", "".join(f"{name}\n" for name in order).encode("utf-8"))
    return archive


def build(recipe, out_dir, work):
    """Build recipe's image into out_dir (kernel, initrd, manifest); return the manifest."""
    started = time.monotonic()
    settings = recipe.settings
    kernel_deb, kernel_tree, kernel_path = fetch_kernel(settings, work)
    busybox_deb = download(settings["busybox_package"], settings["debian_arch"], work)
    busybox_tree = unpack(busybox_deb, work)
    busybox_path = os.path.join(busybox_tree, "bin", "busybox")
    if not os.path.isfile(busybox_path):
        raise CertError(f"package {settings['busybox_package']} holds no bin/busybox")
    with open(busybox_path, "rb") as stream:
        busybox = stream.read()
    modules = module_order(settings["modules"], module_index(kernel_tree))
    os.makedirs(out_dir, exist_ok=True)
    with open(kernel_path, "rb") as src, open(os.path.join(out_dir, KERNEL), "wb") as dst:
        dst.write(src.read())
    initramfs(recipe, busybox, modules).write_gzip(os.path.join(out_dir, INITRD))
    manifest = {
        "name": recipe.name,
        "arch": recipe.arch,
        "recipe_hash": recipe.hash,
        "kernel_package": f"{_field(kernel_deb, 'Package', work)}={_field(kernel_deb, 'Version', work)}",
        "kernel_file": os.path.relpath(kernel_path, kernel_tree),
        "busybox_package": f"{_field(busybox_deb, 'Package', work)}={_field(busybox_deb, 'Version', work)}",
        "modules": [name for name, _data in modules],
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "build_seconds": round(time.monotonic() - started, 2),
    }
    with open(os.path.join(out_dir, MANIFEST), "w", encoding="utf-8") as out:
        json.dump(manifest, out, indent=1, sort_keys=True)
    return manifest
