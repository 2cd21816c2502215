"""Secrets: define and undefine, values (binary too) that never show in XML, private and ephemeral
secrets, lookups by UUID and by usage for every usage type, and the list filters."""

import base64
import uuid as uuidlib

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest, secret

# Bytes a string-based implementation would mangle: NUL, high bytes, a newline.
BINARY_VALUE = b"\x00acert\xff\xfe\x01\n\x80value\x00"


class SecretBase(CertTest):
    """
    :avocado: disable
    """

    def define(self, usage_type="ceph", ephemeral=False, private=False, uuid=None):
        unique = self.objects.name("sec")
        usage = secret.usage_id(usage_type, unique)
        xml = secret.secret(usage_type, usage, ephemeral=ephemeral, private=private, uuid=uuid)
        return self.objects.define_secret(xml), usage

    def assert_gone(self, uuid, usage_type, usage):
        self.expect_error(libvirt.VIR_ERR_NO_SECRET, self.conn.secretLookupByUUIDString, uuid)
        self.expect_error(libvirt.VIR_ERR_NO_SECRET, self.conn.secretLookupByUsage, usage_type, usage)


class SecretLifecycle(SecretBase):
    """
    :avocado: tags=area:secret,cap:secret.lifecycle
    """

    def test_define_lookup_undefine(self):
        """
        A defined secret keeps its UUID and usage, is found by UUID (string and bytes) and by usage, and
        after undefine no lookup finds it.

        :avocado: tags=api:virSecretDefineXML,api:virSecretUndefine,api:virSecretGetXMLDesc
        :avocado: tags=api:virSecretLookupByUUID,api:virSecretLookupByUUIDString,api:virSecretLookupByUsage
        :avocado: tags=api:virSecretGetUUID,api:virSecretGetUUIDString,api:virSecretGetUsageType
        :avocado: tags=api:virSecretGetUsageID
        """
        wanted = str(uuidlib.uuid4())
        sec, usage = self.define(uuid=wanted)
        self.assertEqual(sec.UUIDString(), wanted)
        self.assertEqual(sec.UUID(), uuidlib.UUID(wanted).bytes)
        self.assertEqual(sec.usageType(), libvirt.VIR_SECRET_USAGE_TYPE_CEPH)
        self.assertEqual(sec.usageID(), usage)
        root = xmlsafe.fromstring(sec.XMLDesc(0), "secret XML")
        self.assertEqual(root.findtext("uuid"), wanted)
        self.assertEqual(root.find("usage").get("type"), "ceph")
        self.assertEqual(root.findtext("usage/name"), usage)
        self.assertEqual((root.get("ephemeral"), root.get("private")), ("no", "no"))
        self.assertEqual(self.conn.secretLookupByUUIDString(wanted).usageID(), usage)
        self.assertEqual(self.conn.secretLookupByUUID(uuidlib.UUID(wanted).bytes).UUIDString(), wanted)
        self.assertEqual(
            self.conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_CEPH, usage).UUIDString(), wanted
        )
        self.assertEqual(sec.undefine(), 0)
        self.assert_gone(wanted, libvirt.VIR_SECRET_USAGE_TYPE_CEPH, usage)
        self.expect_error(libvirt.VIR_ERR_NO_SECRET, self.conn.secretLookupByUUID, uuidlib.UUID(wanted).bytes)

    def test_usage_types(self):
        """
        Secrets of every usage type (ceph, volume, iscsi, tls, vtpm) report their usage and are found by it.

        :avocado: tags=api:virSecretDefineXML,api:virSecretLookupByUsage,api:virSecretGetUsageType
        :avocado: tags=api:virSecretGetUsageID
        """
        for usage_type, (element, constant) in secret.USAGES.items():
            sec, usage = self.define(usage_type)
            code = getattr(libvirt, constant)
            self.assertEqual(sec.usageType(), code, f"{usage_type}: usage type")
            self.assertEqual(sec.usageID(), usage, f"{usage_type}: usage id")
            root = xmlsafe.fromstring(sec.XMLDesc(0))
            self.assertEqual(root.find("usage").get("type"), usage_type)
            self.assertEqual(root.findtext(f"usage/{element}"), usage)
            self.assertEqual(self.conn.secretLookupByUsage(code, usage).UUIDString(), sec.UUIDString())
        other = self.define("ceph")[1]
        self.expect_error(
            libvirt.VIR_ERR_NO_SECRET, self.conn.secretLookupByUsage, libvirt.VIR_SECRET_USAGE_TYPE_TLS, other
        )

    def test_redefine_updates(self):
        """
        Defining a secret again with its UUID updates it in place; the value is kept.

        :avocado: tags=api:virSecretDefineXML,api:virSecretGetXMLDesc
        """
        sec, usage = self.define()
        uuid = sec.UUIDString()
        sec.setValue(b"kept", 0)
        updated = secret.secret("ceph", usage, uuid=uuid, description="acert updated")
        again = self.conn.secretDefineXML(updated, 0)
        self.assertEqual(again.UUIDString(), uuid)
        self.assertEqual(xmlsafe.fromstring(again.XMLDesc(0)).findtext("description"), "acert updated")
        self.assertEqual(again.value(0), b"kept")


