"""Node devices: listing with filters, lookups, XML, parents and capabilities, and the operations that
change the host's devices (vHBA, mediated devices, PCI detach) where the host has the hardware."""

import libvirt

from avocado_cert.testing import CertTest, expect, nodedev


class NodeDeviceQueries(CertTest):
    """
    :avocado: tags=area:nodedev,cap:nodedev.query
    """

    def _all(self):
        devices = self.conn.listAllDevices(0)
        self.assertTrue(devices, "the host lists no node device at all")
        return {dev.name(): dev for dev in devices}

    def test_list_agrees(self):
        """
        virConnectListAllNodeDevices, virNodeListDevices and virNodeNumOfDevices name the same devices.

        :avocado: tags=api:virConnectListAllNodeDevices,api:virNodeListDevices,api:virNodeNumOfDevices
        :avocado: tags=api:virNodeDeviceGetName
        """
        names = set(self._all())
        listed = self.conn.listDevices(None, 0)
        self.assertEqual(len(listed), len(set(listed)), f"virNodeListDevices repeats names: {listed}")
        self.assertEqual(set(listed), names)
        self.assertEqual(self.conn.numOfDevices(None, 0), len(names))

    def test_capability_filters(self):
        """
        Each capability filter lists exactly the devices having that capability, and the per-capability
        virNodeNumOfDevices/virNodeListDevices agree with it.

        :avocado: tags=api:virConnectListAllNodeDevices,api:virNodeListDevices,api:virNodeNumOfDevices
        :avocado: tags=api:virNodeDeviceListCaps
        """
        devices = self._all()
        caps_xml = {name: nodedev.all_capabilities(nodedev.parse(dev)) for name, dev in devices.items()}
        caps_api = {name: set(dev.listCaps()) for name, dev in devices.items()}
        seen = 0
        for flag_name, flag, cap in nodedev.capability_filters():
            filtered = {dev.name() for dev in self.conn.listAllDevices(flag)}
            self.assertLessEqual(filtered, set(devices), f"{flag_name} lists unknown devices")
            for name in filtered:
                self.assertIn(cap, caps_xml[name], f"{flag_name} lists {name}, whose XML has no {cap}")
            for name, caps in caps_api.items():
                if cap in caps:
                    self.assertIn(name, filtered, f"{name} lists capability {cap}, but {flag_name} omits it")
            old = self.conn.listDevices(cap, 0)
            self.assertEqual(set(old), filtered, f"virNodeListDevices('{cap}') disagrees with {flag_name}")
            self.assertEqual(self.conn.numOfDevices(cap, 0), len(filtered), f"virNodeNumOfDevices('{cap}')")
            seen += len(filtered)
        self.assertGreater(seen, 0, "no filter matched any device")
        everything = 0
        for _name, flag, _cap in nodedev.capability_filters():
            everything |= flag
        self.assertEqual({d.name() for d in self.conn.listAllDevices(everything)}, set(devices))

    def test_lookup_xml_parent(self):
        """
        Every device is found by name; its XML names it and its parent, and the parent is a device too.

        :avocado: tags=api:virNodeDeviceLookupByName,api:virNodeDeviceGetXMLDesc,api:virNodeDeviceGetParent
        :avocado: tags=api:virNodeDeviceGetName
        """
        devices = self._all()
        roots = []
        for name in devices:
            dev = self.conn.nodeDeviceLookupByName(name)
            self.assertEqual(dev.name(), name)
            root = nodedev.parse(dev)
            self.assertEqual(root.tag, "device")
            self.assertEqual(root.findtext("name"), name)
            parent = dev.parent()
            self.assertEqual(parent, root.findtext("parent"), f"{name}: parent() and XML disagree")
            if parent is None:
                roots.append(name)
            else:
                self.assertIn(parent, devices, f"{name}: parent {parent} is not a listed device")
        self.assertTrue(roots, "no device is a root (every device names a parent)")
        self.expect_error(
            libvirt.VIR_ERR_NO_NODE_DEVICE, self.conn.nodeDeviceLookupByName, "acert-no-such-device"
        )

    def test_caps_match_xml(self):
        """
        virNodeDeviceListCaps and virNodeDeviceNumOfCaps agree, and name the capabilities of the XML.

        :avocado: tags=api:virNodeDeviceListCaps,api:virNodeDeviceNumOfCaps
        """
        for name, dev in self._all().items():
            caps = dev.listCaps()
            self.assertTrue(caps, f"{name} has no capability")
            self.assertEqual(dev.numOfCaps(), len(caps), f"{name}: numOfCaps != len(listCaps)")
            root = nodedev.parse(dev)
            top = nodedev.top_capabilities(root)
            self.assertLessEqual(
                top, set(caps), f"{name}: XML capabilities {top} missing from listCaps {caps}"
            )
            self.assertLessEqual(
                set(caps), nodedev.all_capabilities(root), f"{name}: listCaps {caps} not in XML"
            )


