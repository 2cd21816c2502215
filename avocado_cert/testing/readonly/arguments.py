"""The argument table of the read-only sweep: how to build a call of each refused function.

Arguments come from the Python signature and the C types of libvirt-api.xml; where a type says too
little (which XML, which path) the value is built from the function's name and the parameter's name,
and the few functions that need more have an entry in ARGUMENTS. Arguments are chosen so that, were a
refusal missing, the call would act on the sweep's own objects or be a no-op on the host."""

import inspect
import os

import libvirt
import libvirt_lxc
import libvirt_qemu
from lxml import etree

from avocado_cert.apisurface import libvirt_api as apisurface
from avocado_cert.base import naming, xmlsafe
from avocado_cert.host import libvirt_errors
from avocado_cert.testing import consistency as cons
from avocado_cert.testing import guestdevices, hostinterface, network, nodedev, nwfilter, snapshot, xmlbuild
from avocado_cert.testing.readonly.fixtures import OBJECT_TYPES, NotDriven, _xml_name

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
INT_TYPES = {"int", "unsigned int", "long", "unsigned long", "long long", "unsigned long long", "size_t"}
PATH_ARGS = {"to", "from", "file"}
URI_ARGS = {"uri", "duri", "dconnuri", "miguri"}


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
        return xml_for(fx, api, name)
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


def xml_for(fx, api, param):
    """The XML a function takes, from the kind of object it creates or changes."""
    for prefix, build in _XML_BY_API:
        if api.startswith(prefix) or api == prefix:
            return build(fx, param)
    raise NotDriven(f"no XML builder for {api}({param})")


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
