"""libvirt errors by name: code and domain numbers turned back into VIR_ERR_* / VIR_FROM_* names."""

import libvirt


def _names(prefix):
    table = {}
    for name in dir(libvirt):
        if name.startswith(prefix) and isinstance(getattr(libvirt, name), int):
            table.setdefault(getattr(libvirt, name), name)
    return table


_CODES = _names("VIR_ERR_")
_DOMAINS = _names("VIR_FROM_")
# VIR_ERR_* also holds levels (VIR_ERR_NONE/WARNING/ERROR = 0/1/2): the codes of those numbers win.
_CODES.update({1: "VIR_ERR_INTERNAL_ERROR", 2: "VIR_ERR_NO_MEMORY", 0: "VIR_ERR_OK"})


def code_name(code):
    return _CODES.get(code, f"code {code}")


def domain_name(domain):
    return _DOMAINS.get(domain, f"domain {domain}")


def describe(error):
    """'VIR_ERR_NO_SUPPORT (VIR_FROM_NONE): message' for a libvirtError."""
    return (
        f"{code_name(error.get_error_code())} ({domain_name(error.get_error_domain())}): "
        f"{error.get_error_message()}"
    )


def unsupported_flags(error):
    """virCheckFlags' answer (VIR_ERR_INVALID_ARG, "unsupported flags"): the driver does not implement a
    flag the call was given. For a flag libvirt defines, that is the driver saying "not implemented"."""
    return error.get_error_code() == libvirt.VIR_ERR_INVALID_ARG and "unsupported flags" in (
        error.get_error_message() or ""
    )


def code_of(error):
    return error.get_error_code() if isinstance(error, libvirt.libvirtError) else None


def quiet():
    """Stop libvirt printing every error on stderr: callers log the errors they care about."""
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
