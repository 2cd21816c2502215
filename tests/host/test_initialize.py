"""virInitialize: the library initializes once, however many threads ask at the same time, and
connections opened by those threads afterwards work."""

import threading

import libvirt

from avocado_cert.host import connect
from avocado_cert.testing import CertTest

THREADS = 8


class Initialize(CertTest):
    """
    :avocado: tags=area:host,cap:host.library_init
    """

    def test_initialize_threads(self):
        """
        virInitialize returns 0 in each of several threads calling it at once (as documented before
        competing threads open connections), and each thread then opens a working connection.

        :avocado: tags=api:virInitialize
        """
        start = threading.Barrier(THREADS)
        results = {}

        def worker(index):
            start.wait(10)
            try:
                results[index] = [libvirt.virInitialize()]
                conn = connect.open_uri(self.uri)
                try:
                    results[index].append(conn.getURI())
                finally:
                    conn.close()
            except libvirt.libvirtError as err:
                results[index] = err

        threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(sorted(results), list(range(THREADS)), "some threads did not finish")
        errors = {i: r for i, r in results.items() if isinstance(r, libvirt.libvirtError)}
        self.assertEqual(errors, {})
        self.assertEqual({tuple(r) for r in results.values()}, {(0, self.conn.getURI())})
        self.assertEqual(libvirt.virInitialize(), 0, "a second initialization failed")
