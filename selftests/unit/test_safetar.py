"""Safe reading of untrusted bundles: every unsafe archive is refused before anything is written."""

import gzip
import io
import os
import tarfile

import pytest

from avocado_cert.base.errors import CertError
from avocado_cert.offline import safetar


def member(name, data=b"x", kind=tarfile.REGTYPE, linkname=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, (data if kind == tarfile.REGTYPE else None)


def archive(path, members, fmt=tarfile.PAX_FORMAT, pax_headers=None):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt, pax_headers=pax_headers or {}) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    with open(path, "wb") as out:
        out.write(gzip.compress(raw.getvalue()))
    return str(path)


GOOD = [member("job/results.json", b"{}"), member("job/cert/report.json", b"[]")]


def test_good_archive_is_hashed_and_kept(tmp_path):
    path = archive(tmp_path / "b.tar.gz", GOOD)
    members, kept = safetar.scan(path, keep=lambda name: name.endswith("results.json"))
    assert set(members) == {"job/results.json", "job/cert/report.json"}
    assert members["job/results.json"].size == 2
    assert kept == {"job/results.json": b"{}"}


@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT])
def test_long_names_in_every_tar_format(tmp_path, fmt):
    name = "job/test-results/" + "d" * 90 + "/" + "f" * 95
    if fmt == tarfile.GNU_FORMAT:
        name = "job/" + "x" * 200  # a GNU long-name record
    path = archive(tmp_path / "b.tar.gz", [member(name, b"data")], fmt=fmt)
    members, _kept = safetar.scan(path)
    assert list(members) == [name]


def _fifo():
    info, _data = member("job/fifo", kind=tarfile.FIFOTYPE)
    return info, None


BAD = {
    "absolute": ([member("/etc/passwd")], "absolute path"),
    "dotdot": ([member("job/../../escape")], "'..' leaves the bundle"),
    "dot": ([member("job/./x")], "'.' path component"),
    "symlink": ([member("job/link", kind=tarfile.SYMTYPE, linkname="/etc/passwd")], "a symbolic link"),
    "hardlink": ([member("job/a"), member("job/b", kind=tarfile.LNKTYPE, linkname="job/a")], "a hard link"),
    "chardev": ([member("job/dev", kind=tarfile.CHRTYPE)], "a device file"),
    "blockdev": ([member("job/blk", kind=tarfile.BLKTYPE)], "a device file"),
    "fifo": ([_fifo()], "a FIFO"),
    "duplicate": ([member("job/a", b"1"), member("job/a", b"2")], "duplicate member 'job/a'"),
    "file-as-folder": ([member("job/a"), member("job/a/b")], "a file is also used as a folder"),
    "folder-after-file": ([member("job/a/b"), member("job/a")], "a file is also used as a folder"),
    "backslash": ([member("job\\..\\x")], "NUL or backslash"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_unsafe_members_are_refused(tmp_path, case):
    members, message = BAD[case]
    path = archive(tmp_path / "b.tar.gz", GOOD + members)
    with pytest.raises(CertError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        safetar.scan(path)
    dest = tmp_path / "out"
    with pytest.raises(CertError):
        safetar.extract(path, str(dest))
    assert not dest.exists(), "nothing may be written for an unsafe archive"


def test_global_pax_header_is_refused(tmp_path):
    path = archive(tmp_path / "b.tar.gz", GOOD, pax_headers={"comment": "global"})
    with pytest.raises(CertError, match="a global header"):
        safetar.scan(path)


def test_oversized_member_is_refused_before_it_is_read(tmp_path):
    path = archive(tmp_path / "b.tar.gz", GOOD + [member("job/big", b"z" * 5000)])
    with pytest.raises(CertError, match=r"member 'job/big' is too large \(5000 bytes, limit 4096\)"):
        safetar.scan(path, safetar.Limits(member_size=4096))


def test_total_size_limit(tmp_path):
    path = archive(tmp_path / "b.tar.gz", [member(f"job/{i}", b"z" * 1000) for i in range(10)])
    with pytest.raises(CertError, match="add up to more than the limit of 5000 bytes"):
        safetar.scan(path, safetar.Limits(total_size=5000))


def test_member_count_limit(tmp_path):
    path = archive(tmp_path / "b.tar.gz", [member(f"job/{i}") for i in range(10)])
    with pytest.raises(CertError, match="more than 5 members"):
        safetar.scan(path, safetar.Limits(members=5))


def test_decompression_bomb(tmp_path):
    path = archive(tmp_path / "b.tar.gz", [member("job/zeros", bytes(4 << 20))])
    assert os.path.getsize(path) < 20000
    with pytest.raises(CertError, match="decompression bomb"):
        safetar.scan(path, safetar.Limits(ratio=100, ratio_floor=1 << 20))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"plain text, not an archive\n", "not a gzip-compressed tar archive"),
        (b"", "not a gzip-compressed tar archive"),
        (gzip.compress(b"x" * 2000), "not a tar archive"),
        (gzip.compress(b"0" * 2000), "not a tar archive"),
        (gzip.compress(bytes(1024)), "holds no files"),
        (b"\x1f\x8b\x08\x00garbage-after-the-magic", "corrupt bundle"),
    ],
)
def test_not_a_bundle(tmp_path, content, message):
    path = tmp_path / "b.tar.gz"
    path.write_bytes(content)
    with pytest.raises(CertError, match=message):
        safetar.scan(str(path))


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9, 0.99])
def test_truncated(tmp_path, keep):
    path = archive(tmp_path / "b.tar.gz", [member(f"job/{i}", os.urandom(3000)) for i in range(5)])
    data = open(path, "rb").read()
    with open(path, "wb") as out:
        out.write(data[: int(len(data) * keep)])
    with pytest.raises(CertError, match="truncated|corrupt"):
        safetar.scan(path)


def test_extract_writes_the_members(tmp_path):
    path = archive(tmp_path / "b.tar.gz", GOOD)
    dest = tmp_path / "out"
    safetar.extract(path, str(dest))
    assert (dest / "job" / "results.json").read_bytes() == b"{}"
    with pytest.raises(CertError, match="already exists"):
        safetar.extract(path, str(dest))


def test_missing_file(tmp_path):
    with pytest.raises(CertError, match="cannot read the bundle"):
        safetar.scan(str(tmp_path / "nope.tar.gz"))
