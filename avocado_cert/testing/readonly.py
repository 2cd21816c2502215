"""The read-only sweep: every public function libvirt refuses on a read-only connection (the table
data/api/read-only-VERSION.yaml, extracted from libvirt's source) called through libvirt-python on a
read-only connection, on objects the read-write connection created, and checked: the call fails with
VIR_ERR_OPERATION_DENIED and every object reads back as before.

Arguments come from the Python signature and the C types of libvirt-api.xml; where a type says too
little (which XML, which path) the value is built from the function's name and the parameter's name,
and the few functions that need more have an entry in ARGUMENTS. Arguments are chosen so that, were a
refusal missing, the call would act on the sweep's own objects or be a no-op on the host.
"""

import inspect
import os
import shutil
import tempfile
from dataclasses import dataclass, field

import libvirt
import libvirt_lxc
import libvirt_qemu
from lxml import etree

from avocado_cert.apisurface import libvirt_api as apisurface
from avocado_cert.apisurface import readonly_api
from avocado_cert.base import naming, xmlsafe
from avocado_cert.host import environment, libvirt_errors
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

DENIED = libvirt.VIR_ERR_OPERATION_DENIED
CALL_TIMEOUT = 20.0
# Companion APIs (libvirt-qemu, libvirt-lxc): their Python entry points, by C name.
COMPANIONS = {
    "virDomainQemuMonitorCommand": (libvirt_qemu, "qemuMonitorCommand"),
    "virDomainQemuMonitorCommandWithFiles": (libvirt_qemu, "qemuMonitorCommandWithFiles"),
    "virDomainQemuAgentCommand": (libvirt_qemu, "qemuAgentCommand"),
    "virDomainQemuAttach": (libvirt_qemu, "qemuAttach"),
    "virConnectDomainQemuMonitorEventRegister": (libvirt_qemu, "qemuMonitorEventRegister"),
    "virConnectDomainQemuMonitorEventDeregister": (libvirt_qemu, "qemuMonitorEventDeregister"),
    "virDomainLxcOpenNamespace": (libvirt_lxc, "lxcOpenNamespace"),
    "virDomainLxcEnterCGroup": (libvirt_lxc, "lxcEnterCGroup"),
}
# The Python parameter of a generated method and the C argument it stands for, where the names differ.
PY_TO_C = {"frm": "from", "iothread_val": "iothread_id", "time": "seconds", "snap": "snapshot"}
OBJECT_TYPES = (
    "virConnectPtr", "virDomainPtr", "virNetworkPtr", "virNetworkPortPtr", "virStoragePoolPtr",
    "virStorageVolPtr", "virSecretPtr", "virNWFilterPtr", "virNWFilterBindingPtr", "virInterfacePtr",
    "virNodeDevicePtr", "virDomainSnapshotPtr", "virDomainCheckpointPtr", "virStreamPtr",
)  # fmt: skip
INT_TYPES = {"int", "unsigned int", "long", "unsigned long", "long long", "unsigned long long", "size_t"}
PATH_ARGS = {"to", "from", "file"}
URI_ARGS = {"uri", "duri", "dconnuri", "miguri"}


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

    def xml_for(self, api, param):
        """The XML a function takes, from the kind of object it creates or changes."""
        for prefix, build in _XML_BY_API:
            if api.startswith(prefix) or api == prefix:
                return build(self, param)
        raise NotDriven(f"no XML builder for {api}({param})")


def _destroy_device(conn, name):
    try:
        conn.nodeDeviceLookupByName(name).destroy()
    except libvirt.libvirtError as err:
        if err.get_error_code() != libvirt.VIR_ERR_NO_NODE_DEVICE:
            raise


def _fresh(fx, lookup, xml, path="name"):
    fx.fresh.add(lookup, _xml_name(xml, path))
    return xml


def _network_xml(fx, _param):
    return _fresh(fx, "networkLookupByName", cons.network_xml())


def _pool_xml(fx, _param):
    return _fresh(fx, "storagePoolLookupByName", cons.pool_xml())


