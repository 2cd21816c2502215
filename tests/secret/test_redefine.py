"""Redefinition of a secret (virSecretDefineXML with a UUID or usage that exists): another UUID for a
usage in use, or the UUID of a secret for another usage, is refused and the secret stays as it was."""

from avocado_cert.testing.redefine import RedefineTest, SecretKind


class SecretRedefine(RedefineTest):
    """
    :avocado: tags=area:secret,cap:secret.redefine,redefine:secret
    """

    kind_class = SecretKind

    def test_other_uuid(self):
        """
        A usage in use under another UUID is refused; the secret of that usage is unchanged.

        :avocado: tags=api:virSecretDefineXML
        """
        self.check_other_uuid()

    def test_uuid_other_usage(self):
        """
        The UUID of a secret with another usage is refused, and no secret of that usage appears.

        :avocado: tags=api:virSecretDefineXML
        """
        self.check_uuid_other_name()
