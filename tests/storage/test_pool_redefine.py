"""Redefinition of a storage pool (virStoragePoolDefineXML on a name that exists): the definition changes
in place, also of an active pool (whose live definition libvirt may replace at once), and another UUID
under the name (or the UUID under another name) is refused."""

from avocado_cert.testing.redefine import PoolKind, RedefineTest


class PoolRedefine(RedefineTest):
    """
    :avocado: tags=area:storage,cap:storage.pool_redefine,redefine:storage_pool
    """

    kind_class = PoolKind

    def test_update(self):
        """
        Defining an inactive pool again with a change updates it: same UUID, the change in its XML.

        :avocado: tags=api:virStoragePoolDefineXML
        """
        self.check_update()

    def test_active(self):
        """
        Redefining an active pool changes its persistent definition (the XML with
        VIR_STORAGE_XML_INACTIVE), which it keeps when stopped and started again.

        :avocado: tags=api:virStoragePoolDefineXML
        """
        self.check_active()

    def test_other_uuid(self):
        """
        The name of a pool with another UUID is refused (VIR_ERR_OPERATION_FAILED), the pool unchanged.

        :avocado: tags=api:virStoragePoolDefineXML
        """
        self.check_other_uuid()

    def test_uuid_other_name(self):
        """
        The UUID of a pool under another name is refused, and no pool of that name appears.

        :avocado: tags=api:virStoragePoolDefineXML
        """
        self.check_uuid_other_name()
