"""Device hotplug and config changes: disks from a storage volume, NICs on a network, controllers, CD-ROM
media; after each step the live and the persistent XML are read back.

A running QEMU domain with no guest OS completes the unplug of USB and SCSI devices on its own; PCI devices
(virtio disks and NICs) leave only when the guest OS releases them, so those steps need a guest.
"""

import libvirt

from avocado_cert.host import libvirt_errors
from avocado_cert.testing import CertTest
from avocado_cert.testing import domain as dx
from avocado_cert.testing import xmlbuild


def to_xml(element):
    return xmlbuild.to_xml(element)


class DiskDevices(CertTest):
    """
    :avocado: tags=area:domain
    """

    def setUp(self):
        super().setUp()
        self.pool = dx.make_pool(self)
        self.volume = dx.make_volume(self, self.pool)

    def disk(self, target, bus, alias=None):
        return to_xml(
            dx.volume_disk(self.pool.name(), self.volume.name(), target=target, bus=bus, alias=alias)
        )

    def test_disk_config(self):
        """
        A disk attached with CONFIG to an inactive domain is in its definition; a CONFIG detach removes it.

        :avocado: tags=cap:domain.devices
        :avocado: tags=api:virDomainAttachDeviceFlags,api:virDomainDetachDeviceFlags
        """
        dom = dx.define(self, dx.domain_root(self, boot=False))
        disk = self.disk("vdb", "virtio")
        self.assertEqual(dom.attachDeviceFlags(disk, dx.CONFIG), 0)
        found = dx.find_device(dx.config_xml(dom), "disk", target__dev="vdb")
        self.assertIsNotNone(found, "the attached disk is not in the config")
        self.assertEqual(found.find("source").get("volume"), self.volume.name())
        self.assertEqual(dom.detachDeviceFlags(disk, dx.CONFIG), 0)
        self.assertNotIn("vdb", dx.disk_targets(dx.config_xml(dom)))

    def test_disk_hotplug(self):
        """
        attachDevice hotplugs a (USB) disk into a running domain, live only; detachDevice removes it.

        :avocado: tags=cap:domain.devices
        :avocado: tags=api:virDomainAttachDevice,api:virDomainDetachDevice
        """
        dom = dx.define(self, dx.domain_root(self, acpi=True, boot=False))
        dom.create()
        disk = self.disk("sdb", "usb")
        self.assertEqual(dom.attachDevice(disk), 0)
        self.assertIn("sdb", dx.disk_targets(dx.live_xml(dom)))
        self.assertNotIn("sdb", dx.disk_targets(dx.config_xml(dom)), "a live attach reached the config")
        self.assertEqual(dom.detachDevice(disk), 0)
        self.wait_for(lambda: "sdb" not in dx.disk_targets(dx.live_xml(dom)), 10, what="the disk to leave")

    def test_disk_live_and_config(self):
        """
        On a running persistent domain, LIVE|CONFIG attaches a disk to both definitions; a CONFIG detach
        removes it from the persistent one only, a LIVE detach from the running one.

        :avocado: tags=cap:domain.devices
        :avocado: tags=api:virDomainAttachDeviceFlags,api:virDomainDetachDeviceFlags
        """
        dom = dx.define(self, dx.domain_root(self, acpi=True, boot=False))
        dom.create()
        disk = self.disk("sdc", "usb")
        self.assertEqual(dom.attachDeviceFlags(disk, dx.LIVE | dx.CONFIG), 0)
        self.assertIn("sdc", dx.disk_targets(dx.live_xml(dom)))
        self.assertIn("sdc", dx.disk_targets(dx.config_xml(dom)))
        self.assertEqual(dom.detachDeviceFlags(disk, dx.CONFIG), 0)
        self.assertNotIn("sdc", dx.disk_targets(dx.config_xml(dom)))
        self.assertIn("sdc", dx.disk_targets(dx.live_xml(dom)), "a CONFIG detach removed the live disk")
        self.assertEqual(dom.detachDeviceFlags(disk, dx.LIVE), 0)
        self.wait_for(lambda: "sdc" not in dx.disk_targets(dx.live_xml(dom)), 10, what="the disk to leave")

    def test_detach_by_alias(self):
        """
        detachDeviceAlias removes the device with that user alias: from the config (CONFIG) and, once the
        hypervisor reports the removal, from the running domain (LIVE, asynchronous).

        :avocado: tags=cap:domain.devices
        :avocado: tags=api:virDomainDetachDeviceAlias,api:virDomainAttachDeviceFlags
        """
        alias = dx.user_alias()
        root = dx.domain_root(self, acpi=True, boot=False)
        dx.add_device(root, dx.scsi_controller())
        dx.add_device(root, dx.volume_disk(self.pool.name(), self.volume.name(), "sda", "scsi", alias))
        dom = dx.define(self, root)
        self.assertEqual(dom.detachDeviceAlias(alias, dx.CONFIG), 0)
        self.assertNotIn("sda", dx.disk_targets(dx.config_xml(dom)))
        dom.create()
        live_alias = dx.user_alias()
        self.assertEqual(dom.attachDeviceFlags(self.disk("sdb", "scsi", live_alias), dx.LIVE), 0)
        self.assertIn("sdb", dx.disk_targets(dx.live_xml(dom)))
        self.assertEqual(dom.detachDeviceAlias(live_alias, dx.LIVE), 0)
        self.wait_for(
            lambda: "sdb" not in dx.disk_targets(dx.live_xml(dom)), 10, what="the SCSI disk to leave"
        )

    def test_pci_disk_unplug(self):
        """
        A hotplugged virtio (PCI) disk leaves the running domain on a LIVE detach.

        :avocado: tags=cap:domain.devices_unplug_pci
        :avocado: tags=api:virDomainAttachDeviceFlags,api:virDomainDetachDeviceFlags
        """
        # The guest OS releases the device: it must be up (its shell answering) before the request.
        dom = self.running_guest("a PCI device leaves only when the guest OS releases it").dom
        disk = self.disk("vdc", "virtio")
        self.assertEqual(dom.attachDeviceFlags(disk, dx.LIVE), 0)
        self.assertIn("vdc", dx.disk_targets(dx.live_xml(dom)))
        self.assertEqual(dom.detachDeviceFlags(disk, dx.LIVE), 0)
        self.wait_for(
            lambda: "vdc" not in dx.disk_targets(dx.live_xml(dom)), 30, what="the virtio disk to leave"
        )

    def test_cdrom_media(self):
        """
        updateDeviceFlags changes an active domain's CD-ROM medium (LIVE), config untouched; then ejects it.

        :avocado: tags=cap:domain.devices
        :avocado: tags=api:virDomainUpdateDeviceFlags
        """
        root = dx.add_device(dx.domain_root(self, boot=False), dx.cdrom())
        dom = dx.define(self, root)
        # Paused from the start, the firmware cannot lock the tray while the medium changes.
        try:
            dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
        except libvirt.libvirtError as err:
            if not libvirt_errors.unsupported_flags(err):
                raise
            dom.create()
            dom.suspend()

        def medium(xml_root):
            drive = dx.find_device(xml_root, "disk", target__dev="hdc")
            source = drive.find("source")
            return None if source is None else source.get("file")

        path = self.volume.path()
        self.assertEqual(dom.updateDeviceFlags(to_xml(dx.cdrom(path)), dx.LIVE), 0)
        self.assertEqual(medium(dx.live_xml(dom)), path)
        self.assertIsNone(medium(dx.config_xml(dom)), "a LIVE medium change reached the config")
        self.assertEqual(dom.updateDeviceFlags(to_xml(dx.cdrom()), dx.LIVE), 0)
        self.assertIsNone(medium(dx.live_xml(dom)), "the medium was not ejected")


