"""Migration tuning of a domain, set and read back without migrating: the maximum bandwidth (pre-copy
and post-copy apart), the maximum downtime, and the compression (XBZRLE) cache size."""

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import Runtime

MIB = 1024 * 1024


class MigrationParams(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.migration_params
    """

    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)

    def read(self, getter, flags=0):
        """A getter's value; libvirt-python returns None instead of raising for some of them."""
        libvirt.virResetLastError()
        value = getter(flags)
        if value is None:
            error = libvirt.virGetLastError()
            if error and error[0] == libvirt.VIR_ERR_NO_SUPPORT:
                self.unsupported(error[2])
            self.fail(f"{getter.__name__} returned no value: {error}")
        return value

    def test_max_speed(self):
        """
        migrateSetMaxSpeed sets the bandwidth in MiB/s read back by migrateGetMaxSpeed, on an inactive
        and a running domain; VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY sets and reads the post-copy
        bandwidth apart from the pre-copy one.

        :avocado: tags=api:virDomainMigrateSetMaxSpeed,api:virDomainMigrateGetMaxSpeed
        """
        postcopy = libvirt.VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY
        dom, _facts = self.rt.domain(start=False)
        self.assertEqual(dom.migrateSetMaxSpeed(61, 0), 0)
        self.assertEqual(self.read(dom.migrateGetMaxSpeed), 61, "the inactive domain's bandwidth")
        dom.create()
        for value in (97, 8192):
            self.assertEqual(dom.migrateSetMaxSpeed(value, 0), 0)
            self.assertEqual(self.read(dom.migrateGetMaxSpeed), value)
        postcopy_before = self.read(dom.migrateGetMaxSpeed, postcopy)
        self.rt.call_flags("migrateSetMaxSpeed(POSTCOPY)", dom.migrateSetMaxSpeed, 43, postcopy)
        self.assertEqual(self.read(dom.migrateGetMaxSpeed, postcopy), 43)
        self.assertEqual(
            self.read(dom.migrateGetMaxSpeed),
            8192,
            "setting the post-copy bandwidth changed the pre-copy one",
        )
        self.assertNotEqual(postcopy_before, 43)
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING, "after tuning")

    def test_max_downtime(self):
        """
        migrateSetMaxDowntime sets the tolerated downtime in milliseconds of a running domain, read back
        by migrateGetMaxDowntime; an inactive domain refuses it with VIR_ERR_OPERATION_INVALID.

        :avocado: tags=api:virDomainMigrateSetMaxDowntime,api:virDomainMigrateGetMaxDowntime
        """
        dom, _facts = self.rt.domain()
        for value in (1234, 45):
            self.assertEqual(dom.migrateSetMaxDowntime(value, 0), 0)
            self.assertEqual(self.read(dom.migrateGetMaxDowntime), value)
        inactive, _facts = self.rt.domain(start=False)
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, inactive.migrateSetMaxDowntime, 100, 0)

    def test_compression_cache(self):
        """
        migrateSetCompressionCache sets the cache size in bytes of a running domain, read back by
        migrateGetCompressionCache; an inactive domain refuses it with VIR_ERR_OPERATION_INVALID.

        :avocado: tags=api:virDomainMigrateSetCompressionCache,api:virDomainMigrateGetCompressionCache
        """
        dom, _facts = self.rt.domain()
        for value in (128 * MIB, 16 * MIB):
            self.assertEqual(dom.migrateSetCompressionCache(value, 0), 0)
            self.assertEqual(self.read(dom.migrateGetCompressionCache), value)
        inactive, _facts = self.rt.domain(start=False)
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, inactive.migrateSetCompressionCache, 64 * MIB, 0)
