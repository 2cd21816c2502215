"""Device hot-plug as the guest sees it: a disk or a NIC attached live appears in the guest, and is
gone from it after a live detach (which the guest acknowledges over ACPI)."""

import os
import shutil

import libvirt

from avocado_cert.base import naming, xmlsafe
from avocado_cert.testing import CertTest, guestdevices, xmlbuild

LIVE = libvirt.VIR_DOMAIN_AFFECT_LIVE
DISK_BYTES = 16 * 1024 * 1024
SCRATCH_ROOT = "/var/tmp"
# Lists "<block device> <serial>" for every virtio disk the guest has.
DISK_SERIALS = "for d in /sys/block/vd*; do [ -e $d/serial ] && echo ${d##*/} $(cat $d/serial); done; true"
NIC_MACS = "cat /sys/class/net/*/address"


class GuestHotplug(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.guest_hotplug
    """

    def _scratch_file(self, size):
        folder = os.path.join(SCRATCH_ROOT, naming.unique("guest"))
        os.makedirs(folder, mode=0o755)
        self.objects.on_cleanup(f"folder {folder}", shutil.rmtree, folder, True)
        path = os.path.join(folder, "disk.raw")
        with open(path, "wb") as image:
            image.truncate(size)
        return path

    @staticmethod
    def _disks(guest):
        """serial -> block device name, as the guest kernel lists its virtio disks."""
        lines = [line.split() for line in guest.check(DISK_SERIALS).splitlines()]
        return {fields[1]: fields[0] for fields in lines if len(fields) == 2}

    @staticmethod
    def _device_in_xml(dom, tag, path, value):
        root = xmlsafe.fromstring(dom.XMLDesc(0))
        return any(dev.get(path[1]) == value for dev in root.iterfind(f"devices/{tag}/{path[0]}"))

    def test_disk(self):
        """
        A virtio disk attached live shows up in the guest with its serial and size; after a live
        detach the guest no longer has it, nor does the live definition.

        :avocado: tags=api:virDomainAttachDeviceFlags,api:virDomainDetachDeviceFlags
        """
        guest = self.running_guest("the guest lists its disks")
        self.assertEqual(self._disks(guest), {}, "the guest starts with no disk")
        path = self._scratch_file(DISK_BYTES)
        disk = guestdevices.disk(path, target="vdb")
        serial = disk.findtext("serial")
        self.assertEqual(guest.dom.attachDeviceFlags(xmlbuild.to_xml(disk), LIVE), 0)
        self.assertTrue(
            self._device_in_xml(guest.dom, "disk", ("source", "file"), path), "disk in the live XML"
        )
        name = self.wait_for(
            lambda: self._disks(guest).get(serial), 60, what=f"the guest to see disk {serial}"
        )
        sectors = guest.read_int(f"cat /sys/block/{name}/size")
        self.assertEqual(sectors * 512, DISK_BYTES, "size of the disk in the guest")
        self.assertEqual(guest.dom.detachDeviceFlags(xmlbuild.to_xml(disk), LIVE), 0)
        self.wait_for(lambda: serial not in self._disks(guest), 60, what=f"disk {serial} to leave the guest")
        self.wait_for(
            lambda: not self._device_in_xml(guest.dom, "disk", ("source", "file"), path),
            30,
            step=0.2,
            what="the disk to leave the live XML",
        )

    def test_interface(self):
        """
        A virtio NIC attached to a running domain shows up in the guest with its MAC; after detach
        the guest no longer has it, nor does the live definition.

        :avocado: tags=api:virDomainAttachDevice,api:virDomainDetachDevice
        """
        guest = self.running_guest("the guest lists its NICs")
        nic = guestdevices.interface()
        mac = nic.find("mac").get("address")
        self.assertNotIn(mac, guest.check(NIC_MACS))
        self.assertEqual(guest.dom.attachDevice(xmlbuild.to_xml(nic)), 0)
        self.assertTrue(
            self._device_in_xml(guest.dom, "interface", ("mac", "address"), mac), "NIC in the live XML"
        )
        self.wait_for(lambda: mac in guest.check(NIC_MACS), 60, what=f"the guest to see NIC {mac}")
        self.assertEqual(guest.dom.detachDevice(xmlbuild.to_xml(nic)), 0)
        self.wait_for(lambda: mac not in guest.check(NIC_MACS), 60, what=f"NIC {mac} to leave the guest")
        self.wait_for(
            lambda: not self._device_in_xml(guest.dom, "interface", ("mac", "address"), mac),
            30,
            step=0.2,
            what="the NIC to leave the live XML",
        )