def _volume_xml(fx, _param):
    xml = cons.volume_xml()
    pool = fx.rw_object("virStoragePoolPtr")
    fx.fresh.add(lambda name, pool=pool: pool.storageVolLookupByName(name), _xml_name(xml))
    return xml


def _secret_xml(fx, _param):
    usage = naming.unique("secret")
    fx.fresh.add(lambda name: fx.rw.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_CEPH, name), usage)
    return cons.secret_xml(usage)


def _nwfilter_xml(fx, _param):
    return _fresh(fx, "nwfilterLookupByName", nwfilter.nwfilter(naming.unique("filter")), "@name")


def _binding_xml(fx, _param):
    portdev = naming.netdev()
    fx.fresh.add("nwfilterBindingLookupByPortDev", portdev)
    return nwfilter.binding(
        portdev, naming.unique("filter"), hostinterface.random_mac(), naming.unique("dom")
    )


def _interface_xml(fx, _param):
    return _fresh(fx, "interfaceLookupByName", cons.interface_xml(), "@name")


def _nodedev_xml(_fx, _param):
    # A vHBA on the root device: no driver can create it, so a missing refusal shows as another error.
    return nodedev.vhba("computer", nodedev.random_wwn("2"), nodedev.random_wwn("1"))


def _snapshot_xml(fx, _param):
    name = naming.unique("snap")
    dom = fx.rw_object("virDomainPtr")
    fx.fresh.add(lambda n: dom.snapshotLookupByName(n, 0), name)
    return snapshot.snapshot(name)


def _checkpoint_xml(fx, _param):
    name = naming.unique("ckpt")
    dom = fx.rw_object("virDomainPtr")
    fx.fresh.add(lambda n: dom.checkpointLookupByName(n, 0), name)
    return snapshot.checkpoint(name)


def _backup_xml(fx, param):
    if param == "checkpointXML":
        return _checkpoint_xml(fx, param)
    return snapshot.push_backup(fx.path())


def _device_xml(fx, _param):
    return xmlbuild.to_xml(guestdevices.disk(fx.path(), target="vdz"))


def _port_xml(fx, _param):
    port_uuid, xml = network.port_xml(naming.unique("dom"), network.random_mac())
    net = fx.rw_object("virNetworkPtr")
    fx.fresh.add(net.portLookupByUUIDString, port_uuid)
    return xml


def _network_update_xml(_fx, _param):
    return network.dhcp_host(network.random_mac(), naming.unique("host"), "10.255.255.254")


def _own_domain(fx, _param):
    return fx.own_domain_xml()


def _cpu_xml(fx, _param):
    caps = xmlsafe.fromstring(fx.rw.getCapabilities())
    cpu = caps.find("host/cpu")
    if cpu is None:
        raise NotDriven("the capabilities name no host CPU to compare")
    return etree.tostring(cpu, encoding="unicode")


# Which XML a function takes, by the start of its C name (first match wins).
_XML_BY_API = (
    ("virDomainSnapshotCreateXML", _snapshot_xml),
    ("virDomainCheckpointCreateXML", _checkpoint_xml),
    ("virDomainBackupBegin", _backup_xml),
    ("virDomainAttachDevice", _device_xml),
    ("virDomainBlockCopy", _device_xml),
    ("virDomainDetachDevice", _device_xml),
    ("virDomainUpdateDevice", _device_xml),
    ("virDomainCreateXML", lambda fx, _p: fx.domain_xml()),
    ("virDomainDefineXML", lambda fx, _p: fx.domain_xml()),
    ("virConnectDomainXMLToNative", _own_domain),
    ("virDomainManagedSaveDefineXML", _own_domain),
    ("virDomainSaveImageDefineXML", _own_domain),
    ("virDomainRestoreFlags", _own_domain),
    ("virDomainSaveFlags", _own_domain),
    ("virDomainMigrate", _own_domain),
    ("virConnectCompareHypervisorCPU", _cpu_xml),
    ("virConnectBaselineHypervisorCPU", _cpu_xml),
    ("virNetworkPortCreateXML", _port_xml),
    ("virNetworkUpdate", _network_update_xml),
    ("virNetwork", _network_xml),
    ("virStoragePool", _pool_xml),
    ("virStorageVol", _volume_xml),
    ("virSecret", _secret_xml),
    ("virNWFilterBinding", _binding_xml),
    ("virNWFilter", _nwfilter_xml),
    ("virInterface", _interface_xml),
    ("virNodeDevice", _nodedev_xml),
)


