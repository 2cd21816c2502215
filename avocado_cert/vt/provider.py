"""Register the suite as an Avocado-VT test provider (test-providers.d/avocado-cert.ini).

Usage: python -m avocado_cert.vt.provider [--quiet]. Writes only the provider's own .ini file and its
downloads/avocado-cert link; other providers are left alone.

Avocado-VT looks for providers under Avocado's data folder (datadir.paths.data_dir, by default
~/avocado/data, so one per home), and its `vt`/`vt-list` plugins print "Bootstrap missing" tracebacks
on every command while that folder has no provider. The certification plugin's start-up therefore
registers the provider wherever the data folder is (register_if_missing): any home, any machine.
"""

import importlib.util
import os
import sys

from avocado_cert.base import paths

PROVIDER = "avocado-cert"
VT_DATA = os.path.join("avocado-vt", "virttest", "test-providers.d")  # virttest.data_dir's layout


def providers_dir(data_dir=None):
    """Avocado-VT's test-providers.d for Avocado's data folder (without importing virttest, whose
    import has side effects)."""
    if data_dir is None:
        from avocado.core.settings import settings  # pylint: disable=import-outside-toplevel

        data_dir = settings.as_dict().get("datadir.paths.data_dir")
    return os.path.join(os.path.expanduser(data_dir or "~/avocado/data"), VT_DATA)


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


def register_if_missing(data_dir=None):
    """At start-up: register when Avocado-VT is installed and its data folder has no provider yet.
    A data folder that cannot be written is left alone (Avocado-VT then says so itself)."""
    if importlib.util.find_spec("avocado_vt") is None:
        return False
    base = providers_dir(data_dir)
    downloads = os.path.join(base, "downloads")
    try:
        if os.listdir(downloads):
            return False  # bootstrapped or registered: nothing to fix, and nothing to rewrite
    except OSError:
        pass
    try:
        return ensure(base)
    except OSError:
        return False


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
