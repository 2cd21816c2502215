"""apt for another architecture's packages without touching the host's apt or dpkg state.

A guest image of a foreign architecture (arm64 on an amd64 host) needs that architecture's kernel and
busybox. Adding the architecture to dpkg would change what every later `apt-get` on the host does, so
the package lists of a foreign architecture are kept in a folder of their own under the image cache,
fetched from the host's configured mirrors, and apt is pointed at them with -o options."""

import os
import subprocess

from avocado_cert.base.errors import CertError

_TIMEOUT = 600
_updated = set()  # debian arches whose private lists this process has refreshed


def _dpkg_arches():
    try:
        native = subprocess.run(
            ["dpkg", "--print-architecture"], capture_output=True, text=True, check=False, timeout=30
        ).stdout.split()
        foreign = subprocess.run(
            ["dpkg", "--print-foreign-architectures"], capture_output=True, text=True, check=False, timeout=30
        ).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return set(native) | set(foreign)


def is_host_arch(debian_arch):
    """Whether the host's apt already knows debian_arch (native or added with dpkg --add-architecture)."""
    return debian_arch in _dpkg_arches()


def state_dir(debian_arch, cache_root):
    return os.path.join(cache_root, "apt", debian_arch)


def options(debian_arch, cache_root):
    """The apt -o options that make apt-get/apt-cache see debian_arch's lists only ([] for a host arch)."""
    if is_host_arch(debian_arch):
        return []
    folder = state_dir(debian_arch, cache_root)
    return [
        "-o",
        f"Dir::State::Lists={folder}/lists",
        "-o",
        f"Dir::Cache={folder}/cache",
        "-o",
        f"APT::Architecture={debian_arch}",
        "-o",
        f"APT::Architectures::={debian_arch}",
    ]


def refresh(debian_arch, cache_root):
    """Fetch debian_arch's package lists into its private folder (once per process); no-op for a host arch.

    A mirror that fails one index (a security suite in sync) is tolerated: apt keeps what it got, and a
    package missing after that is reported by the download itself."""
    opts = options(debian_arch, cache_root)
    if not opts or debian_arch in _updated:
        return opts
    folder = state_dir(debian_arch, cache_root)
    for sub in ("lists/partial", "cache/archives/partial"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    try:
        done = subprocess.run(
            ["apt-get", "-q", *opts, "update"], capture_output=True, text=True, timeout=_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise CertError("building a foreign-architecture guest image needs apt-get (a Debian host)") from None
    except subprocess.TimeoutExpired:
        raise CertError(f"apt-get update for {debian_arch}: no answer after {_TIMEOUT} s") from None
    lists = os.path.join(folder, "lists")
    if not any("_Packages" in name for name in os.listdir(lists)):
        errors = [line for line in done.stderr.splitlines() if line.startswith("E:")] or ["no package list"]
        raise CertError(f"apt-get update for {debian_arch} failed: {errors[0]}")
    _updated.add(debian_arch)
    return opts
