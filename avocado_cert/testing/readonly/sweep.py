"""The read-only sweep: every public function libvirt refuses on a read-only connection (the table
data/api/read-only-VERSION.yaml, extracted from libvirt's source) called through libvirt-python on a
read-only connection, on objects the read-write connection created, and checked: the call fails with
VIR_ERR_OPERATION_DENIED and every object reads back as before (fixtures and arguments: beside it)."""

import os

import libvirt

from avocado_cert.apisurface import readonly_api
from avocado_cert.base import naming, xmlsafe
from avocado_cert.host import environment, libvirt_errors
from avocado_cert.testing import consistency as cons
from avocado_cert.testing import xmlbuild
from avocado_cert.testing.readonly.arguments import COMPANIONS, _companion_args, build_call
from avocado_cert.testing.readonly.fixtures import BadArguments, NotDriven, Outcome

DENIED = libvirt.VIR_ERR_OPERATION_DENIED
CALL_TIMEOUT = 20.0


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