def _typed(values):
    return lambda fx: values


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    return value


def _from_getter(getter, api, change=True, *args):  # pylint: disable=keyword-arg-before-vararg
    """Parameters named as the getter names them: libvirt-python reads them first (their types) and
    refuses a name the getter does not give; one value is changed where the sweep owns the object."""

    def build(fx):
        target = fx.get("virConnectPtr" if api.startswith("virNode") else "virDomainPtr")
        resolved = [fx.mac if arg == "@mac" else arg for arg in args]
        try:
            current = getattr(target, getter)(*resolved)
        except libvirt.libvirtError as err:
            raise NotDriven(
                f"libvirt-python reads the parameters with {api} first, which fails here: "
                f"{libvirt_errors.describe(err)}"
            ) from None
        if not current:
            raise NotDriven(f"{api} names no parameter here, and libvirt-python needs one to set")
        key = sorted(current)[0]
        return {key: _changed(current[key]) if change else current[key]}

    return build


# Functions whose arguments the C types cannot tell: {C name: {Python parameter: builder(fixtures)}}.
ARGUMENTS = {
    "virDomainSetMemoryParameters": {
        "params": _from_getter("memoryParameters", "virDomainGetMemoryParameters", True, 0)
    },
    "virDomainSetBlkioParameters": {
        "params": _from_getter("blkioParameters", "virDomainGetBlkioParameters", True, 0)
    },
    "virDomainSetNumaParameters": {
        "params": _from_getter("numaParameters", "virDomainGetNumaParameters", True, 0)
    },
    "virDomainSetSchedulerParameters": {
        "params": _from_getter("schedulerParameters", "virDomainGetSchedulerParameters")
    },
    "virDomainSetSchedulerParametersFlags": {
        "params": _from_getter("schedulerParametersFlags", "virDomainGetSchedulerParametersFlags", True, 0)
    },
    "virDomainSetInterfaceParameters": {
        "params": _from_getter("interfaceParameters", "virDomainGetInterfaceParameters", True, "@mac", 0)
    },
    "virDomainSetBlockIoTune": {
        "params": _from_getter("blockIoTune", "virDomainGetBlockIoTune", True, "vda", 0)
    },
    "virDomainSetPerfEvents": {"params": _from_getter("perfEvents", "virDomainGetPerfEvents", True, 0)},
    "virDomainSetTime": {"time": _typed({"seconds": 0, "nseconds": 0})},
    "virDomainSetIOThreadParams": {"params": _typed({"poll_max_ns": 1000})},
    "virDomainSetLaunchSecurityState": {"params": _typed({"sev-secret": "YWNlcnQ="})},
    "virNetworkPortSetParameters": {"params": _typed({"inbound.average": 2000})},
    # The host's own values unchanged: a no-op on the host, were the refusal missing.
    "virNodeSetMemoryParameters": {
        "params": _from_getter("getMemoryParameters", "virNodeGetMemoryParameters", False, 0)
    },
    "virDomainSaveParams": {"params": lambda fx: {"file": fx.path()}},
    "virDomainRestoreParams": {"params": lambda fx: {"file": fx.path()}},
    "virDomainMigrate3": {"params": _typed({})},
    "virDomainMigrateToURI3": {"params": _typed({})},
    "virDomainBlockCopy": {"params": _typed({})},
    # A no-op on the host, were the refusal missing: add no huge pages.
    "virNodeAllocPages": {"pages": _typed({2048: 0}), "flags": _typed(libvirt.VIR_NODE_ALLOC_PAGES_ADD)},
    # Too short a suspension for any driver to accept (QEMU wants at least 60 s), never a real one.
    "virNodeSuspendForDuration": {
        "target": _typed(libvirt.VIR_NODE_SUSPEND_TARGET_MEM),
        "duration": _typed(0),
    },
    "virDomainPMSuspendForDuration": {"target": _typed(libvirt.VIR_NODE_SUSPEND_TARGET_MEM)},
    "virDomainSendProcessSignal": {"pid_value": _typed(1), "signum": _typed(0)},
    "virDomainSendKey": {"keycodes": _typed([30]), "nkeycodes": _typed(1)},
    "virDomainCoreDumpWithFormat": {"dumpformat": _typed(libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_RAW)},
    "virDomainSetMetadata": {
        "type": _typed(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION),
        "metadata": _typed("acert read-only sweep"),
        "key": _typed(None),
        "uri": _typed(None),
    },
    "virDomainSetLifecycleAction": {
        "type": _typed(libvirt.VIR_DOMAIN_LIFECYCLE_POWEROFF),
        "action": _typed(libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_RESTART),
    },
    "virDomainSetAutostart": {"autostart": _typed(1)},
    "virNetworkSetAutostart": {"autostart": _typed(1)},
    "virStoragePoolSetAutostart": {"autostart": _typed(1)},
    "virNodeDeviceSetAutostart": {"autostart": _typed(1)},
    "virNetworkUpdate": {
        "command": _typed(libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST),
        "section": _typed(libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST),
        "parentIndex": _typed(-1),
    },
    "virConnectDomainXMLFromNative": {
        "nativeFormat": _typed("qemu-argv"),
        "nativeConfig": _typed("qemu -m 64"),
    },
    "virConnectDomainXMLToNative": {"nativeFormat": _typed("qemu-argv")},
    "virConnectFindStoragePoolSources": {"type": _typed("netfs"), "srcSpec": _typed("<source/>")},
    "virDomainSetVcpu": {"vcpumap": _typed("0"), "state": _typed(0)},
    "virDomainSetGuestVcpus": {"cpumap": _typed("0"), "state": _typed(0)},
    "virStorageVolWipePattern": {"algorithm": _typed(libvirt.VIR_STORAGE_VOL_WIPE_ALG_ZERO)},
    "virDomainRevertToSnapshot": {"snap": lambda fx: fx.get("virDomainSnapshotPtr")},
    "virStorageVolCreateXMLFrom": {"clonevol": lambda fx: fx.get("virStorageVolPtr")},
    "virDomainOpenGraphics": {"fd": lambda fx: _socket_fd(fx)},
    "virDomainCreateWithFiles": {"files": _typed([])},
    "virDomainCreateXMLWithFiles": {"files": _typed([])},
    "virDomainFDAssociate": {"name": _typed("acert"), "files": lambda fx: [_file_fd(fx)]},
    # Companion APIs (libvirt-qemu, libvirt-lxc): module functions taking the object first.
    "virDomainQemuMonitorCommand": {"cmd": _typed('{"execute":"stop"}')},
    "virDomainQemuMonitorCommandWithFiles": {"cmd": _typed('{"execute":"stop"}'), "files": _typed([])},
    "virDomainQemuAgentCommand": {"cmd": _typed('{"execute":"guest-ping"}'), "timeout": _typed(5)},
    "virDomainQemuAttach": {"pid_value": _typed(1)},
    "virConnectDomainQemuMonitorEventRegister": {
        "dom": _typed(None),
        "event": _typed(None),
        "cb": _typed(lambda *args: None),
        "opaque": _typed(None),
    },
    "virConnectDomainQemuMonitorEventDeregister": {"callbackID": _typed(0)},
}


