"""Migration modes: offline and persistent (the definition moved with PERSIST_DEST, removed from the
source with UNDEFINE_SOURCE), with shared storage and with the storage copied (NON_SHARED_DISK),
and post-copy (virDomainMigrateStartPostCopy switching a migration in flight)."""

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing.migration import SLOW_MIB_S, MigrationTest

PERSIST = libvirt.VIR_MIGRATE_PERSIST_DEST | libvirt.VIR_MIGRATE_UNDEFINE_SOURCE


class Persistence(MigrationTest):
    """
    :avocado: tags=area:migration,cap:migration.persistence
    """

    def test_offline(self):
        """
        An inactive domain moves with OFFLINE|PERSIST_DEST|UNDEFINE_SOURCE: the destination holds its
        inactive definition (same UUID, same memory), the source none.

        :avocado: tags=api:virDomainMigrateToURI3
        """
        dom = self.objects.define_domain(self.guest_xml())
        name, uuid = dom.name(), dom.UUIDString()
        self.arriving(name)
        flags = libvirt.VIR_MIGRATE_OFFLINE | libvirt.VIR_MIGRATE_PEER2PEER | PERSIST
        self.migrate_timed("migrateToURI3(OFFLINE)", dom.migrateToURI3, self.peer_uri, {}, flags)
        ddom = self.dconn.lookupByName(name)
        self.assertEqual(ddom.UUIDString(), uuid)
        self.assertEqual(ddom.isPersistent(), 1)
        self.assertEqual(ddom.isActive(), 0)
        want = xmlsafe.fromstring(self.guest_xml(name=name)).findtext("memory")
        self.assertEqual(xmlsafe.fromstring(ddom.XMLDesc(0)).findtext("memory"), want)
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.conn.lookupByName, name)

    def test_live_persistent(self):
        """
        A running guest moved with LIVE|PERSIST_DEST|UNDEFINE_SOURCE runs on the destination, defined
        there, and the source has no trace of it.

        :avocado: tags=api:virDomainMigrateToURI3
        """
        guest = self.boot_moving()
        self.migrate_timed(
            "migrateToURI3(PERSIST)", guest.dom.migrateToURI3, self.peer_uri, {}, self.live_p2p | PERSIST
        )
        self.record_downtime(guest.name)
        ddom = self.assert_arrived(guest)
        self.assertEqual(ddom.isPersistent(), 1, "PERSIST_DEST: the destination keeps a definition")
        self.assert_source_gone(guest, persistent=False)


class Storage(MigrationTest):
    """
    :avocado: tags=area:migration,cap:migration.storage
    """

    def test_shared_storage(self):
        """
        A guest whose disk is in a folder both hosts see moves alone; the marker it wrote on its disk
        before is read back from the disk on the destination.

        :avocado: tags=api:virDomainMigrateToURI3
        """
        guest = self.boot_moving(disk_path=self.shared_disk())
        flags = self.live_p2p
        if str(self.params.get("migration_shared_is_local", default="no")).lower() in ("yes", "true", "1"):
            # A local folder both hosts see: libvirt cannot tell it is shared (no NFS, no cluster FS).
            flags |= libvirt.VIR_MIGRATE_UNSAFE
        self.migrate_timed("migrateToURI3(shared storage)", guest.dom.migrateToURI3, self.peer_uri, {}, flags)
        self.record_downtime(guest.name)
        self.assert_arrived(guest)

    def test_non_shared_disk(self):
        """
        VIR_MIGRATE_NON_SHARED_DISK copies a disk only the source sees to the destination (created there
        in the pool at the same path): the guest reads its marker from the copied disk.

        :avocado: tags=api:virDomainMigrateToURI3
        """
        guest = self.boot_moving(disk_path=self.local_pools())
        flags = self.live_p2p | libvirt.VIR_MIGRATE_NON_SHARED_DISK
        self.migrate_timed(
            "migrateToURI3(NON_SHARED_DISK)", guest.dom.migrateToURI3, self.peer_uri, {}, flags
        )
        self.record_downtime(guest.name)
        self.assert_arrived(guest)


class PostCopy(MigrationTest):
    """
    :avocado: tags=area:migration,cap:migration.postcopy
    """

    def test_start_postcopy(self):
        """
        A migration started with VIR_MIGRATE_POSTCOPY and held back by a low bandwidth switches to
        post-copy on migrateStartPostCopy and completes: the guest runs on the destination with its
        counter gone on, and the destination's resume event says POSTCOPY.

        :avocado: tags=api:virDomainMigrateStartPostCopy,api:virDomainMigrateToURI3
        """
        guest = self.boot_moving()
        flags = self.live_p2p | libvirt.VIR_MIGRATE_POSTCOPY
        # Held back before the switch, unbounded after it.
        params = {
            libvirt.VIR_MIGRATE_PARAM_BANDWIDTH: SLOW_MIB_S,
            libvirt.VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY: 0,
        }
        flight = self.in_flight(guest.dom.migrateToURI3, self.peer_uri, params, flags)
        self.wait_job(guest.dom)
        self.assertEqual(guest.dom.migrateStartPostCopy(0), 0)
        self.finish(flight)
        if flight.error is not None:
            raise flight.error
        self.record_metric("migration_total_ms", flight.seconds * 1000, "ms")
        self.record_downtime(guest.name)
        self.assert_arrived(guest)
        self.assert_events(guest.name, postcopy=True)
