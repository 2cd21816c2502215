"""Expected errors of calls a driver may not implement at all.

CertTest.expect_error fails on any other code; here VIR_ERR_NO_SUPPORT propagates instead, so the
test comes out UNSUPPORTED (the driver does not implement the call) rather than FAIL.
"""

import libvirt


def refused(test, codes, func, *args, **kwargs):
    """test.expect_error(codes, func, ...), except that VIR_ERR_NO_SUPPORT is raised as it came."""

    def call():
        try:
            return func(*args, **kwargs)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT and err.get_error_code() not in _codes(
                codes
            ):
                raise _Unsupported(err) from None
            raise

    call.__name__ = getattr(func, "__name__", repr(func))
    try:
        return test.expect_error(codes, call)
    except _Unsupported as wrapped:
        raise wrapped.error from None


def _codes(codes):
    return (codes,) if isinstance(codes, int) else tuple(codes)


class _Unsupported(Exception):
    """Carries VIR_ERR_NO_SUPPORT past expect_error (which catches libvirtError)."""

    def __init__(self, error):
        super().__init__(str(error))
        self.error = error
