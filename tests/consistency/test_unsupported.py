"""An API the driver does not implement answers VIR_ERR_NO_SUPPORT and nothing else: no crash, no hang,
no other code. Each probe is a valid call on the test's own objects, so a driver that implements it
simply succeeds; one that does not must say so with VIR_ERR_NO_SUPPORT."""

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.host import libvirt_errors
from avocado_cert.testing import CertTest
from avocado_cert.testing import consistency as cons


class Unsupported(CertTest):
    """
    :avocado: tags=area:consistency,cap:consistency.unsupported
    """

    def _probes(self):
        """(C name, callable, args) of valid calls across modules, on objects of this test."""
        pool = cons.pool(self)
        vol = cons.volume(self, pool)
        capacity = vol.info()[1]
        return [
            ("virConnectGetDomainCapabilities", self.conn.getDomainCapabilities, (None, None, None, None, 0)),
            ("virNodeGetMemoryStats", self.conn.getMemoryStats, (-1, 0)),
            ("virConnectGetStoragePoolCapabilities", self.conn.getStoragePoolCapabilities, (0,)),
            ("virStoragePoolLookupByTargetPath", self.conn.storagePoolLookupByTargetPath, (pool_path(pool),)),
            ("virStorageVolGetInfoFlags", vol.infoFlags, (0,)),
            ("virStorageVolResize", vol.resize, (capacity * 2, 0)),
            ("virStorageVolWipe", vol.wipe, (0,)),
            ("virInterfaceDefineXML", self.objects.define_interface, (cons.interface_xml(),)),
            ("virConnectListAllSecrets", self.conn.listAllSecrets, (0,)),
            ("virConnectListAllNWFilters", self.conn.listAllNWFilters, (0,)),
            ("virConnectListAllNWFilterBindings", self.conn.listAllNWFilterBindings, (0,)),
        ]

    def test_probes(self):
        """
        Every probed API either works or answers VIR_ERR_NO_SUPPORT; at least one must be unsupported
        for the check to mean something (else SKIP).

        :avocado: tags=api:virConnectGetDomainCapabilities,api:virNodeGetMemoryStats
        :avocado: tags=api:virConnectGetStoragePoolCapabilities,api:virStoragePoolLookupByTargetPath
        :avocado: tags=api:virStorageVolGetInfoFlags,api:virStorageVolResize,api:virStorageVolWipe
        :avocado: tags=api:virInterfaceDefineXML,api:virConnectListAllSecrets,api:virConnectListAllNWFilters
        :avocado: tags=api:virConnectListAllNWFilterBindings
        """
        implemented, unsupported, wrong = [], [], []
        for api, func, args in self._probes():
            _result, error = cons.call(self, api, func, *args)
            if error is None:
                implemented.append(api)
            elif error.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT:
                unsupported.append(api)
            else:
                wrong.append(f"{api}: {libvirt_errors.describe(error)}")
        self.log.info("implemented: %s", ", ".join(implemented) or "none")
        self.log.info("VIR_ERR_NO_SUPPORT: %s", ", ".join(unsupported) or "none")
        if wrong:
            self.fail("valid calls that neither worked nor answered VIR_ERR_NO_SUPPORT: " + "; ".join(wrong))
        self.require(unsupported, "the driver implements every probed API: nothing unsupported to check")


def pool_path(pool):
    return xmlsafe.fromstring(pool.XMLDesc(0)).findtext("target/path")