def _socket_fd(fx):
    import socket  # pylint: disable=import-outside-toplevel

    left, right = socket.socketpair()
    fx.objects.on_cleanup("socket pair", lambda: (left.close(), right.close()))
    return left.fileno()


def _file_fd(fx):
    path = fx.path()
    handle = open(path, "w+b")  # pylint: disable=consider-using-with
    fx.objects.on_cleanup(f"file {path}", handle.close)
    return handle.fileno()


# --- building one call -----------------------------------------------------------------------------------
def _string(fx, api, name):
    lowered = name.lower()
    if "xml" in lowered:
        return fx.xml_for(api, name)
    if name in PATH_ARGS:
        return fx.path()
    if name in URI_ARGS:
        return fx.rw.getURI()
    if name == "device":
        return fx.mac  # the sweep domain's NIC
    if name in ("disk", "dev", "path", "mountPoint", "dev_name"):
        return "vda"
    if name in ("dname", "new_name"):
        return fx.fresh.add("lookupByName", naming.unique("dom"))
    if name == "user":
        return "root"
    if name in ("base", "top", "driverName", "emulator", "arch", "machine", "virttype", "emulatorbin"):
        return None
    return "acert"


def _integer(fx, name):
    if name in ("memory", "cacheSize"):
        return fx.rw_object("virDomainPtr").maxMemory() // 2
    if name in ("nvcpus", "vcpu", "iothread_id", "iothread_val", "idx", "screen", "state"):
        return 1 if name in ("nvcpus", "iothread_id", "iothread_val") else 0
    if name in ("timeout", "seconds", "period", "downtime", "bandwidth", "holdtime", "duration"):
        return 1
    if name in ("size", "capacity", "threshold", "minimum", "length", "offset", "start"):
        return 1 << 20 if name in ("size", "capacity", "threshold") else 0
    return 1


