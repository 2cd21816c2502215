"""The read-only sweep's own objects: made on demand by the read-write connection, with their read-only
twins, and the names a refused create would have used."""

import os
import shutil
import tempfile
from dataclasses import dataclass, field

import libvirt
from lxml import etree

from avocado_cert.base import naming, xmlsafe
from avocado_cert.testing import consistency as cons
from avocado_cert.testing import (
    domain,
    guestdevices,
    hostinterface,
    network,
    nodedev,
    nwfilter,
    snapshot,
    xmlbuild,
)

OBJECT_TYPES = (
    "virConnectPtr", "virDomainPtr", "virNetworkPtr", "virNetworkPortPtr", "virStoragePoolPtr",
    "virStorageVolPtr", "virSecretPtr", "virNWFilterPtr", "virNWFilterBindingPtr", "virInterfacePtr",
    "virNodeDevicePtr", "virDomainSnapshotPtr", "virDomainCheckpointPtr", "virStreamPtr",
)  # fmt: skip


class NotDriven(Exception):
    """The sweep cannot call this function here (the reason says why)."""


class BadArguments(Exception):
    """libvirt-python refused the built arguments before calling libvirt: a defect of the builders."""


@dataclass
class Outcome:
    api: str
    python: str
    result: str  # denied | not_driven | failed
    detail: str = ""

    def to_dict(self):
        return {"api": self.api, "python": self.python, "result": self.result, "detail": self.detail}


@dataclass
class Fresh:
    """Names a refused create would have used: none may exist after the call."""

    names: list = field(default_factory=list)  # (lookup attribute of the RW connection, name)

    def add(self, lookup, name):
        self.names.append((lookup, name))
        return name


def _xml_name(xml, path="name"):
    root = xmlsafe.fromstring(xml)
    return root.get("name") if path == "@name" else root.findtext(path)


