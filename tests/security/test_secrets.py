"""Secrets as a security promise, beyond the secret suite (tests/secret/test_secret.py checks values,
private read-back and the secret's own XML): a value never shows in the XML of the objects that use
the secret, a private value is refused to every connection, and an ephemeral secret does not outlive
the daemon."""

import os
import shlex
import subprocess

import libvirt

from avocado_cert.base import naming, paths, xmlsafe
from avocado_cert.testing import CertTest
from avocado_cert.testing import secret as secrets
from avocado_cert.testing import security as sec
from avocado_cert.testing import xmlbuild

VALUE = b"\x00acert-secret\xff\x01value\n"
RESTART_TIMEOUT = 120.0


class SecretTest(CertTest):
    """
    :avocado: disable
    """

    def define(self, usage_type="ceph", ephemeral=False, private=False):
        usage = secrets.usage_id(usage_type, self.objects.name("sec"))
        xml = secrets.secret(usage_type, usage, ephemeral=ephemeral, private=private)
        secret = self.objects.define_secret(xml)
        secret.setValue(VALUE, 0)
        return secret, usage

    def assert_hidden(self, document, what):
        for form in sec.value_forms(VALUE):
            self.assertNotIn(form, document, f"the secret's value shows in {what}")


class SecretExposure(SecretTest):
    """
    :avocado: tags=area:security,cap:security.secrets
    """

    def test_value_not_in_using_xml(self):
        """
        A secret used for a network disk's auth and for an iSCSI pool's CHAP is named by UUID or usage
        in their XML (every XMLDesc flag, secure included) but its value never shows.

        :avocado: tags=api:virSecretSetValue,api:virDomainDefineXML,api:virDomainGetXMLDesc
        :avocado: tags=api:virStoragePoolDefineXML,api:virStoragePoolGetXMLDesc,api:virSecretGetXMLDesc
        """
        secret, usage = self.define()
        uuid = secret.UUIDString()
        self.assert_hidden(secret.XMLDesc(0), "the secret's XML")
        root = self.domain_xml(boot=False)
        dom = self.objects.define_domain(_with_device(root, sec.auth_disk(uuid)))
        for flags in (0, libvirt.VIR_DOMAIN_XML_INACTIVE, libvirt.VIR_DOMAIN_XML_SECURE):
            document = dom.XMLDesc(flags)
            self.assertIn(uuid, document, f"the disk's auth lost the secret's UUID (flags {flags:#x})")
            self.assert_hidden(document, f"the domain XML (flags {flags:#x})")
        pool_name = naming.unique("pool")
        try:
            pool = self.objects.define_pool(sec.chap_pool(pool_name, usage))
        except libvirt.libvirtError as err:
            if err.get_error_code() not in (libvirt.VIR_ERR_NO_SUPPORT, libvirt.VIR_ERR_INTERNAL_ERROR):
                raise
            self.log.info("no iSCSI pool here (%s): the pool part is not checked", err.get_error_message())
            return
        document = pool.XMLDesc(0)
        self.assertIn(usage, document, "the pool's CHAP auth lost the secret's usage")
        self.assert_hidden(document, "the pool XML")
        self.assert_hidden(pool.XMLDesc(libvirt.VIR_STORAGE_XML_INACTIVE), "the inactive pool XML")

    def test_private_refused_everywhere(self):
        """
        A private secret's value is refused to the read-write connection (VIR_ERR_INVALID_SECRET), to a
        second read-write connection and to a read-only one (VIR_ERR_OPERATION_DENIED); a non-private
        secret's value reads back.

        :avocado: tags=api:virSecretGetValue,api:virSecretLookupByUUIDString,api:virConnectOpenReadOnly
        """
        private, _usage = self.define(private=True)
        public, _usage = self.define()
        self.assertEqual(public.value(0), VALUE)
        self.expect_error(libvirt.VIR_ERR_INVALID_SECRET, private.value, 0)
        other = self.open_connection()
        self.objects.on_cleanup("second connection", other.close)
        self.expect_error(
            libvirt.VIR_ERR_INVALID_SECRET, other.secretLookupByUUIDString(private.UUIDString()).value, 0
        )
        ro = self.open_connection(readonly=True)
        self.objects.on_cleanup("read-only connection", ro.close)
        for secret in (private, public):
            self.expect_error(
                libvirt.VIR_ERR_OPERATION_DENIED, ro.secretLookupByUUIDString(secret.UUIDString()).value, 0
            )


class SecretRestart(SecretTest):
    """
    :avocado: tags=area:security,cap:security.secrets_ephemeral
    """

    def test_ephemeral_gone_after_restart(self):
        """
        After the daemon restarts, an ephemeral secret is gone while a persistent one is still there
        with its value. Restarts the daemon only where the profile allows it (daemon_restart_allowed).

        :avocado: tags=api:virSecretDefineXML,api:virSecretLookupByUUIDString,api:virSecretGetValue
        """
        self.conn.listAllSecrets(0)  # a driver without secrets answers VIR_ERR_NO_SUPPORT here
        if str(self.params.get("daemon_restart_allowed", default="no")).lower() not in ("yes", "true", "1"):
            self.skip_because("the profile does not allow restarting the daemon (daemon_restart_allowed)")
        if self.uri.startswith("test://"):
            self.skip_because("the test driver has no daemon to restart")
        ephemeral, _usage = self.define(ephemeral=True)
        persistent, _usage = self.define()
        gone, kept = ephemeral.UUIDString(), persistent.UUIDString()
        self.assertEqual(self.conn.secretLookupByUUIDString(gone).value(0), VALUE)
        self._restart_daemon()
        self.expect_error(libvirt.VIR_ERR_NO_SECRET, self.conn.secretLookupByUUIDString, gone)
        self.assertEqual(
            self.conn.secretLookupByUUIDString(kept).value(0), VALUE, "a persistent secret was lost"
        )

    def _restart_daemon(self):
        default = " && ".join(
            f"{shlex.quote(os.path.join(paths.home(), 'scripts', 'libvirtd-host.sh'))} {verb}"
            for verb in ("stop", "start")
        )
        command = self.params.get("daemon_restart_command", default=default)
        self.log.info("restarting the daemon: %s", command)
        self.conn.close()
        answer = subprocess.run(
            command, shell=True, capture_output=True, text=True, timeout=RESTART_TIMEOUT, check=False
        )
        self.log.info("restart output: %s%s", answer.stdout, answer.stderr)
        if answer.returncode != 0:
            self.error(
                f"the daemon restart command failed ({answer.returncode}): {answer.stderr.strip()[-200:]}"
            )
        self.conn = self.wait_for(self._reconnect, timeout=RESTART_TIMEOUT, step=0.5, what="the daemon back")
        self.objects.conn = self.conn

    def _reconnect(self):
        try:
            return self.open_connection()
        except libvirt.libvirtError:
            return None


def _with_device(domain_xml, device):
    root = xmlsafe.fromstring(domain_xml)
    root.find("devices").append(device)
    return xmlbuild.to_xml(root)
