"""Helpers of the consistency suite: calls with a deadline, expected error codes, flag bits no version
defines, and the suite's own small objects."""

import os
import random
import shutil
import threading
import uuid

import libvirt

from avocado_cert.apisurface import libvirt_api as apisurface
from avocado_cert.base import naming
from avocado_cert.base.errors import CertError
from avocado_cert.host import libvirt_errors
from avocado_cert.testing import hostinterface, xmlbuild

PROBE_TIMEOUT = 30.0
POOL_PARENT = "/var/tmp"
XML_ERRORS = (libvirt.VIR_ERR_XML_ERROR, libvirt.VIR_ERR_XML_DETAIL)


def call(test, api, func, *args, timeout=PROBE_TIMEOUT):
    """(result, libvirtError or None) of func(*args); a call that hangs fails the test."""
    box = {}

    def run():
        try:
            box["result"] = func(*args)
        except libvirt.libvirtError as err:
            box["error"] = err
        except Exception as err:  # pylint: disable=broad-except
            box["exception"] = err

    worker = threading.Thread(target=run, name=f"probe {api}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        test.fail(f"{api}: no answer within {timeout:g} s")
    if "exception" in box:
        raise box["exception"]
    return box.get("result"), box.get("error")


def expect(test, codes, api, func, *args):
    """Assert that the call fails with one of codes; an unexpected VIR_ERR_NO_SUPPORT is UNSUPPORTED."""
    codes = (codes,) if isinstance(codes, int) else tuple(codes)
    wanted = " or ".join(libvirt_errors.code_name(code) for code in codes)
    result, error = call(test, api, func, *args)
    if error is None:
        test.fail(f"{api}: expected {wanted}, but it returned {result!r}")
    code = error.get_error_code()
    if code in codes:
        test.log.info("%s refused, as documented: %s", api, libvirt_errors.describe(error))
        return error
    if code == libvirt.VIR_ERR_NO_SUPPORT:
        test.unsupported(f"{api}: {error.get_error_message()}")
    test.fail(f"{api}: expected {wanted}, got {libvirt_errors.describe(error)}")
    return None


def undefined_flag(api):
    """A flag bit that no enum of the API defines (libvirt-api.xml), for virCheckFlags."""
    try:
        return apisurface.load().undefined_flag(api)
    except (CertError, KeyError):
        return 1 << 30


def missing_uuid():
    return str(uuid.uuid4())


def random_mac():
    return "52:54:00:" + ":".join(f"{random.randint(0, 255):02x}" for _ in range(3))


def names(objects):
    return sorted(obj.name() for obj in objects)


# --- the suite's own objects -------------------------------------------------------------------------
def domain(test, start=False):
    dom = test.define_domain()
    if start:
        dom.create()
    return dom


def network(test):
    """An inactive isolated network (defined only: nothing runs on the host)."""
    xml = xmlbuild.to_xml(xmlbuild.network(naming.unique("net"), naming.netdev()))
    return test.objects.define_network(xml)


def network_xml():
    return xmlbuild.to_xml(xmlbuild.network(naming.unique("net"), naming.netdev()))


def pool(test):
    """A started dir pool in a prefixed folder, removed with the test."""
    name = naming.unique("pool")
    path = os.path.join(POOL_PARENT, name)
    os.makedirs(path, exist_ok=False)
    test.objects.on_cleanup(f"folder {path}", shutil.rmtree, path, True)
    return test.objects.create_pool(xmlbuild.to_xml(xmlbuild.dir_pool(name, path)))


def pool_xml():
    name = naming.unique("pool")
    return xmlbuild.to_xml(xmlbuild.dir_pool(name, os.path.join(POOL_PARENT, name)))


def volume(test, owner, capacity=1 << 20):
    return test.objects.create_volume(owner, volume_xml(capacity))


def volume_xml(capacity=1 << 20):
    return xmlbuild.to_xml(xmlbuild.volume(naming.unique("vol") + ".img", capacity=capacity))


def secret_xml(usage=None):
    return xmlbuild.to_xml(xmlbuild.secret(usage or naming.unique("secret")))


def nwfilter_xml():
    return xmlbuild.to_xml(xmlbuild.nwfilter(naming.unique("filter")))


def interface_xml(name=None):
    """A host ethernet interface definition with a prefixed device name."""
    return hostinterface.ethernet(name or naming.netdev(), random_mac())
