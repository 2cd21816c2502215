"""The guest image recipe: its hash, the cache (built once, rebuilt only when the recipe changes),
the initramfs archive and the kernel module order."""

import gzip
import json
import os
import shutil
import threading
import time

import pytest

from avocado_cert.base import paths
from avocado_cert.base.errors import CertError
from avocado_cert.guest import build, cache, cpio, recipe


@pytest.fixture
def recipes(tmp_path):
    """A copy of the shipped recipes, to change without touching data/guest."""
    folder = tmp_path / "guest"
    shutil.copytree(paths.data_path("guest"), folder)
    return str(folder)


@pytest.fixture
def cache_root(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_CACHE, str(root))
    return str(root)


def test_shipped_recipe_loads():
    loaded = recipe.load("debian-tiny", "x86_64")
    assert loaded.settings["console"] == "ttyS0"
    assert "virtio_net" in loaded.settings["modules"]
    assert loaded.marker in loaded.file_text("init") and "@MARKER@" not in loaded.file_text("init")


def test_hash_is_stable(recipes):
    assert (
        recipe.load("debian-tiny", "x86_64", recipes).hash
        == recipe.load("debian-tiny", "x86_64", recipes).hash
    )


def test_hash_follows_the_init_script(recipes):
    before = recipe.load("debian-tiny", "x86_64", recipes).hash
    with open(os.path.join(recipes, "init"), "a", encoding="utf-8") as init:
        init.write("# changed\n")
    assert recipe.load("debian-tiny", "x86_64", recipes).hash != before


def test_hash_follows_the_arch_settings(recipes):
    before = recipe.load("debian-tiny", "x86_64", recipes).hash
    path = os.path.join(recipes, "debian-tiny.yaml")
    with open(path, encoding="utf-8") as src:
        text = src.read()
    with open(path, "w", encoding="utf-8") as out:
        out.write(text.replace("button, evdev]", "button, evdev, virtio_console]"))
    assert recipe.load("debian-tiny", "x86_64", recipes).hash != before


def test_hash_ignores_comments(recipes):
    before = recipe.load("debian-tiny", "x86_64", recipes).hash
    with open(os.path.join(recipes, "debian-tiny.yaml"), "a", encoding="utf-8") as out:
        out.write("# a comment changes nothing that is built\n")
    assert recipe.load("debian-tiny", "x86_64", recipes).hash == before


@pytest.mark.parametrize(
    "name, arch, message",
    [
        ("debian-tiny", "riscv64", "no recipe for arch 'riscv64'"),
        ("missing", "x86_64", "unknown guest image 'missing'"),
        ("../etc", "x86_64", "invalid guest image name"),
    ],
)
def test_bad_requests_are_one_line_errors(recipes, name, arch, message):
    with pytest.raises(CertError, match=message) as raised:
        recipe.load(name, arch, recipes)
    assert "\n" not in str(raised.value)


def test_missing_file_names_the_recipe(recipes):
    os.remove(os.path.join(recipes, "hotplug"))
    with pytest.raises(CertError, match="cannot read guest file hotplug") as raised:
        recipe.load("debian-tiny", "x86_64", recipes)
    assert os.path.join(recipes, "hotplug") in str(raised.value)


# --- the cache ---------------------------------------------------------------------------------
@pytest.fixture
def counting_build(monkeypatch):
    """Replaces only the package download and assembly: counts builds, writes the image's files."""
    calls = []

    def fake_build(rec, out_dir, work):
        calls.append(rec.hash)
        time.sleep(0.2)  # long enough for concurrent callers to meet at the lock
        os.makedirs(out_dir)
        for name in (build.KERNEL, build.INITRD):
            with open(os.path.join(out_dir, name), "wb") as out:
                out.write(rec.hash.encode())
        with open(os.path.join(out_dir, build.MANIFEST), "w", encoding="utf-8") as out:
            json.dump({"recipe_hash": rec.hash}, out)
        return {}

    monkeypatch.setattr(build, "build", fake_build)
    return calls


def test_cache_builds_once_then_reuses(cache_root, recipes, counting_build):
    rec = recipe.load("debian-tiny", "x86_64", recipes)
    image, built = cache.ensure(rec)
    assert built and counting_build == [rec.hash]
    assert image.folder == os.path.join(cache_root, "guest", "x86_64", rec.hash)
    again, built_again = cache.ensure(rec)
    assert not built_again and again.folder == image.folder and len(counting_build) == 1
    assert not [n for n in os.listdir(os.path.dirname(image.folder)) if n.startswith(".build-")]


def test_cache_rebuilds_when_the_recipe_changes(cache_root, recipes, counting_build):
    first = recipe.load("debian-tiny", "x86_64", recipes)
    cache.ensure(first)
    with open(os.path.join(recipes, "acpi-power"), "a", encoding="utf-8") as out:
        out.write("# changed\n")
    second = recipe.load("debian-tiny", "x86_64", recipes)
    image, built = cache.ensure(second)
    assert built and counting_build == [first.hash, second.hash]
    assert os.path.basename(image.folder) == second.hash