class NodeDeviceState(CertTest):
    """
    :avocado: tags=area:nodedev,cap:nodedev.state
    """

    def test_active_filters(self):
        """
        The ACTIVE and INACTIVE filters split the devices, consistently with virNodeDeviceIsActive.

        :avocado: tags=api:virConnectListAllNodeDevices,api:virNodeDeviceIsActive
        """
        names = {dev.name() for dev in self.conn.listAllDevices(0)}
        try:
            active = {
                d.name() for d in self.conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE)
            }
            inactive = {
                d.name() for d in self.conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE)
            }
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_INVALID_ARG and "unsupported flags" in str(err):
                self.unsupported(f"the driver rejects the ACTIVE/INACTIVE filters: {err.get_error_message()}")
            raise
        self.assertFalse(active & inactive, f"devices both active and inactive: {active & inactive}")
        self.assertEqual(active | inactive, names)
        for dev in self.conn.listAllDevices(0):
            self.assertEqual(bool(dev.isActive()), dev.name() in active, f"{dev.name()}: isActive vs filter")

    def test_persistence_autostart(self):
        """
        Devices report whether they are active, persistent and started at boot; a transient device (one
        the host discovered, not defined through libvirt) is active and cannot be set to autostart.

        :avocado: tags=api:virNodeDeviceIsActive,api:virNodeDeviceIsPersistent,api:virNodeDeviceGetAutostart
        :avocado: tags=api:virNodeDeviceSetAutostart
        """
        transient = []
        for dev in self.conn.listAllDevices(0):
            state = (dev.isActive(), dev.isPersistent(), dev.autostart())
            self.assertLessEqual(set(state), {0, 1}, f"{dev.name()}: active/persistent/autostart {state}")
            if not state[1]:
                self.assertEqual(state[0], 1, f"transient device {dev.name()} is not active")
                self.assertEqual(state[2], 0, f"transient device {dev.name()} claims autostart")
                transient.append(dev)
        self.require(transient, "every node device is persistent: none to refuse autostart on")
        dev = transient[0]
        expect.refused(
            self,
            (
                libvirt.VIR_ERR_OPERATION_UNSUPPORTED,
                libvirt.VIR_ERR_OPERATION_INVALID,
                libvirt.VIR_ERR_INVALID_ARG,
            ),
            dev.setAutostart,
            1,
        )
        self.assertEqual(dev.autostart(), 0, "a refused setAutostart changed the autostart flag")


