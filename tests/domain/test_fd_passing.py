"""File descriptors a client hands to a domain: virDomainFDAssociate gives QEMU a disk image through
an fd group for as long as the associating connection lives; createWithFiles starts a domain with
files for its init (container drivers)."""

import os

import libvirt

from avocado_cert.testing import CertTest, domainio
from avocado_cert.testing.runtime import Runtime

MIB = 1024 * 1024
IMAGE_BYTES = 3 * MIB


class FDPassingTest(CertTest):
    """
    :avocado: disable
    """

    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)
        if not domainio.over_local_socket(self.uri):
            self.skip_because("file descriptors pass only over a local UNIX socket (or in-process)")

    def open_fd(self, path, flags):
        fd = os.open(path, flags)
        self.objects.on_cleanup(f"fd {fd}", os.close, fd)
        return fd

    def pipe_end(self):
        read_end, write_end = os.pipe()
        self.objects.on_cleanup("pipe", lambda: [os.close(fd) for fd in (read_end, write_end)])
        return read_end


class FDAssociate(FDPassingTest):
    """
    :avocado: tags=area:domain,cap:domain.fd_associate
    """

    def test_fd_group_disk(self):
        """
        A disk whose source names an fd group starts only while that group is associated: FDs
        associated on a connection that has since closed are gone (start refused with
        VIR_ERR_INVALID_ARG); associated on the test's connection, the domain starts and the disk has
        the size of the file behind the FD, though its path does not exist. An empty fd list is refused.

        :avocado: tags=api:virDomainFDAssociate
        """
        image = self.rt.scratch_file("behind-the-fd.img")
        with open(image, "wb") as out:
            out.truncate(IMAGE_BYTES)
        absent = self.rt.scratch_file("never-created.img")
        group = self.objects.name("fdg")
        xml, _facts = self.rt.domain_xml()
        try:
            dom = self.objects.define_domain(domainio.with_fd_disk(xml, absent, group, target="vda"))
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_CONFIG_UNSUPPORTED:
                self.unsupported(f"the driver takes no fd group disks: {err.get_error_message()}")
            raise
        fd = self.open_fd(image, os.O_RDWR)
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, dom.FDAssociate, group, [], 0)
        other = self.open_connection()
        try:
            self.assertEqual(other.lookupByUUIDString(dom.UUIDString()).FDAssociate(group, [fd], 0), 0)
        finally:
            other.close()
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, dom.create)
        self.assert_state(dom, libvirt.VIR_DOMAIN_SHUTOFF, "after a start with no fd group")
        flags = libvirt.VIR_DOMAIN_FD_ASSOCIATE_SECLABEL_WRITABLE
        self.assertEqual(dom.FDAssociate(group, [fd], flags), 0)
        dom.create()
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)
        self.assertFalse(os.path.exists(absent))
        source = self.rt.xml_of(dom).find("devices/disk/target[@dev='vda']/../source")
        self.assertEqual(source.get("fdgroup"), group)
        stats = self.rt.stats_group(libvirt.VIR_DOMAIN_STATS_BLOCK, [dom])[dom.UUIDString()]
        self.assertEqual(stats.get("block.0.capacity"), IMAGE_BYTES, f"disk stats: {stats}")


class CreateWithFiles(FDPassingTest):
    """
    :avocado: tags=area:domain,cap:domain.start_with_files
    """

    def test_create_with_files(self):
        """
        createWithFiles starts a defined domain, handing it the files given (none, or one pipe end):
        it runs, reason BOOTED, each time.

        :avocado: tags=api:virDomainCreateWithFiles
        """
        dom, _facts = self.rt.domain(start=False)
        self.assertEqual(dom.createWithFiles([], 0), 0)
        self.assertEqual(dom.state(), [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_BOOTED])
        dom.destroy()
        read_end = self.pipe_end()
        self.assertEqual(dom.createWithFiles([read_end], 0), 0)
        self.assertEqual(dom.state(), [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_BOOTED])


class CreateWithFilesPaused(FDPassingTest):
    """
    :avocado: tags=area:domain,cap:domain.create_with_files
    """

    def test_create_with_files_paused(self):
        """
        createWithFiles with VIR_DOMAIN_START_PAUSED starts the domain with its CPUs paused.

        :avocado: tags=api:virDomainCreateWithFiles
        """
        dom, _facts = self.rt.domain(start=False)
        self.rt.call_flags(
            "createWithFiles(START_PAUSED)",
            dom.createWithFiles,
            [self.pipe_end()],
            libvirt.VIR_DOMAIN_START_PAUSED,
        )
        self.assert_state(dom, libvirt.VIR_DOMAIN_PAUSED)
        dom.resume()
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)