def _value(fx, api, name, ctype, receiver_type):
    if name == "flags":
        return 0
    if ctype in OBJECT_TYPES:
        if ctype == "virConnectPtr" and receiver_type != "virConnectPtr":
            return fx.rw  # the destination of a migration: the read-write connection
        if ctype == "virConnectPtr":
            return fx.ro
        return fx.get(ctype)
    if ctype in ("const char *", "char *"):
        return _string(fx, api, name)
    if ctype in INT_TYPES:
        return _integer(fx, name)
    if ctype == "const char **":
        return ["acert"]
    if ctype == "unsigned char *":
        return (True,)  # a CPU map: libvirt-python takes a tuple of booleans
    if ctype in ("const unsigned char *",):
        return b"acert-value-that-must-not-be-stored"
    raise NotDriven(f"no argument builder for {name} ({ctype})")


def python_callable(api, python_name, fx):
    """(callable, receiver C type, parameters after the receiver) of a function's Python entry point."""
    if api in COMPANIONS:
        module, attr = COMPANIONS[api]
        func = getattr(module, attr)
        params = list(inspect.signature(func).parameters.values())
        receiver_type = _companion_args(api)[0][1]
        receiver = fx.get(receiver_type)
        return (lambda *a: func(receiver, *a)), receiver_type, params[1:]
    cls, method = python_name.split(".", 1)
    receiver_type = cls + "Ptr"
    receiver = fx.get(receiver_type)
    func = getattr(receiver, method)
    return func, receiver_type, list(inspect.signature(func).parameters.values())


def build_call(api, python_name, c_args, fx):
    """(callable, args) for one function; NotDriven where an argument cannot be made."""
    func, receiver_type, params = python_callable(api, python_name, fx)
    c_types = {name: ctype for name, ctype, _info in c_args}
    overrides = ARGUMENTS.get(api, {})
    args = []
    for param in params:
        if param.name in overrides:
            args.append(overrides[param.name](fx))
            continue
        if param.default is not inspect.Parameter.empty and param.name != "flags":
            args.append(param.default)
            continue
        c_name = PY_TO_C.get(param.name, param.name)
        ctype = c_types.get(c_name)
        if ctype is None:
            annotation = str(param.annotation).strip("'")
            ctype = annotation + "Ptr" if annotation + "Ptr" in OBJECT_TYPES else None
        if ctype is None:
            raise NotDriven(f"no C argument matches the Python parameter {param.name}")
        args.append(_value(fx, api, c_name, ctype, receiver_type))
    return func, args


# --- what must not change --------------------------------------------------------------------------------
def _read(func, *args):
    try:
        return func(*args)
    except libvirt.libvirtError as err:
        return f"error {err.get_error_code()}"


