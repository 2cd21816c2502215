"""The guest recipe (data/guest/NAME.yaml): what an image is built from, and the hash that names it."""

import json
import os
import re
from dataclasses import dataclass

from avocado_cert.base import paths
from avocado_cert.base.datafile import Field, check_mapping, load_yaml, read_bytes, sha256_bytes
from avocado_cert.base.errors import CertError

# Bumped when the builder changes what it makes from the same recipe, so cached images are rebuilt.
BUILDER_FORMAT = 1
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

RECIPE_FIELDS = {
    "name": Field(str, required=True),
    "description": Field(str, default=""),
    "marker": Field(str, required=True),
    "prompt": Field(str, required=True),
    "files": Field(dict, required=True),
    "arches": Field(dict, required=True),
}

ARCH_FIELDS = {
    "debian_arch": Field(str, required=True),
    "kernel_package": Field(str, required=True),
    "kernel_file": Field(str, required=True),
    "busybox_package": Field(str, default="busybox-static"),
    "modules": Field(list, default=list, item=str),
    "machine": Field(str, default=""),
    # A CPU model for the domain where the emulator's default cannot run the kernel (aarch64 'virt').
    "cpu_model": Field(str, default=""),
    "features": Field(list, default=list, item=str),
    "console": Field(str, required=True),
    "console_target": Field(str, default="serial"),
    "cmdline": Field(str, required=True),
    "memory_kib": Field(int, default=262144),
}

# Files the initramfs needs, by their key under files:.
REQUIRED_FILES = ("init", "hotplug", "acpi-power")


@dataclass(frozen=True)
class Recipe:
    """One image of one architecture, with the bytes of its files."""

    name: str
    arch: str
    description: str
    marker: str
    prompt: str
    settings: dict  # the arch's entry (ARCH_FIELDS)
    files: dict  # key -> bytes
    path: str

    @property
    def hash(self):
        """Names the cached image: anything that changes the built image changes it."""
        document = {
            "format": BUILDER_FORMAT,
            "name": self.name,
            "arch": self.arch,
            "marker": self.marker,
            "prompt": self.prompt,
            "settings": self.settings,
            "files": {key: sha256_bytes(data) for key, data in sorted(self.files.items())},
        }
        return sha256_bytes(json.dumps(document, sort_keys=True).encode("utf-8"))[:16]

    def file_text(self, key):
        """A file of the recipe with @MARKER@ and @PROMPT@ filled in."""
        text = self.files[key].decode("utf-8")
        return text.replace("@MARKER@", self.marker).replace("@PROMPT@", self.prompt)


def recipe_path(name, folder=None):
    if not NAME_RE.match(name or ""):
        raise CertError(f"invalid guest image name {name!r}")
    path = os.path.join(folder or paths.data_path("guest"), f"{name}.yaml")
    if not os.path.isfile(path):
        raise CertError(f"unknown guest image '{name}' (no recipe {path})")
    return path


def load(name, arch, folder=None):
    """The recipe of image NAME for ARCH; any problem is a one-line CertError naming the file."""
    path = recipe_path(name, folder)
    document, _raw = load_yaml(path, "guest recipe")
    data = check_mapping(document, RECIPE_FIELDS, "recipe", path)
    if data["name"] != name:
        raise CertError(f"name: '{data['name']}' does not match the file name '{name}'", path)
    if arch not in data["arches"]:
        known = ", ".join(sorted(data["arches"])) or "none"
        raise CertError(f"no recipe for arch '{arch}' (recipes for: {known})", path)
    settings = check_mapping(data["arches"][arch], ARCH_FIELDS, f"arches.{arch}", path)
    # Unset, it stays out of the hash: images built before the field existed keep their name.
    if not settings["cpu_model"]:
        del settings["cpu_model"]
    missing = [key for key in REQUIRED_FILES if key not in data["files"]]
    if missing:
        raise CertError(f"files: missing '{missing[0]}'", path)
    files = {}
    for key, rel in data["files"].items():
        if not isinstance(rel, str) or os.path.isabs(rel) or ".." in rel.split("/"):
            raise CertError(f"files.{key}: expected a path inside {os.path.dirname(path)}", path)
        files[key] = read_bytes(os.path.join(os.path.dirname(path), rel), f"guest file {key}")
    return Recipe(
        name=name,
        arch=arch,
        description=data["description"],
        marker=data["marker"],
        prompt=data["prompt"],
        settings=settings,
        files=files,
        path=path,
    )
