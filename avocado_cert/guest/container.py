"""The certification container's root: the guest image's busybox (taken from its initramfs), the
applet links, and data/guest/container-init as init. Built once per image, kept beside it in the cache,
mounted read-only by every container."""

import gzip
import hashlib
import os
import shutil
import subprocess
import tempfile

from avocado_cert.base import paths
from avocado_cert.base.errors import CertError
from avocado_cert.guest import cache

INIT = "/sbin/init"
ROOTFS = "container-rootfs"
# Mount points libvirt's LXC driver mounts over, and folders the shell expects.
FOLDERS = ("bin", "sbin", "proc", "sys", "dev", "tmp", "etc", "root", "run")


def read_from_cpio(data, wanted):
    """The bytes of member wanted of an uncompressed newc cpio archive (None when absent)."""
    offset = 0
    while offset + 110 <= len(data):
        head = data[offset : offset + 110]
        if head[:6] != b"070701":
            raise CertError("the guest image's initramfs is not a newc cpio archive")
        size = int(head[54:62], 16)
        name_size = int(head[94:102], 16)
        name_start = offset + 110
        name = data[name_start : name_start + name_size - 1].decode("utf-8", "replace")
        body = name_start + name_size
        body += -body % 4
        if name == wanted:
            return data[body : body + size]
        if name == "TRAILER!!!":
            return None
        offset = body + size
        offset += -offset % 4
    return None


def _init_script(recipe):
    with open(paths.data_path("guest", "container-init"), encoding="utf-8") as src:
        return src.read().replace("@MARKER@", recipe.marker).replace("@PROMPT@", recipe.prompt)


def _build(image, folder, init):
    with gzip.open(image.initrd, "rb") as src:
        busybox = read_from_cpio(src.read(), "bin/busybox")
    if not busybox:
        raise CertError(f"the guest image {image.folder} holds no bin/busybox")
    for name in FOLDERS:
        os.makedirs(os.path.join(folder, name), exist_ok=True)
    binary = os.path.join(folder, "bin", "busybox")
    with open(binary, "wb") as out:
        out.write(busybox)
    os.chmod(binary, 0o755)
    # The applets the image's own /init installs at boot: the container's root is read-only.
    listing = subprocess.run([binary, "--list"], capture_output=True, text=True, check=True).stdout
    for applet in listing.split():
        link = os.path.join(folder, "bin", applet)
        if applet != "busybox" and not os.path.lexists(link):
            os.symlink("busybox", link)
    with open(folder + INIT, "w", encoding="utf-8") as out:
        out.write(init)
    os.chmod(folder + INIT, 0o755)


def rootfs(image):
    """The container root built from image (a cache.Image of the host's arch), built on first use."""
    init = _init_script(image.recipe)
    # Named for its init too: a changed data/guest/container-init gives a new root.
    folder = os.path.join(image.folder, f"{ROOTFS}-{hashlib.sha256(init.encode()).hexdigest()[:12]}")
    if os.path.isfile(folder + INIT):
        return folder
    with cache.locked(folder + ".lock"):
        if os.path.isfile(folder + INIT):
            return folder
        work = tempfile.mkdtemp(prefix=".build-", dir=image.folder)
        try:
            _build(image, os.path.join(work, "rootfs"), init)
            os.replace(os.path.join(work, "rootfs"), folder)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return folder