_VOLATILE = ("capacity", "allocation", "available")


def _stable_pool_xml(pool):
    """A pool's XML less the sizes of the filesystem under it, which other writers change."""
    root = xmlsafe.fromstring(pool.XMLDesc(0))
    for tag in _VOLATILE:
        for element in root.findall(tag):
            root.remove(element)
    return xmlbuild.to_xml(root)


def fingerprint(fx):
    """What the read-write connection reads of every object the sweep made, and of its fresh names."""
    state = {}
    for ctype, obj in fx.made().items():
        if ctype == "virDomainPtr":
            state[ctype] = (
                obj.XMLDesc(0),
                obj.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE),
                obj.state()[0],
                obj.isPersistent(),
                obj.autostart(),
                _read(obj.hasManagedSaveImage, 0),
                sorted(s.getName() for s in obj.listAllSnapshots(0)),
            )
        elif ctype == "virStoragePoolPtr":
            state[ctype] = (_stable_pool_xml(obj), obj.isActive(), obj.autostart(), sorted(obj.listVolumes()))
        elif ctype == "virStorageVolPtr":
            state[ctype] = (obj.XMLDesc(0), obj.info())
        elif ctype == "virSecretPtr":
            state[ctype] = (obj.XMLDesc(0), obj.value(0))
        elif ctype == "virNetworkPtr":
            state[ctype] = (obj.XMLDesc(0), obj.isActive(), obj.isPersistent(), obj.autostart())
        elif ctype == "virNetworkPortPtr":
            state[ctype] = (obj.XMLDesc(0),)
        elif ctype in ("virDomainSnapshotPtr", "virDomainCheckpointPtr"):
            state[ctype] = (obj.getXMLDesc(0),)
        elif ctype in ("virInterfacePtr", "virNodeDevicePtr"):
            state[ctype] = (obj.XMLDesc(0), _read(obj.isActive))
        else:
            state[ctype] = (obj.XMLDesc(0),)
    state["fresh names"] = sorted(
        str(name) for lookup, name in fx.fresh.names if _exists(fx.rw, lookup, name)
    )
    state["files"] = sorted(os.listdir(fx.tmpdir()))
    return state


def _exists(conn, lookup, name):
    func = getattr(conn, lookup) if isinstance(lookup, str) else lookup
    try:
        func(name)
    except libvirt.libvirtError:
        return False
    return True


def changes(before, after):
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


# --- the sweep ---------------------------------------------------------------------------------------------
def call(test, api, func, *args):
    """(result, libvirtError or None, the thread's last libvirt error) of one call, with a deadline."""

    def with_last_error():
        libvirt.virResetLastError()
        result = func(*args)
        return result, libvirt.virGetLastError()

    try:
        answer, error = cons.call(test, api, with_last_error, timeout=CALL_TIMEOUT)
    except (TypeError, ValueError, OverflowError) as err:
        raise BadArguments(f"libvirt-python rejected the arguments: {type(err).__name__}: {err}") from None
    if error is not None:
        return None, error, None
    return answer[0], None, answer[1]


def drive(test, fx, api, python_name, c_args):
    """Call one refused function on the read-only connection and judge it (an Outcome)."""
    label = python_name or f"{COMPANIONS[api][0].__name__}.{COMPANIONS[api][1]}"
    try:
        func, args = build_call(api, python_name, c_args, fx)
        before = fingerprint(fx)
    except NotDriven as why:
        return Outcome(api, label, "not_driven", str(why))
    try:
        result, error, last = call(test, api, func, *args)
    except BadArguments as why:
        return Outcome(api, label, "failed", str(why))
    changed = changes(before, fingerprint(fx))
    if error is not None and error.get_error_code() == DENIED and not changed:
        return Outcome(api, label, "denied", error.get_error_message())
    if error is None and result in (-1, None) and last and last[0] == DENIED and not changed:
        # The binding returned the failure without raising: the refusal is in libvirt's last error.
        return Outcome(
            api, label, "denied", f"{last[2]} (libvirt-python returned {result} instead of raising)"
        )
    if error is not None and error.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT:
        message = error.get_error_message() or ""
        if api not in message and "vir" in message:
            # libvirt-python first reads with another API (parameter types, a current value).
            return Outcome(
                api, label, "not_driven", f"libvirt-python's call needs {message.split()[-1]}: {message}"
            )
    what = f"returned {result!r}" if error is None else f"raised {libvirt_errors.describe(error)}"
    if changed:
        what += f"; changed: {', '.join(changed)}"
    return Outcome(api, label, "failed", what)