class NetworkDevices(CertTest):
    """
    :avocado: tags=area:domain
    """

    def setUp(self):
        super().setUp()
        self.network = dx.make_network(self)

    def nic(self, mac, link=None):
        return to_xml(dx.network_interface(self.network.name(), mac=mac, link=link))

    def test_interface_attach(self):
        """
        A NIC attached LIVE|CONFIG to a running domain is in both definitions; a CONFIG detach removes it
        from the persistent one only.

        :avocado: tags=cap:domain.devices
        :avocado: tags=api:virDomainAttachDeviceFlags,api:virDomainDetachDeviceFlags
        """
        dom = dx.define(self, dx.domain_root(self, acpi=True, boot=False))
        dom.create()
        mac = dx.random_mac()
        self.assertEqual(dom.attachDeviceFlags(self.nic(mac), dx.LIVE | dx.CONFIG), 0)
        live = dx.find_device(dx.live_xml(dom), "interface", mac__address=mac)
        self.assertIsNotNone(live, "the NIC is not in the live XML")
        self.assertEqual(live.find("source").get("network"), self.network.name())
        self.assertIn(mac, dx.interface_macs(dx.config_xml(dom)))
        self.assertEqual(dom.detachDeviceFlags(self.nic(mac), dx.CONFIG), 0)
        self.assertNotIn(mac, dx.interface_macs(dx.config_xml(dom)))
        self.assertIn(mac, dx.interface_macs(dx.live_xml(dom)), "a CONFIG detach removed the live NIC")

    def test_interface_unplug(self):
        """
        A hotplugged (PCI) NIC leaves the running domain on a LIVE detach.

        :avocado: tags=cap:domain.devices_unplug_pci
        :avocado: tags=api:virDomainAttachDeviceFlags,api:virDomainDetachDeviceFlags
        """
        dom = self.running_guest("a PCI device leaves only when the guest OS releases it").dom
        mac = dx.random_mac()
        self.assertEqual(dom.attachDeviceFlags(self.nic(mac), dx.LIVE), 0)
        self.assertIn(mac, dx.interface_macs(dx.live_xml(dom)))
        self.assertEqual(dom.detachDeviceFlags(self.nic(mac), dx.LIVE), 0)
        self.wait_for(lambda: mac not in dx.interface_macs(dx.live_xml(dom)), 30, what="the NIC to leave")

    def test_link_state(self):
        """
        updateDeviceFlags sets a NIC's link down on the running domain (LIVE) and in the config (CONFIG),
        each only where asked.

        :avocado: tags=cap:domain.devices
        :avocado: tags=api:virDomainUpdateDeviceFlags
        """
        mac = dx.random_mac()
        root = dx.add_device(
            dx.domain_root(self, boot=False), dx.network_interface(self.network.name(), mac=mac)
        )
        dom = dx.define(self, root)
        dom.create()

        def link(xml_root):
            element = dx.find_device(xml_root, "interface", mac__address=mac).find("link")
            return "up" if element is None else element.get("state")

        self.assertEqual(dom.updateDeviceFlags(self.nic(mac, link="down"), dx.LIVE), 0)
        self.assertEqual(link(dx.live_xml(dom)), "down")
        self.assertEqual(link(dx.config_xml(dom)), "up", "a LIVE update reached the config")
        self.assertEqual(dom.updateDeviceFlags(self.nic(mac, link="down"), dx.CONFIG), 0)
        self.assertEqual(link(dx.config_xml(dom)), "down")
        self.assertEqual(dom.updateDeviceFlags(self.nic(mac, link="up"), dx.LIVE), 0)
        self.assertEqual(link(dx.live_xml(dom)), "up")
        self.assertEqual(link(dx.config_xml(dom)), "down", "a LIVE update reached the config")


