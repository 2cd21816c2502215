"""Screenshots: a stream delivers an image of the display, in the format its MIME type names."""

import io

import libvirt
from PIL import Image

from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import Runtime

# Pillow's format name for each MIME type a driver may send.
FORMATS = {"image/png": "PNG", "image/x-portable-pixmap": "PPM", "image/jpeg": "JPEG"}


class DomainScreenshot(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.screenshot
    """

    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)

    def screenshot(self, dom, screen=0):
        stream = self.conn.newStream(0)
        try:
            mime = dom.screenshot(stream, screen, 0)
            chunks = []
            stream.recvAll(lambda _st, data, _opaque: chunks.append(data) or 0, None)
            stream.finish()
        except libvirt.libvirtError:
            stream.abort()
            raise
        return mime, b"".join(chunks)

    def decode(self, mime, data):
        self.assertIn(mime, FORMATS, f"unexpected MIME type {mime}")
        self.assertGreater(len(data), 0, "the stream delivered no bytes")
        image = Image.open(io.BytesIO(data))
        image.load()
        self.assertEqual(
            image.format, FORMATS[mime], f"the image is {image.format}, the MIME type says {mime}"
        )
        return image

    def test_screenshot(self):
        """
        screenshot delivers on the stream an image of the MIME type it returns, of the display's size.

        :avocado: tags=api:virDomainScreenshot
        """
        dom, _facts = self.rt.domain(graphics=True)
        sizes = []

        def settled():
            # A display that is still being set up changes mode; two shots of one size are its size.
            image = self.decode(*self.screenshot(dom))
            self.log.info("screenshot: %s %dx%d", image.format, *image.size)
            sizes.append(image.size)
            return image if len(sizes) > 1 and sizes[-1] == sizes[-2] else None

        image = self.wait_for(settled, 30, step=0.5, what="two screenshots of the same size")
        width, height = image.size
        self.assertGreater(width, 0)
        self.assertGreater(height, 0)