def refused_functions(table, surface, bindings, modules):
    """[(C name, Python name, C args)] of the table's refused functions in these modules (files of
    libvirt-api.xml, or 'libvirt-qemu'/'libvirt-lxc' for the companion APIs)."""
    found = []
    for api in sorted(table.refused):
        if api in COMPANIONS:
            module = "libvirt-lxc" if "Lxc" in api else "libvirt-qemu"
            if module in modules:
                found.append((api, None, _companion_args(api)))
            continue
        func = surface.functions.get(api)
        if func is None or func.module not in modules:
            continue
        found.append((api, bindings.exposed.get(api), func.args))
    return found


def _companion_args(api):
    """C arguments of a companion API, from its own description file (libvirt-qemu-api.xml...)."""
    surface = apisurface.load()
    folder = os.path.dirname(surface.path)
    flavour = "lxc" if "Lxc" in api else "qemu"
    base = os.path.basename(surface.path).replace("libvirt-api", f"libvirt-{flavour}-api", 1)
    root = xmlsafe.parse(os.path.join(folder, base), f"libvirt {flavour} API description")
    for node in root.iter("function"):
        if node.get("name") == api:
            return [(a.get("name", ""), a.get("type", ""), a.get("info", "")) for a in node.findall("arg")]
    return []


def load_table(conn):  # pylint: disable=unused-argument
    """The table of the libvirt the connection's client library is (its checks run in the client)."""
    return readonly_api.for_version(environment.version_string(libvirt.getVersion()))


# --- functions refused for some arguments only (the table's refused_if) ---------------------------------
def conditional_cases(fx):  # pylint: disable=unused-argument
    """{C name: (C type of the receiver, Python method, refused arguments, allowed arguments)}."""
    return {
        "virDomainGetXMLDesc": ("virDomainPtr", "XMLDesc", [libvirt.VIR_DOMAIN_XML_SECURE], [0]),
        "virDomainGetVcpusFlags": ("virDomainPtr", "vcpusFlags", [libvirt.VIR_DOMAIN_VCPU_GUEST], [0]),
        "virDomainInterfaceAddresses": (
            "virDomainPtr",
            "interfaceAddresses",
            [libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT],
            [libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE],
        ),
        "virDomainManagedSaveGetXMLDesc": (
            "virDomainPtr",
            "managedSaveGetXMLDesc",
            [libvirt.VIR_DOMAIN_SAVE_IMAGE_XML_SECURE],
            [0],
        ),
        "virDomainSnapshotGetXMLDesc": (
            "virDomainSnapshotPtr",
            "getXMLDesc",
            [libvirt.VIR_DOMAIN_SNAPSHOT_XML_SECURE],
            [0],
        ),
        "virDomainCheckpointGetXMLDesc": (
            "virDomainCheckpointPtr",
            "getXMLDesc",
            [libvirt.VIR_DOMAIN_CHECKPOINT_XML_SECURE],
            [0],
        ),
    }


def _answer(test, api, func, args):
    result, error, _last = call(test, api, func, *args)
    return ("error", error.get_error_code()) if error is not None else ("result", result)