class SecretValues(SecretBase):
    """
    :avocado: tags=area:secret,cap:secret.value
    """

    def test_value_roundtrip(self):
        """
        A value (binary bytes included) reads back exactly, a new value replaces it, and no XML shows it.

        :avocado: tags=api:virSecretSetValue,api:virSecretGetValue,api:virSecretGetXMLDesc
        """
        sec, _usage = self.define()
        self.expect_error(libvirt.VIR_ERR_NO_SECRET, sec.value, 0)
        self.assertEqual(sec.setValue(BINARY_VALUE, 0), 0)
        self.assertEqual(sec.value(0), BINARY_VALUE)
        self.assertEqual(self.conn.secretLookupByUUIDString(sec.UUIDString()).value(0), BINARY_VALUE)
        self.assertEqual(sec.setValue(b"second", 0), 0)
        self.assertEqual(sec.value(0), b"second")
        self._assert_not_in_xml(sec, [BINARY_VALUE, b"second"])

    def test_private(self):
        """
        A private secret takes a value but never gives it back (VIR_ERR_INVALID_SECRET), nor shows it.

        :avocado: tags=api:virSecretSetValue,api:virSecretGetValue,api:virSecretGetXMLDesc
        """
        sec, _usage = self.define(private=True)
        self.assertEqual(xmlsafe.fromstring(sec.XMLDesc(0)).get("private"), "yes")
        self.assertEqual(sec.setValue(BINARY_VALUE, 0), 0)
        self.expect_error(libvirt.VIR_ERR_INVALID_SECRET, sec.value, 0)
        self._assert_not_in_xml(sec, [BINARY_VALUE])

    def _assert_not_in_xml(self, sec, values):
        documents = [sec.XMLDesc(0)]
        for other in self.conn.listAllSecrets(0):
            if other.UUIDString() == sec.UUIDString():
                documents.append(other.XMLDesc(0))
        for value in values:
            forms = {value.decode("latin-1"), base64.b64encode(value).decode("ascii")}
            printable = value.strip(b"\x00\n").decode("latin-1")
            if len(printable) >= 4:
                forms.add(printable)
            for document in documents:
                for form in forms:
                    self.assertNotIn(form, document, "the secret's value appears in its XML")


class SecretLists(SecretBase):
    """
    :avocado: tags=area:secret,cap:secret.list
    """

    def test_ephemeral_private_filters(self):
        """
        The EPHEMERAL/NO_EPHEMERAL and PRIVATE/NO_PRIVATE filters sort secrets by those flags, which
        the XML states.

        :avocado: tags=api:virConnectListAllSecrets,api:virSecretDefineXML,api:virSecretGetXMLDesc
        """
        mine = {}
        for ephemeral in (False, True):
            for private in (False, True):
                sec, _usage = self.define(ephemeral=ephemeral, private=private)
                root = xmlsafe.fromstring(sec.XMLDesc(0))
                self.assertEqual(root.get("ephemeral"), "yes" if ephemeral else "no")
                self.assertEqual(root.get("private"), "yes" if private else "no")
                mine[sec.UUIDString()] = (ephemeral, private)
        filters = {
            libvirt.VIR_CONNECT_LIST_SECRETS_EPHEMERAL: lambda e, p: e,
            libvirt.VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL: lambda e, p: not e,
            libvirt.VIR_CONNECT_LIST_SECRETS_PRIVATE: lambda e, p: p,
            libvirt.VIR_CONNECT_LIST_SECRETS_NO_PRIVATE: lambda e, p: not p,
        }
        for flag, wanted in filters.items():
            listed = {s.UUIDString() for s in self.conn.listAllSecrets(flag)}
            expected = {uuid for uuid, flags in mine.items() if wanted(*flags)}
            self.assertEqual(listed & set(mine), expected, f"filter {flag:#x}")
        both = libvirt.VIR_CONNECT_LIST_SECRETS_EPHEMERAL | libvirt.VIR_CONNECT_LIST_SECRETS_PRIVATE
        listed = {s.UUIDString() for s in self.conn.listAllSecrets(both)}
        self.assertEqual(
            listed & set(mine), {u for u, (e, p) in mine.items() if e and p}, "EPHEMERAL|PRIVATE"
        )

    def test_counts_agree(self):
        """
        virConnectNumOfSecrets, virConnectListSecrets and virConnectListAllSecrets name the same secrets.

        :avocado: tags=api:virConnectNumOfSecrets,api:virConnectListSecrets,api:virConnectListAllSecrets
        """
        mine = {self.define()[0].UUIDString() for _ in range(2)}
        # Other clients may add or remove secrets meanwhile: retry until two reads agree.
        for _attempt in range(5):
            count = self.conn.numOfSecrets()
            listed = self.conn.listSecrets()
            everything = {s.UUIDString() for s in self.conn.listAllSecrets(0)}
            if count == self.conn.numOfSecrets() and set(listed) == everything:
                break
        self.assertEqual(len(listed), count)
        self.assertEqual(set(listed), everything)
        self.assertLessEqual(mine, set(listed))
