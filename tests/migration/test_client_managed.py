"""Client-managed live migration: the client holds connections to both hosts and drives the phases
(virDomainMigrate, Migrate2, Migrate3). Each moves a running guest whose counter goes on at the
destination, with the documented lifecycle events on both sides."""

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing.migration import LIVE, MigrationTest
from avocado_cert.testing.objects import Objects


class ClientManaged(MigrationTest):
    """
    :avocado: tags=area:migration,cap:migration.client_managed
    """

    def test_migrate(self):
        """
        migrate(dconn, LIVE) moves the running guest: it answers on the destination's console with its
        counter gone on, the source keeps only its (shut off) definition, and the events say MIGRATED.

        :avocado: tags=api:virDomainMigrate
        """
        guest = self.boot_moving()
        ddom = self.migrate_timed("migrate", guest.dom.migrate, self.dconn, LIVE, None, None, 0)
        self.assertEqual(ddom.UUIDString(), guest.dom.UUIDString(), "the domain returned on the destination")
        self.record_downtime(guest.name)
        self.assert_arrived(guest)
        self.assert_source_gone(guest, persistent=True)
        self.assertEqual(ddom.isPersistent(), 0, "without PERSIST_DEST the destination's domain is transient")
        self.assert_events(guest.name)

    def test_migrate2(self):
        """
        migrate2(dconn, dxml, LIVE) moves the guest with the destination XML it is given (a new
        description) and the guest's memory.

        :avocado: tags=api:virDomainMigrate2
        """
        guest = self.boot_moving()
        root = xmlsafe.fromstring(guest.dom.XMLDesc(libvirt.VIR_DOMAIN_XML_MIGRATABLE))
        description = root.find("description")
        if description is None:
            description = root.makeelement("description", {})
            root.insert(3, description)
        description.text = "acert: moved with migrate2"
        dxml = xmlsafe.tostring(root)
        ddom = self.migrate_timed("migrate2", guest.dom.migrate2, self.dconn, dxml, LIVE, None, None, 0)
        self.record_downtime(guest.name)
        self.assert_arrived(guest)
        got = xmlsafe.fromstring(ddom.XMLDesc(0)).findtext("description")
        self.assertEqual(got, "acert: moved with migrate2", "the destination XML given to migrate2")
        self.assert_events(guest.name)

    def test_migrate3(self):
        """
        migrate3(dconn, {DEST_NAME}, LIVE) moves the guest under the name its parameters give.

        :avocado: tags=api:virDomainMigrate3
        """
        guest = self.boot_moving()
        new_name = self.arriving(Objects.name("dom"))
        params = {libvirt.VIR_MIGRATE_PARAM_DEST_NAME: new_name}
        ddom = self.migrate_timed("migrate3", guest.dom.migrate3, self.dconn, params, LIVE)
        self.assertEqual(ddom.name(), new_name)
        self.record_downtime(new_name)
        self.assert_arrived(guest, name=new_name)
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.dconn.lookupByName, guest.name)
        self.assert_events(guest.name, new_name)