class Fixtures:
    """The sweep's own objects, made on demand by the read-write connection, and their read-only twins."""

    def __init__(self, test, ro):
        self.test = test
        self.rw = test.conn
        self.ro = ro
        self.objects = test.objects
        self.fresh = Fresh()
        self._rw = {}
        self._ro = {}
        self._missing = {}
        self._tmp = None
        self.mac = guestdevices.random_mac()
        self._port_network = None

    # --- making the objects ------------------------------------------------------------------------
    def get(self, ctype):
        """The read-only handle of an object of this C type (NotDriven where the driver cannot make one)."""
        if ctype == "virConnectPtr":
            return self.ro
        if ctype == "virStreamPtr":
            return self.ro.newStream(0)
        self.rw_object(ctype)
        if ctype not in self._ro:
            self._ro[ctype] = self._twin(ctype, self._rw[ctype])
        return self._ro[ctype]

    def rw_object(self, ctype):
        if ctype in self._missing:
            raise NotDriven(self._missing[ctype])
        if ctype not in self._rw:
            maker = getattr(self, "_make_" + ctype[3:-3].lower(), None)
            if maker is None:
                raise NotDriven(f"no fixture makes a {ctype}")
            try:
                self._rw[ctype] = maker()
            except NotDriven as why:
                self._missing[ctype] = str(why)
                raise
            except libvirt.libvirtError as err:
                self._missing[ctype] = (
                    f"this driver cannot make the {ctype[3:-3]} it needs: {err.get_error_message()}"
                )
                raise NotDriven(self._missing[ctype]) from None
        return self._rw[ctype]

    def made(self):
        return dict(self._rw)

    def tmpdir(self):
        if self._tmp is None:
            self._tmp = tempfile.mkdtemp(prefix=naming.PREFIX + "ro-")
            self.objects.on_cleanup(f"folder {self._tmp}", shutil.rmtree, self._tmp, True)
        return self._tmp

    @staticmethod
    def _require(api, func, *args):
        """NotDriven where the driver has no such objects at all (before a cleanup is registered)."""
        try:
            func(*args)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT:
                raise NotDriven(f"this driver has none ({api}: {err.get_error_message()})") from None
            raise

    def _make_domain(self):
        return self._running_domain()

    def _make_domainsnapshot(self):
        dom = self.rw_object("virDomainPtr")
        return dom.snapshotCreateXML(snapshot.snapshot(naming.unique("snap")), 0)

    def _make_domaincheckpoint(self):
        # A domain of its own: drivers refuse a checkpoint beside snapshots.
        dom = self._running_domain()
        return dom.checkpointCreateXML(snapshot.checkpoint(naming.unique("ckpt")), 0)

    def _running_domain(self):
        """A running domain with a qcow2 disk (vda, which checkpoints and block APIs need) and a NIC
        (whose MAC names it to the interface APIs)."""
        pool = self.rw_object("virStoragePoolPtr")
        vol_xml = xmlbuild.volume(naming.unique("vol") + ".qcow2", capacity=16 << 20, fmt="qcow2")
        etree.SubElement(vol_xml.find("target"), "compat").text = "1.1"  # qcow2 v3: bitmaps for checkpoints
        vol = self.objects.create_volume(pool, xmlbuild.to_xml(vol_xml))
        root = xmlsafe.fromstring(self.test.domain_xml(boot=False))
        devices = root.find("devices")
        disk = domain.volume_disk(pool.name(), vol.name(), target="vda", bus="virtio")
        disk.find("driver").set("type", "qcow2")
        devices.append(disk)
        devices.append(guestdevices.interface(self.mac))
        dom = self.objects.define_domain(xmlbuild.to_xml(root))
        dom.create()
        return dom

    def _make_network(self):
        return cons.network(self.test)

    def _make_networkport(self):
        spec = network.NetworkSpec()
        net = self.objects.create_network(spec.xml())
        _uuid, xml = network.port_xml(naming.unique("dom"), network.random_mac())
        self._port_network = net  # libvirt-python gives a port no way back to its network
        return net.portCreateXML(xml, 0)

    def _make_storagepool(self):
        return cons.pool(self.test)

    def _make_storagevol(self):
        return cons.volume(self.test, self.rw_object("virStoragePoolPtr"))

    def _make_secret(self):
        self._require("virConnectListAllSecrets", self.rw.listAllSecrets, 0)
        sec = self.objects.define_secret(cons.secret_xml())
        sec.setValue(b"acert-read-only-sweep", 0)
        return sec

    def _make_nwfilter(self):
        self._require("virConnectListAllNWFilters", self.rw.listAllNWFilters, 0)
        return self.objects.define_nwfilter(nwfilter.nwfilter(naming.unique("filter")))

    def _make_nwfilterbinding(self):
        filter_name = self.rw_object("virNWFilterPtr").name()
        xml = nwfilter.binding(naming.netdev(), filter_name, hostinterface.random_mac(), naming.unique("dom"))
        return self.objects.create_nwfilter_binding(xml)

    def _make_interface(self):
        return self.objects.define_interface(cons.interface_xml())

    def _make_nodedevice(self):
        parents = self.rw.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS)
        if not parents:
            raise NotDriven("no node device of its own can be made here (no NPIV-capable HBA for a vHBA)")
        xml = nodedev.vhba(parents[0].name(), nodedev.random_wwn("2"), nodedev.random_wwn("1"))
        dev = self.rw.nodeDeviceCreateXML(xml, 0)
        name = dev.name()
        self.objects.on_cleanup(f"node device {name}", _destroy_device, self.rw, name)
        return dev

    def _twin(self, ctype, obj):
        ro = self.ro
        if ctype == "virDomainPtr":
            return ro.lookupByUUIDString(obj.UUIDString())
        if ctype == "virDomainSnapshotPtr":
            return self.get("virDomainPtr").snapshotLookupByName(obj.getName(), 0)
        if ctype == "virDomainCheckpointPtr":
            return ro.lookupByUUIDString(obj.getDomain().UUIDString()).checkpointLookupByName(
                obj.getName(), 0
            )
        if ctype == "virNetworkPtr":
            return ro.networkLookupByUUIDString(obj.UUIDString())
        if ctype == "virNetworkPortPtr":
            return ro.networkLookupByUUIDString(self._port_network.UUIDString()).portLookupByUUIDString(
                obj.UUIDString()
            )
        if ctype == "virStoragePoolPtr":
            return ro.storagePoolLookupByUUIDString(obj.UUIDString())
        if ctype == "virStorageVolPtr":
            return ro.storageVolLookupByKey(obj.key())
        if ctype == "virSecretPtr":
            return ro.secretLookupByUUIDString(obj.UUIDString())
        if ctype == "virNWFilterPtr":
            return ro.nwfilterLookupByUUIDString(obj.UUIDString())
        if ctype == "virNWFilterBindingPtr":
            return ro.nwfilterBindingLookupByPortDev(obj.portDev())
        if ctype == "virInterfacePtr":
            return ro.interfaceLookupByName(obj.name())
        if ctype == "virNodeDevicePtr":
            return ro.nodeDeviceLookupByName(obj.name())
        raise NotDriven(f"no read-only lookup for a {ctype}")

    # --- argument values ---------------------------------------------------------------------------
    def path(self):
        """A file in the sweep's own folder, which a write would create or read."""
        return os.path.join(self.tmpdir(), naming.unique("file"))

    def domain_xml(self):
        xml = self.test.domain_xml(boot=False)
        self.fresh.add("lookupByName", _xml_name(xml))
        return xml

    def own_domain_xml(self):
        return self.rw_object("virDomainPtr").XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)


def _destroy_device(conn, name):
    try:
        conn.nodeDeviceLookupByName(name).destroy()
    except libvirt.libvirtError as err:
        if err.get_error_code() != libvirt.VIR_ERR_NO_NODE_DEVICE:
            raise
