"""Volume content through streams: upload, download, ranges and sparse transfers."""

import os

import libvirt

from avocado_cert.testing import CertTest, hostside, storage, stream
from avocado_cert.testing.storage import MIB


class VolumeTransfer(CertTest):
    """
    :avocado: tags=area:storage,cap:storage.volume_transfer
    """

    def setUp(self):
        super().setUp()
        self.pool, self.spec = storage.make_pool(self)

    def test_upload_download(self):
        """
        Random bytes uploaded into a volume download back with the same SHA-256.

        :avocado: tags=api:virStorageVolUpload,api:virStorageVolDownload
        """
        vol = storage.make_volume(self, self.pool, 2 * MIB)
        payload = os.urandom(2 * MIB)
        stream.upload(self.conn, vol, payload)
        got = stream.download(self.conn, vol)
        self.assertEqual(len(got), 2 * MIB)
        self.assertEqual(stream.sha256(got), stream.sha256(payload))

    def test_ranges(self):
        """
        An upload at an offset changes only that range; a download of a range returns only it.

        :avocado: tags=api:virStorageVolUpload,api:virStorageVolDownload
        """
        vol = storage.make_volume(self, self.pool, MIB)
        stream.upload(self.conn, vol, b"\0" * MIB)
        piece = os.urandom(8192)
        stream.upload(self.conn, vol, piece, offset=4096)
        whole = stream.download(self.conn, vol)
        self.assertEqual(whole[:4096], b"\0" * 4096)
        self.assertEqual(whole[4096 : 4096 + 8192], piece)
        self.assertEqual(whole[4096 + 8192 :], b"\0" * (MIB - 4096 - 8192))
        self.assertEqual(stream.download(self.conn, vol, offset=4096, length=8192), piece)

    def test_upload_beyond_length(self):
        """
        Sending more than the announced length is refused and the volume keeps its capacity.

        :avocado: tags=api:virStorageVolUpload
        """
        vol = storage.make_volume(self, self.pool, MIB)
        st = self.conn.newStream(0)
        vol.upload(st, 0, 4096, 0)
        try:
            st.send(os.urandom(4096 * 4))
            st.finish()
        except libvirt.libvirtError as err:
            self.log.info("refused as expected: %s", err)
        else:
            self.fail("sending 16 KiB into a 4 KiB upload was accepted")
        self.assertEqual(vol.info()[1], MIB)

    def test_sparse_upload_download(self):
        """
        A sparse upload keeps the hole (the volume's allocation stays below its size) and a sparse
        download gives back the same data and hole.

        :avocado: tags=api:virStorageVolUpload,api:virStorageVolDownload
        """
        layout = stream.SparseLayout.random()
        vol = storage.make_volume(self, self.pool, layout.size)
        st = self.conn.newStream(0)
        vol.upload(st, 0, 0, libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)
        st.sparseSendAll(layout.read, layout.hole, layout.skip, None)
        st.finish()
        _type, capacity, allocation = vol.info()
        self.assertEqual(capacity, layout.size)
        self.assertLess(allocation, layout.size, "the hole was written out as data")
        if hostside.shares_host(self.uri, self.driver):
            self.assertLess(hostside.allocated_bytes(vol.path()), layout.size)
        sink = stream.SparseSink()
        st = self.conn.newStream(0)
        vol.download(st, 0, 0, libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)
        st.sparseRecvAll(sink.data, sink.hole, None)
        st.finish()
        self.assertEqual(stream.sha256(sink.content()), stream.sha256(layout.content()))
        self.assertEqual(sink.hole_bytes, layout.hole_bytes, "the download did not report the hole")
        self.assertEqual(stream.download(self.conn, vol), layout.content(), "plain download differs")


class VolumeTransferBounds(CertTest):
    """
    :avocado: tags=area:storage,cap:storage.volume_transfer_bounds
    """

    def test_upload_past_end(self):
        """
        An upload whose offset and length pass the volume's end fails (virStorageVolUpload: "This
        call will fail if offset + length exceeds the size of the volume") and the volume keeps its size.

        :avocado: tags=api:virStorageVolUpload
        """
        pool, _spec = storage.make_pool(self)
        vol = storage.make_volume(self, pool, MIB)
        st = self.conn.newStream(0)
        try:
            vol.upload(st, MIB - 4096, 8192, 0)
            st.send(os.urandom(8192))
            st.finish()
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT:
                raise
            self.log.info("refused as documented: %s", err)
            refused = True
        else:
            refused = False
        capacity = vol.info()[1]
        self.assertTrue(
            refused,
            f"an upload of 8 KiB at {MIB - 4096} into a 1 MiB volume was accepted "
            f"(the volume is now {capacity} bytes)",
        )
        self.assertEqual(capacity, MIB)
