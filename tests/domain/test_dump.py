"""Core dumps: a file of the format asked appears, and the domain is left as the flags say."""

import os

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import Runtime

ELF_MAGIC = b"\x7fELF"
# kdump-compressed files: the diskdump header, or makedumpfile's flattened form of it.
KDUMP_MAGICS = (b"KDUMP   ", b"makedumpfile")


class CoreDumpTest(CertTest):
    """
    :avocado: tags=area:domain
    """

    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)

    def dump_file(self, name):
        path = self.rt.scratch_file(name)
        self.assertFalse(os.path.exists(path))
        return path

    def read_head(self, path, size=16):
        self.assertTrue(os.path.isfile(path), f"no dump at {path}")
        self.assertGreater(os.path.getsize(path), 0, "the dump is empty")
        with open(path, "rb") as stream:
            return stream.read(size)

    def test_core_dump(self):
        """
        coreDump writes a non-empty file and leaves the domain running.

        :avocado: tags=cap:domain.core_dump,api:virDomainCoreDump
        """
        dom, _facts = self.rt.domain(memory_kib=65536)
        path = self.dump_file("domain.core")
        self.assertEqual(dom.coreDump(path, 0), 0)
        self.read_head(path)
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING, "after a dump without DUMP_CRASH")

    def test_core_dump_crash(self):
        """
        coreDump with DUMP_CRASH writes the dump and then stops the domain (shut off, reason CRASHED).

        :avocado: tags=cap:domain.core_dump,api:virDomainCoreDump
        """
        dom, _facts = self.rt.domain(memory_kib=65536)
        path = self.dump_file("crash.core")
        self.assertEqual(dom.coreDump(path, libvirt.VIR_DUMP_CRASH), 0)
        self.read_head(path)
        self.assertEqual(dom.state(), [libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_CRASHED])

    def test_core_dump_inactive(self):
        """
        Dumping a domain that is not running is refused with VIR_ERR_OPERATION_INVALID.

        :avocado: tags=cap:domain.core_dump,api:virDomainCoreDump
        """
        dom, _facts = self.rt.domain(start=False)
        self.expect_error(
            libvirt.VIR_ERR_OPERATION_INVALID, dom.coreDump, self.rt.scratch_file("none.core"), 0
        )

    def test_memory_only_elf(self):
        """
        coreDumpWithFormat RAW with DUMP_MEMORY_ONLY writes an ELF core of the guest's memory.

        :avocado: tags=cap:domain.core_dump_formats,api:virDomainCoreDumpWithFormat
        """
        dom, _facts = self.rt.domain(memory_kib=65536)
        path = self.dump_file("memory.elf")
        self.rt.call_flags(
            "coreDumpWithFormat(RAW, MEMORY_ONLY)",
            dom.coreDumpWithFormat,
            path,
            libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_RAW,
            libvirt.VIR_DUMP_MEMORY_ONLY,
        )
        self.assertEqual(self.read_head(path, 4), ELF_MAGIC, "a memory-only RAW dump is not an ELF file")
        self.assertGreaterEqual(
            os.path.getsize(path), 65536 * 1024, "the ELF core is smaller than guest memory"
        )
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)

    def test_kdump_zlib(self):
        """
        coreDumpWithFormat KDUMP_ZLIB writes a kdump-compressed file.

        :avocado: tags=cap:domain.core_dump_formats,api:virDomainCoreDumpWithFormat
        """
        dom, _facts = self.rt.domain(memory_kib=65536)
        path = self.dump_file("memory.kdump")
        try:
            self.rt.call_flags(
                "coreDumpWithFormat(KDUMP_ZLIB, MEMORY_ONLY)",
                dom.coreDumpWithFormat,
                path,
                libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
                libvirt.VIR_DUMP_MEMORY_ONLY,
            )
        except libvirt.libvirtError as err:
            # How drivers say the format is not built in: OPERATION_UNSUPPORTED, or INVALID_ARG from QEMU.
            if err.get_error_code() == libvirt.VIR_ERR_OPERATION_UNSUPPORTED or (
                err.get_error_code() == libvirt.VIR_ERR_INVALID_ARG and "unsupported dumpformat" in str(err)
            ):
                self.unsupported(err.get_error_message())
            raise
        head = self.read_head(path, 16)
        self.assertTrue(head.startswith(KDUMP_MAGICS), f"not a kdump-compressed file: {head!r}")
