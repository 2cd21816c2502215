"""Migration misuses and refusals answer with the documented errors, and a migration that does not
happen leaves the guest where it was, running and unharmed."""

import libvirt

from avocado_cert.testing.migration import MigrationTest

# A destination no daemon serves: a unix socket path that does not exist (no network traffic).
UNREACHABLE = "qemu+unix:///system?socket=/nonexistent/acert-migration/libvirt-sock"


class Refusals(MigrationTest):
    """
    :avocado: tags=area:migration,cap:migration.errors
    """

    def test_not_running(self):
        """
        A domain that is not running, migrated live without VIR_MIGRATE_OFFLINE, is refused with
        VIR_ERR_OPERATION_INVALID (client-managed and peer-to-peer), and stays defined on the source.

        :avocado: tags=api:virDomainMigrate3,api:virDomainMigrateToURI3
        """
        dom = self.objects.define_domain(self.guest_xml())
        self.arriving(dom.name())
        self.expect_error(
            libvirt.VIR_ERR_OPERATION_INVALID, dom.migrate3, self.dconn, {}, libvirt.VIR_MIGRATE_LIVE
        )
        self.expect_error(
            libvirt.VIR_ERR_OPERATION_INVALID, dom.migrateToURI3, self.peer_uri, {}, self.live_p2p
        )
        self.assertEqual(self.conn.lookupByName(dom.name()).isActive(), 0)
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.dconn.lookupByName, dom.name())

    def test_conflicting_flags(self):
        """
        NON_SHARED_DISK with NON_SHARED_INC is refused with VIR_ERR_INVALID_ARG before anything moves.

        :avocado: tags=api:virDomainMigrateToURI3
        """
        dom = self.objects.define_domain(self.guest_xml())
        self.arriving(dom.name())
        flags = self.live_p2p | libvirt.VIR_MIGRATE_NON_SHARED_DISK | libvirt.VIR_MIGRATE_NON_SHARED_INC
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, dom.migrateToURI3, self.peer_uri, {}, flags)
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.dconn.lookupByName, dom.name())

    def test_unreachable_destination(self):
        """
        A peer-to-peer migration to a destination URI nothing answers is refused with
        VIR_ERR_OPERATION_FAILED or VIR_ERR_SYSTEM_ERROR; the guest runs on at the source unharmed.

        :avocado: tags=api:virDomainMigrateToURI3
        """
        guest = self.boot_moving()
        self.expect_error(
            (libvirt.VIR_ERR_OPERATION_FAILED, libvirt.VIR_ERR_SYSTEM_ERROR),
            guest.dom.migrateToURI3,
            UNREACHABLE,
            {},
            self.live_p2p,
        )
        self.assert_stayed(guest)

    def test_refused_by_destination(self):
        """
        The destination refuses a guest whose name it already holds under another UUID
        (VIR_ERR_OPERATION_FAILED); the guest runs on at the source unharmed and the destination's own
        domain of that name is left as it was.

        :avocado: tags=api:virDomainMigrateToURI3
        """
        guest = self.boot_moving()
        self.dest_objects.define_domain(self.guest_xml(name=guest.name))
        before = self.dconn.lookupByName(guest.name).XMLDesc(0)
        self.expect_error(
            libvirt.VIR_ERR_OPERATION_FAILED, guest.dom.migrateToURI3, self.peer_uri, {}, self.live_p2p
        )
        self.assert_state(guest.dom, libvirt.VIR_DOMAIN_RUNNING, f"{guest.name} on the source")
        self.assertEqual(self.dconn.lookupByName(guest.name).XMLDesc(0), before)
        self.assertEqual(self.dconn.lookupByName(guest.name).isActive(), 0)
        counter = self.read_counter(guest.console)
        self.assertGreater(counter, guest.counter, "the counter on the source went on")
