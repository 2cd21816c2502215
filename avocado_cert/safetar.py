"""Reading untrusted gzip-compressed tar archives: every member is checked before anything is used.

Refused, with a one-line error naming the member: absolute paths, `..` or empty components, links,
device files and anything else that is not a regular file or a folder, duplicate members, members
or a total beyond the limits, and archives that inflate far more than their size (bombs). Header
sizes are checked before a member's data is read, so an oversized member is never inflated.
Extraction checks the whole archive first and writes nothing until every member has passed.
"""

import gzip
import hashlib
import os
import tarfile
import zlib
from dataclasses import dataclass

from avocado_cert.errors import CertError

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 20
MIB = 1 << 20


@dataclass
class Limits:
    """What a bundle may hold; the catalog service may pass its own."""

    member_size: int = 512 * MIB
    total_size: int = 4096 * MIB
    members: int = 500_000
    name_length: int = 1024
    # Uncompressed/compressed ratio above which an archive larger than ratio_floor is a bomb.
    ratio: int = 1000
    ratio_floor: int = 64 * MIB


@dataclass
class Member:
    name: str
    size: int
    sha256: str


class _Counter:
    """Wraps the compressed file to know how far the reader got (for the ratio check)."""

    def __init__(self, stream):
        self.stream = stream
        self.count = 0

    def read(self, size=-1):
        data = self.stream.read(size)
        self.count += len(data)
        return data


def check_name(name, limits):
    """The normalized member name, or a CertError saying why the name is unsafe."""
    if not name or len(name) > limits.name_length:
        raise CertError(f"unsafe member name {name[:80]!r}: empty or longer than {limits.name_length}")
    if "\x00" in name or "\\" in name:
        raise CertError(f"unsafe member name {name!r}: NUL or backslash")
    if name.startswith("/"):
        raise CertError(f"unsafe member {name!r}: absolute path")
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        raise CertError(f"unsafe member {name!r}: '..' leaves the bundle")
    if any(part in ("", ".") for part in parts):
        raise CertError(f"unsafe member {name!r}: empty or '.' path component")
    return "/".join(parts)


def _kind(info):
    if info.issym() or info.islnk():
        return f"a link to {info.linkname!r}"
    if info.ischr() or info.isblk():
        return "a device file"
    if info.isfifo():
        return "a FIFO"
    if info.issparse():
        return "a sparse file"
    return f"an unsupported member type {info.type!r}"


class _Checker:
    """Applies the limits to the members one by one, as they are read."""

    def __init__(self, limits, compressed):
        self.limits = limits
        self.compressed = compressed
        self.seen = set()
        self.dirs = set()
        self.parents = set()
        self.total = 0
        self.count = 0

    def check(self, info):
        """The member's normalized name, or None for a folder; a CertError for anything unsafe."""
        self.count += 1
        if self.count > self.limits.members:
            raise CertError(f"more than {self.limits.members} members")
        name = check_name(info.name, self.limits)
        if name in self.seen or name in self.dirs:
            raise CertError(f"duplicate member {name!r}")
        if info.isdir():
            if self._under_a_file(name + "/"):
                raise CertError(f"unsafe member {name!r}: a file is also used as a folder")
            self.dirs.add(name)
            return None
        if not info.isreg() or info.issparse():
            raise CertError(f"unsafe member {name!r}: {_kind(info)}")
        if name in self.parents or self._under_a_file(name):
            raise CertError(f"unsafe member {name!r}: a file is also used as a folder")
        if info.size > self.limits.member_size:
            raise CertError(
                f"member {name!r} is too large ({info.size} bytes, limit {self.limits.member_size})"
            )
        self.total += info.size
        if self.total > self.limits.total_size:
            raise CertError(f"the members add up to more than the limit of {self.limits.total_size} bytes")
        if self.total > self.limits.ratio_floor and self.total > self.limits.ratio * max(self.compressed, 1):
            raise CertError(
                f"decompression bomb: {self.total} bytes from a {self.compressed}-byte file "
                f"(ratio limit {self.limits.ratio})"
            )
        self.seen.add(name)
        parent = name
        while "/" in parent:
            parent = parent.rsplit("/", 1)[0]
            self.parents.add(parent)
        return name

    def _under_a_file(self, name):
        parent = name
        while "/" in parent:
            parent = parent.rsplit("/", 1)[0]
            if parent in self.seen:
                return True
        return False


