"""virStream: blocking and event-driven transfers, abort and finish, and sparse streams, fed by volume
upload/download (and, where a driver has no volume streams, by a domain screenshot)."""

import io
import os

import libvirt

from avocado_cert.testing import CertTest, storage, stream
from avocado_cert.testing.storage import MIB

READABLE = libvirt.VIR_STREAM_EVENT_READABLE
WRITABLE = libvirt.VIR_STREAM_EVENT_WRITABLE
ERROR_EVENTS = libvirt.VIR_STREAM_EVENT_ERROR | libvirt.VIR_STREAM_EVENT_HANGUP
STOP_AT_HOLE = libvirt.VIR_STREAM_RECV_STOP_AT_HOLE


class StreamTest(CertTest):
    """Streams over volume transfers; the event loop is registered before the connection opens."""

    def setUp(self):
        stream.register_event_impl()
        super().setUp()
        self.loop = stream.EventLoop()
        self.objects.on_cleanup("event loop tick", self.loop.close)
        self._pool = None

    def volume(self, capacity=MIB):
        if self._pool is None:
            self._pool, _spec = storage.make_pool(self)
        return storage.make_volume(self, self._pool, capacity)

    def filled_volume(self, size=MIB):
        """A volume holding random bytes, written through a blocking upload; returns (vol, bytes)."""
        vol = self.volume(size)
        payload = os.urandom(size)
        stream.upload(self.conn, vol, payload)
        return vol, payload

    def readable_source(self):
        """(open(stream), expected bytes or None): a volume download, or a screenshot where the driver
        has no volume streams (the test driver serves one from a running domain)."""
        try:
            vol, payload = self.filled_volume()
            return (lambda st: vol.download(st, 0, 0, 0)), payload
        except libvirt.libvirtError as err:
            if err.get_error_code() != libvirt.VIR_ERR_NO_SUPPORT:
                raise
            self.log.info("no volume streams (%s): reading a domain screenshot", err.get_error_message())
        dom = self.define_domain()
        dom.create()
        return (lambda st: dom.screenshot(st, 0, 0)), None

    @staticmethod
    def recv_all_blocking(st, chunk=stream.CHUNK):
        parts = []
        while True:
            got = st.recv(chunk)
            if not got:
                return b"".join(parts)
            parts.append(got)


class StreamReceive(StreamTest):
    """
    :avocado: tags=area:stream,cap:stream.receive
    """

    def test_recv_driver_stream(self):
        """
        A stream the driver fills (a volume download, or a screenshot) is read to its end with
        recvAll, twice with the same bytes.

        :avocado: tags=api:virStreamRecvAll,api:virStreamRecv,api:virStreamFinish
        """
        open_source, expected = self.readable_source()
        reads = []
        for _attempt in range(2):
            st = self.conn.newStream(0)
            mime = open_source(st)
            sink = io.BytesIO()
            st.recvAll(lambda _st, buf, dst: dst.write(buf), sink)
            self.assertEqual(st.finish(), 0)
            reads.append(sink.getvalue())
            if mime:
                self.log.info("stream content type: %s", mime)
        self.assertGreater(len(reads[0]), 0, "the stream delivered nothing")
        self.assertEqual(reads[0], reads[1])
        if expected is not None:
            self.assertEqual(reads[0], expected)

    def test_abort_download(self):
        """
        Aborting a download part way ends it; a new download of the same source reads everything.

        :avocado: tags=api:virStreamAbort
        """
        open_source, _expected = self.readable_source()
        st = self.conn.newStream(0)
        open_source(st)
        self.assertTrue(st.recv(1024), "nothing to read before abort")
        self.assertEqual(st.abort(), 0)
        again = self.conn.newStream(0)
        open_source(again)
        whole = self.recv_all_blocking(again)
        again.finish()
        self.assertGreater(len(whole), 1024)

    def test_errors_after_end(self):
        """
        After finish, and after abort, the stream refuses recv and send with an error instead of
        data.

        :avocado: tags=api:virStreamFinish,api:virStreamAbort,api:virStreamRecv,api:virStreamSend
        """
        open_source, _expected = self.readable_source()
        finished = self.conn.newStream(0)
        open_source(finished)
        self.recv_all_blocking(finished)
        finished.finish()
        aborted = self.conn.newStream(0)
        open_source(aborted)
        aborted.abort()
        for label, st in (("finish", finished), ("abort", aborted)):
            for call, args in ((st.recv, (1024,)), (st.send, (b"x",))):
                try:
                    result = call(*args)
                except libvirt.libvirtError as err:
                    self.log.info("%s after %s refused: %s", call.__name__, label, err)
                    continue
                self.fail(f"{call.__name__} after {label} returned {result!r} instead of an error")


