"""Reading untrusted gzip-compressed tar archives: every member is checked before anything is used.

Refused, with a one-line error naming the member: absolute paths, `..` or empty components, links,
device files, FIFOs, sparse files and any other member that is not a regular file or a folder,
duplicate members, members or a total beyond the limits, and archives that inflate far more than
their size (bombs). The tar headers are parsed here rather than by tarfile so that only those two
member kinds can ever be accepted, header sizes are checked before a member's data is inflated,
and inflation is bounded per step. Extraction checks the whole archive first and writes nothing
until every member has passed.
"""

import hashlib
import os
import zlib
from dataclasses import dataclass

from avocado_cert.base.errors import CertError

GZIP_MAGIC = b"\x1f\x8b"
BLOCK = 512
CHUNK = 1 << 20
MIB = 1 << 20
ZERO_BLOCK = bytes(BLOCK)
REGULAR = (b"0", b"\0", b"7")
FOLDER = b"5"
PAX = b"x"
GNU_LONGNAME = b"L"
REFUSED_KINDS = {
    b"1": "a hard link",
    b"2": "a symbolic link",
    b"K": "a link",
    b"3": "a device file",
    b"4": "a device file",
    b"6": "a FIFO",
    b"S": "a sparse file",
    b"g": "a global header",
}
PAX_HEADER_LIMIT = MIB


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


def check_name(name, limits):
    """The normalized member name, or a CertError saying why the name is unsafe."""
    if not name or len(name) > limits.name_length:
        raise CertError(f"unsafe member name {name[:80]!r}: empty or longer than {limits.name_length}")
    if "\x00" in name or "\\" in name:
        raise CertError(f"unsafe member name {name!r}: NUL or backslash")
    if name.startswith("/"):
        raise CertError(f"unsafe member {name!r}: absolute path")
    name = name.rstrip("/")
    parts = set(name.split("/"))
    if ".." in parts:
        raise CertError(f"unsafe member {name!r}: '..' leaves the bundle")
    if "" in parts or "." in parts:
        raise CertError(f"unsafe member {name!r}: empty or '.' path component")
    return name


class _Inflater:
    """The decompressed bytes of a gzip stream, inflated at most CHUNK bytes per step."""

    def __init__(self, stream):
        self.stream = stream
        self.zlib = zlib.decompressobj(31)
        self.buffer = bytearray()
        self.position = 0
        self.compressed = 0

    def _fill(self, need):
        while len(self.buffer) - self.position < need:
            if self.zlib.unconsumed_tail:
                chunk = self.zlib.decompress(self.zlib.unconsumed_tail, CHUNK)
            elif self.zlib.eof:
                return
            else:
                data = self.stream.read(CHUNK)
                if not data:
                    return
                self.compressed += len(data)
                chunk = self.zlib.decompress(data, CHUNK)
            if self.position > CHUNK:
                del self.buffer[: self.position]
                self.position = 0
            self.buffer += chunk

    def read(self, size, what):
        self._fill(size)
        if len(self.buffer) - self.position < size:
            raise CertError(f"truncated bundle: it ends inside {what}")
        with memoryview(self.buffer) as view:
            data = bytes(view[self.position : self.position + size])
        self.position += size
        return data

    def chunks(self, size, what):
        """The next size bytes, in pieces of at most CHUNK."""
        while size > 0:
            step = min(size, CHUNK)
            yield self.read(step, what)
            size -= step

    def skip(self, size, what):
        for _chunk in self.chunks(size, what):
            pass


def _number(field, what):
    if field[:1] and field[0] & 0x80:
        raise CertError(f"{what}: binary-encoded sizes are not supported")
    text = field.split(b"\0", 1)[0].strip()
    try:
        return int(text or b"0", 8)
    except ValueError:
        raise CertError(f"{what}: bad number field (not a tar archive, or corrupt)") from None


def _decode(raw, what):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CertError(f"{what}: member name is not UTF-8") from None


def _header(block, position):
    """(name, typeflag, size) of one ustar/GNU/PAX header block; the checksum is checked."""
    what = f"tar header #{position}"
    stored = _number(block[148:156], what)
    if stored != sum(block[:148]) + 256 + sum(block[156:]):
        raise CertError(f"{what}: bad checksum (not a tar archive, or corrupt)")
    name = block[:100].split(b"\0", 1)[0]
    if block[257:265] == b"ustar\x0000":
        prefix = block[345:500].split(b"\0", 1)[0]
        if prefix:
            name = prefix + b"/" + name
    return name, block[156:157], _number(block[124:136], what)


def _pax_records(data, what):
    """{key: value} of a PAX extended header's records ("LEN key=value\\n")."""
    records, position = {}, 0
    while position < len(data):
        space = data.find(b" ", position)
        try:
            length = int(data[position:space]) if space > position else 0
        except ValueError:
            length = 0
        record = data[position : position + length]
        if length <= space - position or not record.endswith(b"\n") or b"=" not in record:
            raise CertError(f"{what}: malformed PAX header")
        key, _sep, value = record[space - position + 1 : -1].partition(b"=")
        records[_decode(key, what)] = value
        position += length
    return records