def test_cache_force_rebuilds(cache_root, recipes, counting_build):
    rec = recipe.load("debian-tiny", "x86_64", recipes)
    cache.ensure(rec)
    _image, built = cache.ensure(rec, force=True)
    assert built and len(counting_build) == 2


def test_parallel_callers_build_once(cache_root, recipes, counting_build):
    rec = recipe.load("debian-tiny", "x86_64", recipes)
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.ensure(rec))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(counting_build) == 1
    assert sorted(built for _image, built in results) == [False, False, False, True]


def test_a_failed_build_leaves_no_image(cache_root, recipes, monkeypatch):
    def failing(rec, out_dir, work):
        os.makedirs(out_dir)
        raise CertError("apt-get download linux-image-amd64:amd64 failed: E: no network")

    monkeypatch.setattr(build, "build", failing)
    rec = recipe.load("debian-tiny", "x86_64", recipes)
    with pytest.raises(CertError, match="no network"):
        cache.ensure(rec)
    assert cache.cached(rec) is None
    assert not [n for n in os.listdir(os.path.join(cache_root, "guest", "x86_64")) if n.startswith(".build-")]


# --- the initramfs -------------------------------------------------------------------------------
def _read_newc(data):
    """name -> (mode, content, (major, minor)) of a newc archive."""
    entries = {}
    offset = 0
    while True:
        assert data[offset : offset + 6] == b"070701"
        fields = [int(data[offset + 6 + 8 * i : offset + 14 + 8 * i], 16) for i in range(13)]
        namesize, filesize = fields[11], fields[6]
        name_start = offset + 110
        name = data[name_start : name_start + namesize - 1].decode()
        body = name_start + namesize + (-(110 + namesize) % 4)
        if name == "TRAILER!!!":
            return entries
        entries[name] = (fields[1], data[body : body + filesize], (fields[9], fields[10]))
        offset = body + filesize + (-filesize % 4)


def test_archive_is_newc_and_reproducible(tmp_path):
    def make():
        archive = cpio.Archive()
        archive.file("lib/modules/a.ko", b"abc")
        archive.symlink("bin/sh", "busybox")
        archive.char_device("dev/console", 5, 1)
        return archive

    first, second = tmp_path / "a.gz", tmp_path / "b.gz"
    make().write_gzip(first)
    make().write_gzip(second)
    assert first.read_bytes() == second.read_bytes()
    entries = _read_newc(gzip.decompress(first.read_bytes()))
    assert sorted(entries) == [
        "bin",
        "bin/sh",
        "dev",
        "dev/console",
        "lib",
        "lib/modules",
        "lib/modules/a.ko",
    ]
    assert entries["lib/modules/a.ko"][1] == b"abc"
    assert entries["bin/sh"][1] == b"busybox" and entries["bin/sh"][0] & 0o170000 == 0o120000
    assert entries["dev/console"][2] == (5, 1) and entries["dev/console"][0] & 0o170000 == 0o020000


def test_initramfs_holds_init_busybox_and_modules():
    rec = recipe.load("debian-tiny", "x86_64")
    archive = build.initramfs(rec, b"\x7fELF-busybox", [("virtio", b"v"), ("virtio_net", b"n")])
    entries = _read_newc(archive.to_bytes())
    assert entries["init"][0] & 0o777 == 0o755
    assert rec.marker.encode() in entries["init"][1]
    assert entries["etc/modules.order"][1] == b"virtio.ko\nvirtio_net.ko\n"
    assert entries["etc/acpi/PWRF/00000080"][0] & 0o111
    assert "dev/console" in entries and entries["bin/busybox"][1] == b"\x7fELF-busybox"


def _module(depends):
    return b"\x7fELF...\0license=GPL\0depends=" + depends.encode() + b"\0name=x\0"


def test_modules_come_after_their_dependencies(tmp_path):
    tree = tmp_path / "lib" / "modules" / "6.1" / "kernel"
    tree.mkdir(parents=True)
    for name, deps in {
        "virtio-net": "virtio,failover",
        "virtio": "virtio_ring",
        "virtio_ring": "",
        "failover": "",
    }.items():
        (tree / f"{name}.ko").write_bytes(_module(deps))
    order = [
        name
        for name, _data in build.module_order(["virtio_net", "virtio"], build.module_index(str(tmp_path)))
    ]
    assert order == ["virtio_ring", "virtio", "failover", "virtio_net"]


def test_a_missing_module_is_named(tmp_path):
    (tmp_path / "lib" / "modules").mkdir(parents=True)
    with pytest.raises(CertError, match="kernel module evdev is not in the kernel package"):
        build.module_order(["evdev"], build.module_index(str(tmp_path)))
