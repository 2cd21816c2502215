"""A gzip-compressed cpio archive in the kernel's initramfs format ("newc"), written reproducibly:
fixed timestamps and owners, entries in sorted order, so the same inputs give the same bytes."""

import gzip
import stat

_MAGIC = b"070701"
_TRAILER = "TRAILER!!!"


def _pad(length):
    return b"\0" * (-length % 4)


def _header(ino, mode, size, name, nlink=1, rdev=(0, 0)):
    encoded = name.encode("utf-8") + b"\0"
    fields = (ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], len(encoded), 0)
    head = _MAGIC + b"".join(f"{value:08x}".encode("ascii") for value in fields) + encoded
    return head + _pad(len(head))


class Archive:
    """Collects directories, files and symlinks, then writes them as one .cpio.gz."""

    def __init__(self):
        self._entries = {}  # name -> (mode, data, (major, minor))

    def _add(self, name, mode, data=b"", rdev=(0, 0)):
        name = name.strip("/")
        parent = name.rpartition("/")[0]
        if parent:
            self.directory(parent)
        self._entries[name] = (mode, data, rdev)

    def directory(self, name, mode=0o755):
        if name.strip("/") not in self._entries:
            self._add(name, stat.S_IFDIR | mode)

    def file(self, name, data, mode=0o644):
        self._add(name, stat.S_IFREG | mode, data)

    def symlink(self, name, target):
        self._add(name, stat.S_IFLNK | 0o777, target.encode("utf-8"))

    def char_device(self, name, major, minor, mode=0o600):
        """A device node the kernel needs before devtmpfs is mounted (/dev/console)."""
        self._add(name, stat.S_IFCHR | mode, rdev=(major, minor))

    def names(self):
        return sorted(self._entries)

    def to_bytes(self):
        chunks = []
        for ino, name in enumerate(sorted(self._entries), start=1):
            mode, data, rdev = self._entries[name]
            nlink = 2 if stat.S_ISDIR(mode) else 1
            chunks.append(_header(ino, mode, len(data), name, nlink, rdev))
            chunks.append(data + _pad(len(data)))
        chunks.append(_header(0, 0, 0, _TRAILER))
        return b"".join(chunks)

    def write_gzip(self, path):
        with open(path, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as out:
                out.write(self.to_bytes())