def _entries(stream):
    """Yield (name, kind, size, data chunks) of each member; kind is 'file' or 'folder'.

    The caller must consume a file's chunks before the next member is read."""
    inflater = _Inflater(stream)
    position, pending = 0, {}
    while True:
        block = inflater.read(BLOCK, "a tar header")
        position += 1
        if block == ZERO_BLOCK:
            return
        raw_name, kind, size = _header(block, position)
        what = f"tar member #{position}"
        if kind in (PAX, GNU_LONGNAME):
            if size > PAX_HEADER_LIMIT:
                raise CertError(f"{what}: extended header of {size} bytes")
            data = inflater.read(size, "an extended header")
            inflater.skip(-size % BLOCK, "an extended header")
            if kind == PAX:
                pending.update(_pax_records(data, what))
            else:
                pending["path"] = data.split(b"\0", 1)[0]
            continue
        name = _decode(pending.get("path", raw_name), what)
        if any(key.startswith("GNU.sparse") for key in pending):
            raise CertError(f"unsafe member {name!r}: a sparse file")
        if "size" in pending:
            try:
                size = int(pending["size"])
            except ValueError:
                raise CertError(f"{what}: malformed PAX size") from None
        pending = {}
        if kind in REFUSED_KINDS:
            raise CertError(f"unsafe member {name!r}: {REFUSED_KINDS[kind]}")
        if kind == FOLDER:
            yield name, "folder", 0, ()
            inflater.skip(size + (-size % BLOCK), "a folder entry")
        elif kind in REGULAR:
            padded = size + (-size % BLOCK)
            if padded <= CHUNK:  # most members: data and padding in one read
                yield name, "file", size, (inflater.read(padded, f"member {name!r}")[:size],)
            else:
                yield name, "file", size, inflater.chunks(size, f"member {name!r}")
                inflater.skip(-size % BLOCK, "the padding of a member")
        else:
            raise CertError(f"unsafe member {name!r}: unsupported member type {kind!r}")


class _Checker:
    """Applies the limits to the members one by one, as they are read."""

    def __init__(self, limits):
        self.limits = limits
        self.files = set()
        self.folders = set()
        self.parents = set()
        self.total = 0
        self.count = 0

    def check(self, name, kind, size, compressed):
        """The member's normalized name; a CertError for anything unsafe."""
        self.count += 1
        if self.count > self.limits.members:
            raise CertError(f"more than {self.limits.members} members")
        name = check_name(name, self.limits)
        if name in self.files or name in self.folders:
            raise CertError(f"duplicate member {name!r}")
        if kind == "file" and name in self.parents:
            raise CertError(f"unsafe member {name!r}: a file is also used as a folder")
        self._register_parents(name)
        if kind == "folder":
            self.folders.add(name)
            return name
        if size > self.limits.member_size:
            raise CertError(f"member {name!r} is too large ({size} bytes, limit {self.limits.member_size})")
        self.total += size
        if self.total > self.limits.total_size:
            raise CertError(f"the members add up to more than the limit of {self.limits.total_size} bytes")
        if self.total > self.limits.ratio_floor and self.total > self.limits.ratio * max(compressed, 1):
            raise CertError(
                f"decompression bomb: {self.total} bytes from a {compressed}-byte file "
                f"(ratio limit {self.limits.ratio})"
            )
        self.files.add(name)
        return name

    def _register_parents(self, name):
        """Record the folders above name; none of them may be a file (amortized: stops at a known one)."""
        parent = name
        while "/" in parent:
            parent = parent.rsplit("/", 1)[0]
            if parent in self.parents:
                return
            if parent in self.files:
                raise CertError(f"unsafe member {name!r}: a file is also used as a folder")
            self.parents.add(parent)


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


def _members(path, limits, handle):
    """Check every member in order, calling handle(name, size, chunks) for each file."""
    stream = _open(path)
    compressed = os.fstat(stream.fileno()).st_size
    checker = _Checker(limits)
    try:
        for name, kind, size, chunks in _entries(stream):
            name = checker.check(name, kind, size, compressed)
            if kind == "file":
                handle(name, size, chunks)
    except CertError as details:
        if details.path:
            raise
        raise CertError(str(details), path) from None
    except (zlib.error, OSError) as details:
        raise CertError(f"corrupt bundle: {str(details).splitlines()[0][:200]}", path) from None
    finally:
        stream.close()
    if checker.count == 0:
        raise CertError("not a bundle: the archive holds no files", path)


def scan(path, limits=None, keep=lambda name: False):
    """Check every member of the archive at path and hash it, writing nothing.

    Returns ({name: Member}, {name: bytes}) where the bytes are those of the members keep(name)
    selects. Any unsafe or unreadable archive raises a CertError naming the file and the problem.
    """
    members, kept = {}, {}

    def handle(name, size, chunks):
        digest = hashlib.sha256()
        pieces = [] if keep(name) else None
        for chunk in chunks:
            digest.update(chunk)
            if pieces is not None:
                pieces.append(chunk)
        members[name] = Member(name, size, digest.hexdigest())
        if pieces is not None:
            kept[name] = b"".join(pieces)

    _members(path, limits or Limits(), handle)
    return members, kept


def extract(path, dest, limits=None):
    """Extract the archive into dest (a folder that must not exist yet) after checking all of it."""
    limits = limits or Limits()
    members, _kept = scan(path, limits)
    if os.path.lexists(dest):
        raise CertError("already exists: extraction needs a new folder", dest)
    os.makedirs(dest)

    def handle(name, size, chunks):
        if name not in members or members[name].size != size:
            raise CertError(f"the bundle changed while it was extracted ({name!r})")
        target = os.path.join(dest, *name.split("/"))
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
        except OSError as details:
            raise CertError(f"cannot write {name}: {details.strerror}", dest) from None

    try:
        _members(path, limits, handle)  # checked again: the file may have changed since the scan
    except CertError:
        _remove_tree(dest)
        raise
    return members


def _remove_tree(dest):
    for top, dirs, files in os.walk(dest, topdown=False):
        for name in files:
            os.unlink(os.path.join(top, name))
        for name in dirs:
            os.rmdir(os.path.join(top, name))
    os.rmdir(dest)
