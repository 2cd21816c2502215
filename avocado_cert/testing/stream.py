"""Helpers of the stream suites: blocking transfers, sparse layouts and an event loop for
non-blocking streams."""

import hashlib
import os
import time

import libvirt

CHUNK = 64 * 1024
_EVENT_IMPL = {"registered": False}


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def upload(conn, vol, data, offset=0, length=None, flags=0, chunk=CHUNK):
    """Send data into a volume with virStreamSend, then finish."""
    st = conn.newStream(0)
    vol.upload(st, offset, len(data) if length is None else length, flags)
    sent = 0
    try:
        while sent < len(data):
            sent += st.send(data[sent : sent + chunk])
    except libvirt.libvirtError:
        st.abort()
        raise
    st.finish()


def download(conn, vol, offset=0, length=0, flags=0, chunk=CHUNK):
    """Read a volume with virStreamRecv until end of stream, then finish."""
    st = conn.newStream(0)
    vol.download(st, offset, length, flags)
    parts = []
    try:
        while True:
            got = st.recv(chunk)
            if not got:
                break
            parts.append(got)
    except libvirt.libvirtError:
        st.abort()
        raise
    st.finish()
    return b"".join(parts)


class SparseLayout:
    """A sparse image as a list of segments: bytes (data) or int (a hole of that many bytes)."""

    def __init__(self, segments):
        self.segments = list(segments)
        self.pos = 0  # offset into the flat image, for the sparseSendAll callbacks

    @classmethod
    def random(cls, data=64 * 1024, hole=1 << 20):
        return cls([os.urandom(data), hole, os.urandom(data)])

    def content(self):
        return b"".join(s if isinstance(s, bytes) else b"\0" * s for s in self.segments)

    @property
    def size(self):
        return sum(len(s) if isinstance(s, bytes) else s for s in self.segments)

    @property
    def hole_bytes(self):
        return sum(s for s in self.segments if isinstance(s, int))

    def _at(self):
        """The segment under pos and how far into it pos is."""
        start = 0
        for seg in self.segments:
            length = len(seg) if isinstance(seg, bytes) else seg
            if self.pos < start + length:
                return seg, self.pos - start, length
            start += length
        return None, 0, 0

    # sparseSendAll callbacks
    def read(self, _stream, nbytes, _opaque):
        seg, inner, _length = self._at()
        if seg is None:
            return b""
        data = seg[inner : inner + nbytes]
        self.pos += len(data)
        return data

    def hole(self, _stream, _opaque):
        seg, inner, length = self._at()
        if seg is None:
            return [True, 0]
        return [isinstance(seg, bytes), length - inner]

    def skip(self, _stream, length, _opaque):
        self.pos += length
        return self.pos


class SparseSink:
    """What sparseRecvAll delivers: data and holes, in order."""

    def __init__(self):
        self.segments = []

    def data(self, _stream, buf, _opaque):
        self.segments.append(bytes(buf))
        return len(buf)

    def hole(self, _stream, length, _opaque):
        self.segments.append(int(length))
        return 0

    def content(self):
        return SparseLayout(self.segments).content()

    @property
    def hole_bytes(self):
        return SparseLayout(self.segments).hole_bytes


def register_event_impl():
    """libvirt's default event loop, registered once per process before any connection opens."""
    if not _EVENT_IMPL["registered"]:
        libvirt.virEventRegisterDefaultImpl()
        _EVENT_IMPL["registered"] = True


class EventLoop:
    """Runs libvirt's default event loop in the calling thread; a 50 ms tick bounds each iteration."""

    def __init__(self):
        self.tick = libvirt.virEventAddTimeout(50, lambda *_args: None, None)

    def run_until(self, predicate, timeout):
        """Iterate until predicate() holds; return whether it did before the timeout."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                return False
            libvirt.virEventRunDefaultImpl()
        return True

    def run_for(self, iterations):
        for _ in range(iterations):
            libvirt.virEventRunDefaultImpl()

    def close(self):
        if self.tick is not None:
            libvirt.virEventRemoveTimeout(self.tick)
            self.tick = None
