"""The cache of built guest images: /var/cache/avocado-cert/guest/ARCH/HASH/, one folder per recipe
hash, built once under a lock so that parallel tests and jobs never build the same image twice."""

import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass

from avocado_cert.base.datafile import load_json
from avocado_cert.base.errors import CertError
from avocado_cert.guest import build as build_mod
from avocado_cert.guest import cachedir
from avocado_cert.guest import recipe as recipe_mod

ENV_CACHE = cachedir.ENV_CACHE
DEFAULT_CACHE = cachedir.DEFAULT_CACHE
root = cachedir.root


@dataclass(frozen=True)
class Image:
    """A built image: where its files are, and the recipe it was built from."""

    recipe: recipe_mod.Recipe
    folder: str
    manifest: dict

    @property
    def kernel(self):
        return os.path.join(self.folder, build_mod.KERNEL)

    @property
    def initrd(self):
        return os.path.join(self.folder, build_mod.INITRD)


def image_dir(recipe):
    return os.path.join(root(), recipe.arch, recipe.hash)


@contextmanager
def locked(path):
    """An exclusive lock on a file next to the image, held while it is built or probed."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _complete(folder):
    names = (build_mod.KERNEL, build_mod.INITRD, build_mod.MANIFEST)
    return all(os.path.isfile(os.path.join(folder, name)) for name in names)


def cached(recipe):
    """The built image of recipe, or None when it has not been built."""
    folder = image_dir(recipe)
    if not _complete(folder):
        return None
    return Image(recipe, folder, load_json(os.path.join(folder, build_mod.MANIFEST), "guest image manifest"))


def ensure(recipe, force=False, log=None):
    """The image of recipe, built first if the cache has none (or force); returns (image, built)."""
    if not force:
        image = cached(recipe)
        if image is not None:
            return image, False
    folder = image_dir(recipe)
    try:
        with locked(folder + ".lock"):
            # Whoever held the lock before us may have built it meanwhile.
            image = None if force else cached(recipe)
            if image is not None:
                return image, False
            if log:
                log(f"building guest image {recipe.name} for {recipe.arch} ({recipe.hash}) in {folder}")
            work = tempfile.mkdtemp(prefix=f".build-{recipe.hash}-", dir=os.path.dirname(folder))
            try:
                staging = os.path.join(work, "image")
                build_mod.build(recipe, staging, work)
                old = folder + ".old"
                shutil.rmtree(old, ignore_errors=True)
                if os.path.exists(folder):
                    os.replace(folder, old)
                os.replace(staging, folder)
                shutil.rmtree(old, ignore_errors=True)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    except OSError as details:
        raise CertError(
            f"cannot build the guest image under {root()}: {details.strerror or details}"
        ) from None
    return cached(recipe), True


def load_image(name, arch, build=True, log=None):
    """The image NAME for ARCH from the cache, built if needed (build=False: None when not built)."""
    recipe = recipe_mod.load(name, arch)
    if not build:
        return cached(recipe)
    return ensure(recipe, log=log)[0]
