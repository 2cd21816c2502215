"""Events of networks, storage pools, node devices and secrets, for objects the test drives."""

import os

import libvirt

from avocado_cert.base import naming
from avocado_cert.testing import events, nodedev, xmlbuild
from avocado_cert.testing.events import EventTest


class ObjectEventTest(EventTest):
    """
    :avocado: disable
    """

    def bridge_network_xml(self, name, bridge):
        """A network that is only a bridge: no address, so no DHCP server starts with it."""
        root = xmlbuild.network(name, bridge)
        root.remove(root.find("ip"))
        return xmlbuild.to_xml(root)


class NetworkEvents(ObjectEventTest):
    """
    :avocado: tags=area:event,cap:event.network
    """

    def test_lifecycle(self):
        """
        Define, start, stop and undefine of a network raise its lifecycle events in order; a callback for
        another network gets none of them.

        :avocado: tags=api:virConnectNetworkEventRegisterAny,api:virConnectNetworkEventDeregisterAny
        """
        collector, other = events.Collector(), events.Collector()
        self.subscriptions.network(libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, collector.lifecycle("network"))
        bystander = self.objects.define_network(
            self.bridge_network_xml(self.objects.name("net"), naming.netdev())
        )
        self.subscriptions.network(
            libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, other.lifecycle("network"), net=bystander
        )
        name = self.objects.name("net")
        net = self.objects.define_network(self.bridge_network_xml(name, naming.netdev()))
        net.create()
        net.destroy()
        net.undefine()
        self.expect_sequence(
            collector,
            name,
            [
                (libvirt.VIR_NETWORK_EVENT_DEFINED, 0),
                (libvirt.VIR_NETWORK_EVENT_STARTED, 0),
                (libvirt.VIR_NETWORK_EVENT_STOPPED, 0),
                (libvirt.VIR_NETWORK_EVENT_UNDEFINED, 0),
            ],
        )
        self.assertFalse(
            [e for e in other.settle() if e.name != bystander.name()], "a filtered callback got others"
        )


class StoragePoolEvents(ObjectEventTest):
    """
    :avocado: tags=area:event,cap:event.storage_pool
    """

    def _pool(self):
        name = self.objects.name("pool")
        path = os.path.join(self.workdir, name)
        return self.objects.define_pool(xmlbuild.to_xml(xmlbuild.dir_pool(name, path))), name

    def test_lifecycle(self):
        """
        Define, build, start, stop, delete and undefine of a pool raise its lifecycle events in order.

        :avocado: tags=api:virConnectStoragePoolEventRegisterAny,api:virConnectStoragePoolEventDeregisterAny
        """
        collector = events.Collector()
        self.subscriptions.pool(libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, collector.lifecycle("pool"))
        pool, name = self._pool()
        pool.build(0)
        pool.create(0)
        pool.destroy()
        pool.delete(0)
        pool.undefine()
        self.expect_sequence(
            collector,
            name,
            [
                (libvirt.VIR_STORAGE_POOL_EVENT_DEFINED, 0),
                (libvirt.VIR_STORAGE_POOL_EVENT_CREATED, 0),
                (libvirt.VIR_STORAGE_POOL_EVENT_STARTED, 0),
                (libvirt.VIR_STORAGE_POOL_EVENT_STOPPED, 0),
                (libvirt.VIR_STORAGE_POOL_EVENT_DELETED, 0),
                (libvirt.VIR_STORAGE_POOL_EVENT_UNDEFINED, 0),
            ],
        )

    def test_refresh(self):
        """
        Refreshing an active pool raises its REFRESH event; deregistered, the callback gets no more.

        :avocado: tags=api:virConnectStoragePoolEventRegisterAny,api:virConnectStoragePoolEventDeregisterAny
        """
        collector = events.Collector()
        pool, name = self._pool()
        pool.build(0)
        pool.create(0)
        subscription = self.subscriptions.pool(
            libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH, collector.simple("refresh"), pool=pool
        )
        pool.refresh(0)
        self.expect_sequence(collector, name, [(None, None)], kind="refresh")
        subscription.cancel()
        received = len(collector.settle())
        control = events.Collector()
        self.subscriptions.pool(
            libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH, control.simple("refresh"), pool=pool
        )
        pool.refresh(0)
        self.expect_sequence(control, name, [(None, None)], kind="refresh")
        self.assertEqual(len(collector.settle()), received, "a REFRESH event arrived after deregistration")


