"""Typed-parameter setters called through libvirt's C library, for the one case libvirt-python cannot make.

libvirt-python's typed-parameter setters (setMemoryParameters, setBlockIoTune, ...) first call the matching
getter with the same flags to learn each parameter's type. A getter takes one scope at a time, so with
VIR_DOMAIN_AFFECT_LIVE|AFFECT_CONFIG the binding fails before the driver is asked for the change. The
scope-flag suite certifies that combination through the C API itself, in the same process and on the same
connection (the binding's virDomainPtr): the types come from the C getter called with one scope, the
setter is called with both, and a refusal is the driver's libvirtError as usual."""

import ctypes

import libvirt

STRING_OKAY = 1 << 2  # VIR_TYPED_PARAM_STRING_OKAY: a getter may answer string parameters
FIELD_LENGTH = 80  # VIR_TYPED_PARAM_FIELD_LENGTH (libvirt-common.h; not exported by libvirt-python)
_MEMBER = {
    libvirt.VIR_TYPED_PARAM_INT: "i",
    libvirt.VIR_TYPED_PARAM_UINT: "ui",
    libvirt.VIR_TYPED_PARAM_LLONG: "l",
    libvirt.VIR_TYPED_PARAM_ULLONG: "ul",
    libvirt.VIR_TYPED_PARAM_DOUBLE: "d",
    libvirt.VIR_TYPED_PARAM_BOOLEAN: "b",
    libvirt.VIR_TYPED_PARAM_STRING: "s",
}


class _Value(ctypes.Union):
    _fields_ = [
        ("i", ctypes.c_int),
        ("ui", ctypes.c_uint),
        ("l", ctypes.c_longlong),
        ("ul", ctypes.c_ulonglong),
        ("d", ctypes.c_double),
        ("b", ctypes.c_char),
        ("s", ctypes.c_char_p),
    ]


class TypedParameter(ctypes.Structure):
    _fields_ = [("field", ctypes.c_char * FIELD_LENGTH), ("type", ctypes.c_int), ("value", _Value)]


# libvirt-python setter -> (C setter, C getter, how many names come before the parameters)
SETTERS = {
    "setMemoryParameters": ("virDomainSetMemoryParameters", "virDomainGetMemoryParameters", 0),
    "setBlkioParameters": ("virDomainSetBlkioParameters", "virDomainGetBlkioParameters", 0),
    "setNumaParameters": ("virDomainSetNumaParameters", "virDomainGetNumaParameters", 0),
    "setSchedulerParametersFlags": (
        "virDomainSetSchedulerParametersFlags",
        "virDomainGetSchedulerParametersFlags",
        0,
    ),
    "setPerfEvents": ("virDomainSetPerfEvents", "virDomainGetPerfEvents", 0),
    "setInterfaceParameters": ("virDomainSetInterfaceParameters", "virDomainGetInterfaceParameters", 1),
    "setBlockIoTune": ("virDomainSetBlockIoTune", "virDomainGetBlockIoTune", 1),
}


def needed(method, flags):
    """Whether libvirt-python cannot make this call: a typed-parameter setter with more than one scope."""
    both = libvirt.VIR_DOMAIN_AFFECT_LIVE | libvirt.VIR_DOMAIN_AFFECT_CONFIG
    return method in SETTERS and flags & both == both


def _library():
    # The library libvirt-python is linked to, already loaded in this process.
    return ctypes.CDLL("libvirt.so.0")


def _domain_pointer(dom):
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return ctypes.c_void_p(get_pointer(dom._o, b"virDomainPtr"))  # pylint: disable=protected-access


def _types(lib, getter, dom_p, names, flags):
    """{field: type} from the C getter called with one scope."""
    count = ctypes.c_int(0)
    if getter == "virDomainGetPerfEvents":  # the one getter that allocates its answer
        answer = ctypes.POINTER(TypedParameter)()
        if lib.virDomainGetPerfEvents(dom_p, ctypes.byref(answer), ctypes.byref(count), flags) < 0:
            raise libvirt.libvirtError(f"{getter}() failed")
        types = {answer[i].field.decode(): answer[i].type for i in range(count.value)}
        lib.virTypedParamsFree(answer, count)
        return types
    if getter == "virDomainGetSchedulerParametersFlags":  # its count comes from the scheduler type
        get_type = lib.virDomainGetSchedulerType
        get_type.restype = ctypes.c_void_p
        name = get_type(dom_p, ctypes.byref(count))
        if not name:
            raise libvirt.libvirtError("virDomainGetSchedulerType() failed")
        ctypes.CDLL(None).free(ctypes.c_void_p(name))
    elif getattr(lib, getter)(dom_p, *names, None, ctypes.byref(count), flags | STRING_OKAY) < 0:
        raise libvirt.libvirtError(f"{getter}() failed")
    params = (TypedParameter * count.value)()
    if getattr(lib, getter)(dom_p, *names, params, ctypes.byref(count), flags | STRING_OKAY) < 0:
        raise libvirt.libvirtError(f"{getter}() failed")
    types = {params[i].field.decode(): params[i].type for i in range(count.value)}
    lib.virTypedParamsClear(params, count)
    return types


def call(dom, method, args, flags, type_flags):
    """dom.METHOD(*args, flags) through the C API; the types read with type_flags (one scope)."""
    setter, getter, leading = SETTERS[method]
    names = [name.encode() for name in args[:leading]]
    values = args[leading]
    lib = _library()
    dom_p = _domain_pointer(dom)
    types = _types(lib, getter, dom_p, names, type_flags)
    params = (TypedParameter * len(values))()
    for param, (field, value) in zip(params, values.items()):
        if field not in types:
            raise ValueError(f"{getter} does not report a parameter {field!r}")
        param.field = field.encode()
        param.type = types[field]
        member = _MEMBER[types[field]]
        if member == "s":
            value = value.encode()
        elif member == "b":
            value = b"\x01" if value else b"\x00"
        setattr(param.value, member, value)
    if getattr(lib, setter)(dom_p, *names, params, len(values), flags) < 0:
        raise libvirt.libvirtError(f"{setter}() failed")
    return 0