class StreamSend(StreamTest):
    """
    :avocado: tags=area:stream,cap:stream.send
    """

    def test_send_recv(self):
        """
        Bytes sent with virStreamSend into a volume come back with virStreamRecv, SHA-256 equal;
        recv returns empty at the end and finish succeeds on both streams.

        :avocado: tags=api:virStreamNew,api:virStreamSend,api:virStreamRecv,api:virStreamFinish
        """
        vol = self.volume(MIB)
        payload = os.urandom(MIB)
        up = self.conn.newStream(0)
        vol.upload(up, 0, MIB, 0)
        for offset in range(0, MIB, 100_000):
            chunk = payload[offset : offset + 100_000]
            self.assertEqual(up.send(chunk), len(chunk))
        self.assertEqual(up.finish(), 0)
        down = self.conn.newStream(0)
        vol.download(down, 0, 0, 0)
        got = self.recv_all_blocking(down)
        self.assertEqual(down.recv(4096), b"", "recv after end of stream returned data")
        self.assertEqual(down.finish(), 0)
        self.assertEqual(stream.sha256(got), stream.sha256(payload))

    def test_send_all_recv_all(self):
        """
        sendAll drains a source handler into a volume and recvAll feeds the volume back to a sink.

        :avocado: tags=api:virStreamSendAll,api:virStreamRecvAll
        """
        vol = self.volume(MIB)
        payload = os.urandom(MIB)
        source = io.BytesIO(payload)
        up = self.conn.newStream(0)
        vol.upload(up, 0, MIB, 0)
        up.sendAll(lambda _st, nbytes, src: src.read(nbytes), source)
        up.finish()
        self.assertEqual(source.tell(), MIB, "sendAll did not read the whole source")
        sink = io.BytesIO()
        down = self.conn.newStream(0)
        vol.download(down, 0, 0, 0)
        down.recvAll(lambda _st, buf, dst: dst.write(buf), sink)
        down.finish()
        self.assertEqual(stream.sha256(sink.getvalue()), stream.sha256(payload))

    def test_abort_upload(self):
        """
        Aborting an upload half way ends the stream; the volume keeps its capacity and takes a full
        upload afterwards.

        :avocado: tags=api:virStreamAbort
        """
        vol, _old = self.filled_volume(MIB)
        st = self.conn.newStream(0)
        vol.upload(st, 0, MIB, 0)
        st.send(os.urandom(MIB // 2))
        self.assertEqual(st.abort(), 0)
        self.assertEqual(vol.info()[1], MIB)
        self.assertIn(vol.name(), self._pool.listVolumes())
        payload = os.urandom(MIB)
        stream.upload(self.conn, vol, payload)
        self.assertEqual(stream.download(self.conn, vol), payload, "the volume is not usable after abort")


class StreamEvents(StreamTest):
    """
    :avocado: tags=area:stream,cap:stream.events
    """

    def test_event_driven_download(self):
        """
        A non-blocking download driven by READABLE events reads the same bytes a blocking one does.

        :avocado: tags=api:virStreamNew,api:virStreamEventAddCallback,api:virStreamEventRemoveCallback
        :avocado: tags=api:virStreamRecv
        """
        open_source, expected = self.readable_source()
        if expected is None:
            st = self.conn.newStream(0)
            open_source(st)
            expected = self.recv_all_blocking(st)
            st.finish()
        state = self.download_nonblocking(open_source)
        self.assertEqual(stream.sha256(bytes(state["data"])), stream.sha256(expected))

    def test_update_callback(self):
        """
        eventUpdateCallback(0) silences a registered callback; selecting READABLE again resumes the
        transfer to its end.

        :avocado: tags=api:virStreamEventUpdateCallback,api:virStreamEventAddCallback
        """
        open_source, expected = self.readable_source()
        state = self.download_nonblocking(open_source, pause=True)
        self.assertGreater(state["calls"], 0)
        if expected is not None:
            self.assertEqual(bytes(state["data"]), expected)

    def download_nonblocking(self, open_source, pause=False):
        state = {"data": bytearray(), "done": False, "calls": 0, "error": None}

        def on_event(st, events, opaque):
            opaque["calls"] += 1
            if events & ERROR_EVENTS and not events & READABLE:
                opaque["error"] = events
                st.eventRemoveCallback()
                return
            while True:
                got = st.recv(stream.CHUNK)
                if got == -2:
                    return
                if not got:
                    st.eventRemoveCallback()
                    opaque["done"] = True
                    return
                opaque["data"] += got

        st = self.conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
        open_source(st)
        st.eventAddCallback(READABLE | ERROR_EVENTS, on_event, state)
        if pause:
            # With no events selected the callback must stay silent while the loop runs.
            self.assertEqual(st.eventUpdateCallback(0), 0)
            self.loop.run_for(6)
            self.assertEqual(state["calls"], 0, "the callback ran while no events were selected")
            self.assertEqual(st.eventUpdateCallback(READABLE | ERROR_EVENTS), 0)
        finished = self.loop.run_until(lambda: state["done"] or state["error"], 30)
        self.assertTrue(finished, f"download stalled after {len(state['data'])} bytes")
        self.assertIsNone(state["error"], f"stream error event {state['error']}")
        self.assertEqual(st.finish(), 0)
        return state


class StreamEventsSend(StreamTest):
    """
    :avocado: tags=area:stream,cap:stream.events_send
    """

    def test_event_driven_upload(self):
        """
        A non-blocking upload driven by WRITABLE events writes the whole payload; send never blocks
        (it may answer -2, "try again").

        :avocado: tags=api:virStreamNew,api:virStreamEventAddCallback,api:virStreamEventRemoveCallback
        :avocado: tags=api:virStreamSend
        """
        vol = self.volume(2 * MIB)
        payload = os.urandom(2 * MIB)
        state = {"sent": 0, "done": False, "error": None}

        def on_event(st, events, opaque):
            if events & ERROR_EVENTS:
                opaque["error"] = events
                st.eventRemoveCallback()
                return
            while opaque["sent"] < len(payload):
                sent = st.send(payload[opaque["sent"] : opaque["sent"] + stream.CHUNK])
                if sent == -2:
                    return
                opaque["sent"] += sent
            st.eventRemoveCallback()
            opaque["done"] = True

        st = self.conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
        vol.upload(st, 0, len(payload), 0)
        st.eventAddCallback(WRITABLE | ERROR_EVENTS, on_event, state)
        finished = self.loop.run_until(lambda: state["done"] or state["error"], 30)
        self.assertTrue(finished, f"upload stalled after {state['sent']} bytes")
        self.assertIsNone(state["error"], f"stream error event {state['error']}")
        self.assertEqual(st.finish(), 0)
        self.assertEqual(stream.download(self.conn, vol), payload)


class StreamSparse(StreamTest):
    """
    :avocado: tags=area:stream,cap:stream.sparse
    """

    def test_send_hole_recv_hole(self):
        """
        Data, a hole sent with sendHole, and data again come back from a sparse download as the
        same data with recvFlags(STOP_AT_HOLE) stopping at the hole and recvHole giving its length.

        :avocado: tags=api:virStreamSendHole,api:virStreamRecvHole,api:virStreamRecvFlags
        """
        layout = stream.SparseLayout.random()
        vol = self.volume(layout.size)
        up = self.conn.newStream(0)
        vol.upload(up, 0, 0, libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)
        for segment in layout.segments:
            if isinstance(segment, int):
                self.assertEqual(up.sendHole(segment, 0), 0)
            else:
                up.send(segment)
        up.finish()
        down = self.conn.newStream(0)
        vol.download(down, 0, 0, libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)
        got = []
        while True:
            data = down.recvFlags(stream.CHUNK, STOP_AT_HOLE)
            if data == -3:
                got.append(down.recvHole(0))
            elif not data:
                break
            elif got and isinstance(got[-1], bytes):
                got[-1] += data
            else:
                got.append(data)
        down.finish()
        self.assertEqual([type(s) for s in got], [bytes, int, bytes], "expected data, hole, data")
        self.assertEqual(got, layout.segments)

    def test_recv_flags_plain_stream(self):
        """
        On a download that is not sparse, recvFlags(STOP_AT_HOLE) never stops at a hole: the zeros
        come as data.

        :avocado: tags=api:virStreamRecvFlags
        """
        layout = stream.SparseLayout.random()
        vol = self.volume(layout.size)
        up = self.conn.newStream(0)
        vol.upload(up, 0, 0, libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)
        up.sparseSendAll(layout.read, layout.hole, layout.skip, None)
        up.finish()
        down = self.conn.newStream(0)
        vol.download(down, 0, 0, 0)
        parts = []
        while True:
            data = down.recvFlags(stream.CHUNK, STOP_AT_HOLE)
            self.assertNotEqual(data, -3, "a plain download reported a hole")
            if not data:
                break
            parts.append(data)
        down.finish()
        self.assertEqual(b"".join(parts), layout.content())

    def test_sparse_all(self):
        """
        sparseSendAll uploads data and holes from source callbacks; sparseRecvAll hands back the
        same data and holes to sink callbacks.

        :avocado: tags=api:virStreamSparseSendAll,api:virStreamSparseRecvAll
        """
        layout = stream.SparseLayout(
            [os.urandom(4096), 2 * MIB, os.urandom(128 * 1024), MIB, os.urandom(4096)]
        )
        vol = self.volume(layout.size)
        up = self.conn.newStream(0)
        vol.upload(up, 0, 0, libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)
        up.sparseSendAll(layout.read, layout.hole, layout.skip, None)
        up.finish()
        self.assertEqual(layout.pos, layout.size, "sparseSendAll did not walk the whole source")
        sink = stream.SparseSink()
        down = self.conn.newStream(0)
        vol.download(down, 0, 0, libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)
        down.sparseRecvAll(sink.data, sink.hole, None)
        down.finish()
        self.assertEqual(sink.hole_bytes, layout.hole_bytes)
        self.assertEqual(stream.sha256(sink.content()), stream.sha256(layout.content()))