class NodeDeviceEvents(ObjectEventTest):
    """
    :avocado: tags=area:event,cap:event.node_device
    """

    CREATED = [(libvirt.VIR_NODE_DEVICE_EVENT_CREATED, None)]
    DELETED = [(libvirt.VIR_NODE_DEVICE_EVENT_DELETED, None)]

    def test_lifecycle(self):
        """
        A node device appearing and disappearing raises CREATED and DELETED for it: a vHBA where an NPIV
        HBA exists, else the bridge of a network the test starts and stops.

        :avocado: tags=api:virConnectNodeDeviceEventRegisterAny,api:virConnectNodeDeviceEventDeregisterAny
        """
        collector = events.Collector()
        self.subscriptions.node_device(
            libvirt.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE, collector.lifecycle("nodedev")
        )
        if self.conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS):
            self._vhba(collector)
        else:
            self._bridge(collector)

    def _vhba(self, collector):
        # The first by name: the listing's order is not stable from one run to the next.
        parent = min(
            d.name() for d in self.conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS)
        )
        dev = self.conn.nodeDeviceCreateXML(
            nodedev.vhba(parent, nodedev.random_wwn("2"), nodedev.random_wwn("1")), 0
        )
        name = dev.name()
        self.objects.on_cleanup(f"node device {name}", self._destroy_device, name)
        self.expect_sequence(collector, name, self.CREATED)
        dev.destroy()
        self.expect_sequence(collector, name, self.CREATED + self.DELETED)

    def _destroy_device(self, name):
        try:
            self.conn.nodeDeviceLookupByName(name).destroy()
        except libvirt.libvirtError as err:
            if err.get_error_code() != libvirt.VIR_ERR_NO_NODE_DEVICE:
                raise

    def _bridge(self, collector):
        bridge = naming.netdev()
        net = self.objects.create_network(self.bridge_network_xml(self.objects.name("net"), bridge))
        prefix = f"net_{bridge}_"

        def listed():
            return [
                d.name()
                for d in self.conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_NET)
                if d.name().startswith(prefix)
            ]

        discovery = float(self.param("nodedev_discovery_timeout", 5))
        found = collector.wait(lambda h: [e for e in h if e.name.startswith(prefix)], discovery)
        if not found and not listed():
            self.skip_because(
                f"the node device driver did not see bridge {bridge} appear (no udev event source on this host), "
                "and no NPIV HBA exists to create a vHBA"
            )
        self.assertTrue(found, f"bridge {bridge} is listed as a node device, but no CREATED event came")
        name = found[0].name
        self.expect_sequence(collector, name, self.CREATED)
        net.destroy()
        self.expect_sequence(collector, name, self.CREATED + self.DELETED)


class SecretEvents(ObjectEventTest):
    """
    :avocado: tags=area:event,cap:event.secret
    """

    def test_lifecycle_and_value(self):
        """
        Define, a new value and undefine of a secret raise DEFINED, VALUE_CHANGED and UNDEFINED for it.

        :avocado: tags=api:virConnectSecretEventRegisterAny,api:virConnectSecretEventDeregisterAny
        """
        lifecycle, values = events.Collector(), events.Collector()
        self.subscriptions.secret(libvirt.VIR_SECRET_EVENT_ID_LIFECYCLE, lifecycle.lifecycle("secret"))
        self.subscriptions.secret(libvirt.VIR_SECRET_EVENT_ID_VALUE_CHANGED, values.simple("value"))
        sec = self.objects.define_secret(xmlbuild.to_xml(xmlbuild.secret(self.objects.name("sec"))))
        uuid = sec.UUIDString()
        self.expect_sequence(lifecycle, uuid, [(libvirt.VIR_SECRET_EVENT_DEFINED, 0)])
        sec.setValue(b"acert", 0)
        self.expect_sequence(values, uuid, [(None, None)], kind="value")
        sec.undefine()
        self.expect_sequence(
            lifecycle, uuid, [(libvirt.VIR_SECRET_EVENT_DEFINED, 0), (libvirt.VIR_SECRET_EVENT_UNDEFINED, 0)]
        )
