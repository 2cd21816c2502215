"""Connection and host queries: what a client learns about the driver and the host it manages."""

import libvirt

from avocado_cert.testing import CertTest


class Connection(CertTest):
    """
    :avocado: tags=area:host
    """

    def test_identity(self):
        """
        The connection names its driver, its versions and its URI, and is alive.

        :avocado: tags=cap:host.connection,api:virConnectGetType,api:virConnectGetVersion
        :avocado: tags=api:virConnectGetLibVersion,api:virConnectGetURI,api:virConnectIsAlive
        :avocado: tags=api:virGetVersion,api:virConnectOpen
        """
        driver_type = self.conn.getType()
        self.assertTrue(driver_type, "virConnectGetType returned an empty name")
        expected = self.param("expected_type")
        if expected:
            self.assertEqual(driver_type.upper(), str(expected).upper())
        lib = self.conn.getLibVersion()
        self.assertGreaterEqual(lib, 1000000, f"implausible daemon version {lib}")
        if self.uri.startswith("test://"):
            self.assertEqual(lib, libvirt.getVersion(), "in-process driver and library disagree")
        self.assertGreaterEqual(self.conn.getVersion(), 0)
        uri = self.conn.getURI()
        self.assertTrue(uri, "virConnectGetURI returned nothing")
        if "://" in self.uri and "+" not in self.uri.split("://")[0]:
            self.assertEqual(uri.split("?")[0].rstrip("/"), self.uri.split("?")[0].rstrip("/"))
        self.assertEqual(self.conn.isAlive(), 1)

    def test_close(self):
        """
        A second connection closes on its own; the first one stays usable.

        :avocado: tags=cap:host.connection,api:virConnectClose,api:virConnectOpen
        """
        try:
            other = libvirt.open(self.uri)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_AUTH_FAILED:
                # virConnectOpen offers no credential callback: a transport that asks for credentials
                # (SASL) refuses it by design; virConnectOpenAuth is certified by test_open_auth.
                self.skip_because(f"this transport needs credentials virConnectOpen cannot give: {err}")
            raise
        self.assertEqual(other.isAlive(), 1)
        self.assertEqual(other.close(), 0, "virConnectClose: references remain on a fresh connection")
        self.assertEqual(self.conn.isAlive(), 1, "closing one connection affected another")

    def test_read_only_open(self):
        """
        A read-only connection reads the same host and refuses to define objects.

        :avocado: tags=cap:host.connection,api:virConnectOpenReadOnly
        """
        readonly = self.open_connection(readonly=True)
        try:
            self.assertEqual(readonly.getType(), self.conn.getType())
            self.assertEqual(readonly.getHostname(), self.conn.getHostname())
            self.expect_error(libvirt.VIR_ERR_OPERATION_DENIED, readonly.defineXML, self.domain_xml())
        finally:
            readonly.close()


class HostInfo(CertTest):
    """
    :avocado: tags=area:host
    """

    def test_node_info(self):
        """
        virNodeGetInfo and the capabilities XML describe the same host.

        :avocado: tags=cap:host.info,api:virNodeGetInfo,api:virConnectGetCapabilities
        """
        model, memory_mib, cpus, _mhz, nodes, sockets, cores, threads = self.conn.getInfo()
        self.assertTrue(model, "no CPU model")
        self.assertGreater(memory_mib, 0)
        self.assertGreater(cpus, 0)
        self.assertGreaterEqual(cpus, 1)
        self.assertGreater(nodes * sockets * cores * threads, 0)
        from avocado_cert.base import xmlsafe  # pylint: disable=import-outside-toplevel

        caps = xmlsafe.fromstring(self.conn.getCapabilities(), "capabilities XML")
        self.assertEqual(caps.tag, "capabilities")
        self.assertTrue(caps.findtext("host/cpu/arch"), "capabilities name no host arch")
        cells = caps.findall("host/topology/cells/cell")
        if cells:
            listed = len(caps.findall("host/topology/cells/cell/cpus/cpu"))
            self.assertEqual(listed, cpus, "capabilities list a different number of CPUs than virNodeGetInfo")

    def test_hostname(self):
        """
        The host has a name.

        :avocado: tags=cap:host.info,api:virConnectGetHostname
        """
        self.assertTrue(self.conn.getHostname().strip(), "empty host name")

    def test_free_memory(self):
        """
        Free memory is positive and no more than the host's memory.

        :avocado: tags=cap:host.info,api:virNodeGetFreeMemory
        """
        free = self.conn.getFreeMemory()
        total_bytes = self.conn.getInfo()[1] * 1024 * 1024
        self.assertGreater(free, 0)
        self.assertLessEqual(free, total_bytes * 1.01)

    def test_max_vcpus(self):
        """
        The driver states a maximum number of vCPUs per guest.

        :avocado: tags=cap:host.info,api:virConnectGetMaxVcpus
        """
        self.assertGreater(self.conn.getMaxVcpus(None), 0)