def drive_conditional(test, fx, api, case):
    """The refused arguments are denied and change nothing; the allowed ones answer as read-write does."""
    ctype, method, refused_args, allowed_args = case
    label = f"{ctype[:-3]}.{method}"
    try:
        ro_obj = fx.get(ctype)
        rw_obj = fx.rw_object(ctype)
        before = fingerprint(fx)
    except NotDriven as why:
        return Outcome(api, label, "not_driven", str(why))
    result, error, _last = call(test, api, getattr(ro_obj, method), *refused_args)
    changed = changes(before, fingerprint(fx))
    if error is None or error.get_error_code() != DENIED or changed:
        what = f"returned {result!r}" if error is None else f"raised {libvirt_errors.describe(error)}"
        return Outcome(api, label, "failed", f"with {refused_args}: {what}; changed: {changed}")
    ro_answer = _answer(test, api, getattr(ro_obj, method), allowed_args)
    rw_answer = _answer(test, api, getattr(rw_obj, method), allowed_args)
    if ro_answer == ("error", DENIED) or ro_answer != rw_answer:
        return Outcome(
            api, label, "failed", f"with {allowed_args}: read-only {ro_answer!r}, read-write {rw_answer!r}"
        )
    return Outcome(api, label, "denied", f"refused with {refused_args}, answered alike with {allowed_args}")


# --- reads that must work, and agree, on a read-only connection ---------------------------------------------
def _names_of(objects):
    return sorted(o.name() for o in objects if naming.owned(o.name()))


def _own(fx, conn, ctype):
    """The sweep's object of this type as the given connection sees it."""
    return fx.rw_object(ctype) if conn is fx.rw else fx.get(ctype)


READ_SAMPLE = (
    ("virConnectGetCapabilities", lambda fx, c: c.getCapabilities()),
    ("virNodeGetInfo", lambda fx, c: c.getInfo()),
    ("virConnectGetLibVersion", lambda fx, c: c.getLibVersion()),
    ("virConnectGetType", lambda fx, c: c.getType()),
    ("virConnectGetHostname", lambda fx, c: c.getHostname()),
    (
        "virDomainLookupByName",
        lambda fx, c: c.lookupByName(_own(fx, fx.rw, "virDomainPtr").name()).UUIDString(),
    ),
    ("virDomainGetInfo", lambda fx, c: _own(fx, c, "virDomainPtr").info()[:4]),
    ("virDomainGetState", lambda fx, c: _own(fx, c, "virDomainPtr").state()),
    ("virDomainGetXMLDesc", lambda fx, c: _own(fx, c, "virDomainPtr").XMLDesc(0)),
    ("virDomainGetUUIDString", lambda fx, c: _own(fx, c, "virDomainPtr").UUIDString()),
    ("virDomainIsPersistent", lambda fx, c: _own(fx, c, "virDomainPtr").isPersistent()),
    ("virDomainGetAutostart", lambda fx, c: _own(fx, c, "virDomainPtr").autostart()),
    ("virDomainGetMaxMemory", lambda fx, c: _own(fx, c, "virDomainPtr").maxMemory()),
    (
        "virConnectListAllDomains",
        # _mine is defined further down; the lambda only runs after the module is loaded.
        lambda fx, c: [
            n
            for n in _names_of(c.listAllDomains(0))
            if n in _mine(fx)  # pylint: disable=used-before-assignment
        ],
    ),
    (
        "virNetworkLookupByName",
        lambda fx, c: c.networkLookupByName(_own(fx, fx.rw, "virNetworkPtr").name()).UUIDString(),
    ),
    ("virNetworkGetXMLDesc", lambda fx, c: _own(fx, c, "virNetworkPtr").XMLDesc(0)),
    ("virStoragePoolGetInfo", lambda fx, c: _own(fx, c, "virStoragePoolPtr").info()[:2]),
    (
        "virStoragePoolListAllVolumes",
        lambda fx, c: _names_of(_own(fx, c, "virStoragePoolPtr").listAllVolumes(0)),
    ),
    ("virStorageVolGetInfo", lambda fx, c: _own(fx, c, "virStorageVolPtr").info()),
    ("virStorageVolGetXMLDesc", lambda fx, c: _own(fx, c, "virStorageVolPtr").XMLDesc(0)),
)


def _mine(fx):
    return {obj.name() for ctype, obj in fx.made().items() if ctype == "virDomainPtr"}