class ControllerDevices(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.devices
    """

    @staticmethod
    def scsi_controllers(xml_root):
        return [c.get("model") for c in xml_root.iterfind("devices/controller[@type='scsi']")]

    def test_controller(self):
        """
        A SCSI controller attached with CONFIG is in the definition and leaves on a CONFIG detach; hotplugged
        LIVE, it is in the running domain only.

        :avocado: tags=api:virDomainAttachDeviceFlags,api:virDomainDetachDeviceFlags
        """
        dom = dx.define(self, dx.domain_root(self, acpi=True, boot=False))
        controller = to_xml(dx.scsi_controller(index=0))
        self.assertEqual(dom.attachDeviceFlags(controller, dx.CONFIG), 0)
        self.assertEqual(self.scsi_controllers(dx.config_xml(dom)), ["virtio-scsi"])
        self.assertEqual(dom.detachDeviceFlags(controller, dx.CONFIG), 0)
        self.assertEqual(self.scsi_controllers(dx.config_xml(dom)), [])
        dom.create()
        self.assertEqual(dom.attachDeviceFlags(controller, dx.LIVE), 0)
        self.assertEqual(self.scsi_controllers(dx.live_xml(dom)), ["virtio-scsi"])
        self.assertEqual(self.scsi_controllers(dx.config_xml(dom)), [], "a LIVE attach reached the config")
