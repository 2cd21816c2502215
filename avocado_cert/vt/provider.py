"""Register the suite as an Avocado-VT test provider (test-providers.d/avocado-cert.ini).

Usage: python -m avocado_cert.vt.provider [--quiet]. Writes only the provider's own .ini file and its
downloads/avocado-cert link; other providers are left alone.
"""

import os
import sys

from avocado_cert.base import paths

PROVIDER = "avocado-cert"


def providers_dir():
    from virttest import data_dir  # pylint: disable=import-outside-toplevel

    return data_dir.get_test_providers_dir()


def provider_source():
    return paths.cfg_path("vt", "provider")


def _ini_text(source):
    return f"[provider]\nuri: file://{source}\n\n[libvirt]\nsubdir: libvirt/\n"


def is_current(base=None):
    """Whether the provider is registered for this installation of the suite (ini and link)."""
    base = base or providers_dir()
    source = provider_source()
    try:
        with open(os.path.join(base, f"{PROVIDER}.ini"), encoding="utf-8") as src:
            text = src.read()
        link = os.readlink(os.path.join(base, "downloads", PROVIDER))
    except OSError:
        return False
    return text == _ini_text(source) and link == source


def ensure(base=None):
    """Register the provider unless it already is; return True when something was written."""
    if is_current(base):
        return False
    register(base)
    return True


def register(base=None):
    """Write the provider .ini and the downloads link; return the .ini path."""
    base = base or providers_dir()
    source = provider_source()
    downloads = os.path.join(base, "downloads")
    os.makedirs(downloads, exist_ok=True)
    ini = os.path.join(base, f"{PROVIDER}.ini")
    with open(ini, "w", encoding="utf-8") as out:
        out.write(_ini_text(source))
    link = os.path.join(downloads, PROVIDER)
    if os.path.islink(link) and os.readlink(link) != source:
        os.unlink(link)
    if not os.path.lexists(link):
        os.symlink(source, link)
    return ini


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    ini = register()
    if "--quiet" not in argv:
        print(f"registered the Avocado-VT test provider {PROVIDER}: {ini}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
