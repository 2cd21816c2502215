"""A migration in flight, seen and steered: getJobInfo/getJobStats report the outgoing job, the
bandwidth and downtime tuning act on it, the compression it was given shows in its statistics, and
abortJob stops it with the guest running on unharmed at the source."""

import libvirt

from avocado_cert.testing.migration import SLOW_MIB_S, MigrationTest

MIB = 1024 * 1024


class InFlightJob(MigrationTest):
    """
    :avocado: tags=area:migration,cap:migration.job
    """

    def test_job_stats_and_tuning(self):
        """
        While a migration held back to 1 MiB/s runs, getJobInfo says UNBOUNDED and getJobStats names the
        outgoing migration with its memory progressing; raising the bandwidth and the downtime with
        migrateSetMaxSpeed/migrateSetMaxDowntime on the running job reads back and lets it complete.

        :avocado: tags=api:virDomainGetJobInfo,api:virDomainGetJobStats
        :avocado: tags=api:virDomainMigrateSetMaxSpeed,api:virDomainMigrateGetMaxSpeed
        :avocado: tags=api:virDomainMigrateSetMaxDowntime,api:virDomainMigrateGetMaxDowntime
        """
        guest = self.boot_moving()
        params = {libvirt.VIR_MIGRATE_PARAM_BANDWIDTH: SLOW_MIB_S}
        flight = self.in_flight(guest.dom.migrateToURI3, self.peer_uri, params, self.live_p2p)
        first = self.wait_job(guest.dom)
        self.assertEqual(first.get("operation"), libvirt.VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT)
        self.assertGreater(first.get("memory_total", 0), 0)
        info = guest.dom.jobInfo()
        self.assertEqual(info[0], libvirt.VIR_DOMAIN_JOB_UNBOUNDED, f"jobInfo during the migration: {info}")
        self.wait_for(
            lambda: guest.dom.jobStats(0).get("memory_processed", 0) > first["memory_processed"],
            30,
            what="the migrated memory to grow",
        )
        self.assertEqual(guest.dom.migrateGetMaxSpeed(0), SLOW_MIB_S, "the bandwidth the migration was given")
        self.assertEqual(guest.dom.migrateSetMaxDowntime(2000, 0), 0)
        self.assertEqual(guest.dom.migrateGetMaxDowntime(0), 2000)
        self.assertEqual(guest.dom.migrateSetMaxSpeed(8192, 0), 0)
        self.assertEqual(guest.dom.migrateGetMaxSpeed(0), 8192)
        self.finish(flight, timeout=120)
        if flight.error is not None:
            raise flight.error
        self.record_metric("migration_total_ms", flight.seconds * 1000, "ms")
        stats = self.record_downtime(guest.name)
        self.assertGreater(stats.get("memory_processed", 0), first["memory_processed"])
        self.assert_arrived(guest)

    def test_compression(self):
        """
        A migration with VIR_MIGRATE_COMPRESSED and XBZRLE in its parameters uses the compression cache
        set with migrateSetCompressionCache: the completed job's statistics report that cache size.

        :avocado: tags=api:virDomainMigrateSetCompressionCache,api:virDomainMigrateGetCompressionCache
        :avocado: tags=api:virDomainMigrateToURI3,api:virDomainGetJobStats
        """
        guest = self.boot_moving()
        self.assertEqual(guest.dom.migrateSetCompressionCache(32 * MIB, 0), 0)
        self.assertEqual(guest.dom.migrateGetCompressionCache(0), 32 * MIB)
        params = {libvirt.VIR_MIGRATE_PARAM_COMPRESSION: "xbzrle"}
        flags = self.live_p2p | libvirt.VIR_MIGRATE_COMPRESSED
        self.migrate_timed("migrateToURI3(COMPRESSED)", guest.dom.migrateToURI3, self.peer_uri, params, flags)
        stats = self.record_downtime(guest.name)
        self.assertEqual(stats.get("compression_cache"), 32 * MIB, f"completed job stats: {stats}")
        self.assert_arrived(guest)


class Abort(MigrationTest):
    """
    :avocado: tags=area:migration,cap:migration.abort
    """

    def test_abort_in_flight(self):
        """
        abortJob on a migration in flight ends it with VIR_ERR_OPERATION_ABORTED: the guest runs on at
        the source, its counter going on, and the destination has no trace of it.

        :avocado: tags=api:virDomainAbortJob,api:virDomainMigrateToURI3
        """
        guest = self.boot_moving()
        params = {libvirt.VIR_MIGRATE_PARAM_BANDWIDTH: SLOW_MIB_S}
        flight = self.in_flight(guest.dom.migrateToURI3, self.peer_uri, params, self.live_p2p)
        self.wait_job(guest.dom)
        self.assertEqual(guest.dom.abortJob(), 0)
        self.finish(flight, timeout=60)
        if flight.error is None:
            self.fail("the aborted migration returned success")
        self.assertEqual(
            flight.error.get_error_code(),
            libvirt.VIR_ERR_OPERATION_ABORTED,
            f"the aborted migration's error: {flight.error.get_error_message()}",
        )
        self.assert_stayed(guest)