def _open(path):
    try:
        stream = open(path, "rb")  # pylint: disable=consider-using-with
    except OSError as details:
        raise CertError(f"cannot read the bundle: {details.strerror}", path) from None
    if stream.read(2) != GZIP_MAGIC:
        stream.close()
        raise CertError("not a bundle: not a gzip-compressed tar archive", path)
    stream.seek(0)
    return stream


_READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError, UnicodeDecodeError)


def scan(path, limits=None, keep=lambda name: False):
    """Check every member of the archive at path and hash it, writing nothing.

    Returns ({name: Member}, {name: bytes}) where the bytes are those of the members keep(name)
    selects. Any unsafe or unreadable archive raises a CertError naming the file and the problem.
    """
    limits = limits or Limits()
    compressed = os.path.getsize(path) if os.path.exists(path) else 0
    stream = _open(path)
    checker = _Checker(limits, compressed)
    members, kept = {}, {}
    try:
        with tarfile.open(fileobj=stream, mode="r:gz") as archive:
            for info in archive:
                name = checker.check(info)
                if name is None:
                    continue
                digest = hashlib.sha256()
                chunks = [] if keep(name) else None
                source = archive.extractfile(info)
                remaining = info.size
                while remaining > 0:
                    block = source.read(min(CHUNK, remaining))
                    if not block:
                        raise CertError(f"truncated bundle: member {name!r} ends early", path)
                    remaining -= len(block)
                    digest.update(block)
                    if chunks is not None:
                        chunks.append(block)
                members[name] = Member(name, info.size, digest.hexdigest())
                if chunks is not None:
                    kept[name] = b"".join(chunks)
    except CertError as details:
        if details.path:
            raise
        raise CertError(str(details), path) from None
    except _READ_ERRORS as details:
        raise CertError(f"truncated or corrupt bundle ({_describe(details)})", path) from None
    finally:
        stream.close()
    if not members:
        raise CertError("not a bundle: the archive holds no files", path)
    return members, kept


def _describe(details):
    text = str(details).splitlines()[0] if str(details) else type(details).__name__
    return text[:200]


def extract(path, dest, limits=None):
    """Extract the archive into dest (a folder that must not exist yet) after checking all of it."""
    limits = limits or Limits()
    members, _kept = scan(path, limits)
    if os.path.lexists(dest):
        raise CertError("already exists: extraction needs a new folder", dest)
    os.makedirs(dest)
    root = os.path.realpath(dest)
    try:
        stream = _open(path)
        checker = _Checker(limits, os.path.getsize(path))
        with stream, tarfile.open(fileobj=stream, mode="r:gz") as archive:
            for info in archive:
                name = checker.check(info)  # again: the file may have changed since the scan
                if name is None:
                    continue
                if name not in members or members[name].size != info.size:
                    raise CertError(f"the bundle changed while it was extracted ({name!r})", path)
                target = os.path.join(root, *name.split("/"))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                if os.path.realpath(os.path.dirname(target)) != os.path.dirname(target):
                    raise CertError(f"unsafe member {name!r}: its folder is not inside {dest}")
                source = archive.extractfile(info)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
                with os.fdopen(fd, "wb") as out:
                    for block in iter(lambda: source.read(CHUNK), b""):
                        out.write(block)
    except CertError:
        _remove_tree(dest)
        raise
    except _READ_ERRORS as details:
        _remove_tree(dest)
        raise CertError(f"truncated or corrupt bundle ({_describe(details)})", path) from None
    return members


def _remove_tree(dest):
    for top, dirs, files in os.walk(dest, topdown=False):
        for name in files:
            os.unlink(os.path.join(top, name))
        for name in dirs:
            os.rmdir(os.path.join(top, name))
    os.rmdir(dest)