class NodeDeviceWWN(CertTest):
    """
    :avocado: tags=area:nodedev,cap:nodedev.scsi_host_wwn
    """

    def test_lookup_by_wwn(self):
        """
        Every fibre channel host is found by its WWNN and WWPN.

        :avocado: tags=api:virNodeDeviceLookupSCSIHostByWWN
        """
        hosts = self.conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST)
        if not hosts:
            # Ask once anyway, so a driver without the API comes out UNSUPPORTED rather than SKIP.
            try:
                self.conn.nodeDeviceLookupSCSIHostByWWN(nodedev.random_wwn("2"), nodedev.random_wwn("1"), 0)
            except libvirt.libvirtError as err:
                if err.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT:
                    raise
            self.skip_because("the host has no fibre channel HBA (no fc_host node device)")
        for host in hosts:
            fc_host = next(c for c in nodedev.parse(host).iter("capability") if c.get("type") == "fc_host")
            wwnn, wwpn = fc_host.findtext("wwnn"), fc_host.findtext("wwpn")
            found = self.conn.nodeDeviceLookupSCSIHostByWWN(wwnn, wwpn, 0)
            self.assertEqual(found.name(), host.name(), f"WWNN {wwnn}/WWPN {wwpn}")

    def test_unknown_wwn(self):
        """
        A WWN pair no host has is not found, and the error says so (VIR_ERR_NO_NODE_DEVICE).

        :avocado: tags=api:virNodeDeviceLookupSCSIHostByWWN
        """
        expect.refused(
            self,
            libvirt.VIR_ERR_NO_NODE_DEVICE,
            self.conn.nodeDeviceLookupSCSIHostByWWN,
            nodedev.random_wwn("2"),
            nodedev.random_wwn("1"),
            0,
        )


class NodeDeviceLifecycle(CertTest):
    """
    :avocado: tags=area:nodedev,cap:nodedev.lifecycle
    """

    def _vport_parents(self):
        """Every HBA able to create vports, by name (the listing's order is not stable)."""
        parents = sorted(
            d.name() for d in self.conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS)
        )
        if not parents:
            self.skip_because("the host has no fibre channel HBA able to create vports (NPIV)")
        return parents

    def _destroy_later(self, name):
        def remove():
            try:
                self.conn.nodeDeviceLookupByName(name).destroy()
            except libvirt.libvirtError as err:
                if err.get_error_code() != libvirt.VIR_ERR_NO_NODE_DEVICE:
                    raise

        self.objects.on_cleanup(f"node device {name}", remove)

    def test_vhba_create_destroy(self):
        """
        A vHBA created on each NPIV-capable HBA of the host appears with its WWNs and that HBA as its
        parent; destroy removes it.

        :avocado: tags=api:virNodeDeviceCreateXML,api:virNodeDeviceDestroy,api:virNodeDeviceLookupByName
        """
        for parent in self._vport_parents():
            self._vhba_on(parent)

    def _vhba_on(self, parent):
        wwnn, wwpn = nodedev.random_wwn("2"), nodedev.random_wwn("1")
        before = {d.name() for d in self.conn.listAllDevices(0)}
        dev = self.conn.nodeDeviceCreateXML(nodedev.vhba(parent, wwnn, wwpn), 0)
        name = dev.name()
        self._destroy_later(name)
        self.assertNotIn(name, before, "the new vHBA took the name of an existing device")
        root = nodedev.parse(self.conn.nodeDeviceLookupByName(name))
        self.assertEqual(root.findtext("parent"), parent, f"the parent of a vHBA created on {parent}")
        fc_host = next(c for c in root.iter("capability") if c.get("type") == "fc_host")
        self.assertEqual((fc_host.findtext("wwnn"), fc_host.findtext("wwpn")), (wwnn, wwpn))
        self.assertIn(
            name,
            {d.name() for d in self.conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST)},
        )
        self.assertEqual(dev.destroy(), 0)
        self.expect_error(libvirt.VIR_ERR_NO_NODE_DEVICE, self.conn.nodeDeviceLookupByName, name)
        self.assertEqual({d.name() for d in self.conn.listAllDevices(0)}, before)

    def test_create_refused_without_hardware(self):
        """
        A vHBA on a parent that is no fibre channel HBA is refused, and no device appears.

        :avocado: tags=api:virNodeDeviceCreateXML
        """
        before = {d.name() for d in self.conn.listAllDevices(0)}
        xml = nodedev.vhba("computer", nodedev.random_wwn("2"), nodedev.random_wwn("1"))
        try:
            dev = self.conn.nodeDeviceCreateXML(xml, 0)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT:
                raise
            self.log.info("refused, as expected: %s", err.get_error_message())
        else:
            self._destroy_later(dev.name())
            self.fail(f"a vHBA was created on the system device: {dev.name()}")
        self.assertEqual({d.name() for d in self.conn.listAllDevices(0)}, before, "the device list changed")

    def test_mdev_define_start_undefine(self):
        """
        A mediated device defined on a parent offering mdev types is persistent and inactive; create
        starts it, destroy stops it, undefine removes it.

        :avocado: tags=api:virNodeDeviceDefineXML,api:virNodeDeviceCreate,api:virNodeDeviceDestroy
        :avocado: tags=api:virNodeDeviceUndefine,api:virNodeDeviceIsActive,api:virNodeDeviceIsPersistent
        """
        parents = self.conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV_TYPES)
        if not parents:
            # A define with no capable parent must still be refused (and cleanly): check, then skip.
            before = {d.name() for d in self.conn.listAllDevices(0)}
            try:
                dev = self.conn.nodeDeviceDefineXML(nodedev.mdev("computer", "acert-none"), 0)
            except libvirt.libvirtError as err:
                if err.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT:
                    raise
                self.log.info("define on a parent without mdev types refused: %s", err.get_error_message())
            else:
                self.objects.on_cleanup(f"node device {dev.name()}", dev.undefine, 0)
                self.fail(f"a mediated device was defined on the system device: {dev.name()}")
            self.assertEqual({d.name() for d in self.conn.listAllDevices(0)}, before)
            self.skip_because(
                "no device offers mediated device types (no mdev-capable GPU, crypto or s390 AP)"
            )
        parent = parents[0]
        types = [t.get("id") for t in nodedev.parse(parent).iter("type") if t.get("id")]
        dev = self.conn.nodeDeviceDefineXML(nodedev.mdev(parent.name(), types[0]), 0)
        self.objects.on_cleanup(f"node device {dev.name()}", self._undefine_mdev, dev.name())
        self.assertEqual((dev.isPersistent(), dev.isActive()), (1, 0))
        self.assertEqual(dev.create(0), 0)
        self.assertEqual(dev.isActive(), 1)
        self.assertEqual(dev.destroy(), 0)
        self.assertEqual(dev.isActive(), 0)
        name = dev.name()
        self.assertEqual(dev.undefine(0), 0)
        self.expect_error(libvirt.VIR_ERR_NO_NODE_DEVICE, self.conn.nodeDeviceLookupByName, name)

    def _undefine_mdev(self, name):
        try:
            dev = self.conn.nodeDeviceLookupByName(name)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_NO_NODE_DEVICE:
                return
            raise
        if dev.isActive():
            dev.destroy()
        if dev.isPersistent():
            dev.undefine(0)


