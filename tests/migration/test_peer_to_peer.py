"""Peer-to-peer live migration: the source daemon connects to the destination itself (the profile's
migration_peer_uri) and drives the phases (virDomainMigrateToURI, ToURI2, ToURI3), directly between
the QEMU processes or tunnelled through the daemons' connection."""

import libvirt

from avocado_cert.testing.migration import MigrationTest
from avocado_cert.testing.objects import Objects


class PeerToPeer(MigrationTest):
    """
    :avocado: tags=area:migration,cap:migration.peer_to_peer
    """

    def test_migrate_to_uri(self):
        """
        migrateToURI(duri, LIVE|PEER2PEER, dname) moves the running guest under the new name: its
        counter goes on at the destination, and the events say MIGRATED on both sides.

        :avocado: tags=api:virDomainMigrateToURI
        """
        guest = self.boot_moving()
        new_name = self.arriving(Objects.name("dom"))
        self.assertEqual(
            self.migrate_timed(
                "migrateToURI", guest.dom.migrateToURI, self.peer_uri, self.live_p2p, new_name, 0
            ),
            0,
        )
        self.record_downtime(new_name)
        self.assert_arrived(guest, name=new_name)
        self.assert_source_gone(guest, persistent=True)
        self.assert_events(guest.name, new_name)

    def test_migrate_to_uri2(self):
        """
        migrateToURI2(dconnuri, None, None, LIVE|PEER2PEER) moves the running guest, the migration URI
        chosen by the destination.

        :avocado: tags=api:virDomainMigrateToURI2
        """
        guest = self.boot_moving()
        result = self.migrate_timed(
            "migrateToURI2", guest.dom.migrateToURI2, self.peer_uri, None, None, self.live_p2p, None, 0
        )
        self.assertEqual(result, 0)
        self.record_downtime(guest.name)
        self.assert_arrived(guest)
        self.assert_events(guest.name)

    def test_migrate_to_uri3(self):
        """
        migrateToURI3(dconnuri, {}, LIVE|PEER2PEER) moves the running guest.

        :avocado: tags=api:virDomainMigrateToURI3
        """
        guest = self.boot_moving()
        result = self.migrate_timed(
            "migrateToURI3", guest.dom.migrateToURI3, self.peer_uri, {}, self.live_p2p
        )
        self.assertEqual(result, 0)
        self.record_downtime(guest.name)
        self.assert_arrived(guest)
        self.assert_source_gone(guest, persistent=True)
        self.assert_events(guest.name)


class Tunnelled(MigrationTest):
    """
    :avocado: tags=area:migration,cap:migration.tunnelled
    """

    def test_tunnelled(self):
        """
        VIR_MIGRATE_TUNNELLED carries the migration stream through the daemons' own connection: the
        guest arrives with its counter gone on.

        :avocado: tags=api:virDomainMigrateToURI3
        """
        guest = self.boot_moving()
        flags = self.live_p2p | libvirt.VIR_MIGRATE_TUNNELLED
        self.migrate_timed("migrateToURI3(TUNNELLED)", guest.dom.migrateToURI3, self.peer_uri, {}, flags)
        self.record_downtime(guest.name)
        self.assert_arrived(guest)
        self.assert_events(guest.name)