class NodeDevicePassthrough(CertTest):
    """
    :avocado: tags=area:nodedev,cap:nodedev.passthrough
    """

    # Detaching a real PCI device would take it from the host (its NIC, disk controller, ...): the
    # certification only proves the refusal on a device that is not PCI and leaves the host as it was.
    REFUSED = (
        libvirt.VIR_ERR_INVALID_ARG,
        libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED,
        libvirt.VIR_ERR_CONFIG_UNSUPPORTED,
        libvirt.VIR_ERR_OPERATION_INVALID,
    )

    def test_non_pci_refused(self):
        """
        Detach, re-attach and reset of a device that is not a PCI device are refused, and it stays.

        :avocado: tags=api:virNodeDeviceDettach,api:virNodeDeviceDetachFlags,api:virNodeDeviceReAttach
        :avocado: tags=api:virNodeDeviceReset
        """
        system = self.conn.nodeDeviceLookupByName("computer")
        xml = system.XMLDesc(0)
        expect.refused(self, self.REFUSED, system.dettach)
        expect.refused(self, self.REFUSED, system.detachFlags, None, 0)
        expect.refused(self, self.REFUSED, system.reAttach)
        expect.refused(self, self.REFUSED, system.reset)
        self.assertEqual(self.conn.nodeDeviceLookupByName("computer").XMLDesc(0), xml, "the device changed")
