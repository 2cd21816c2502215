"""Domain XML: what is defined comes back, each XMLDesc flag shows what it promises, bad XML is refused."""

import secrets
import shlex

import libvirt
from lxml import etree

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest
from avocado_cert.testing import domain as dx
from avocado_cert.testing import xmlbuild


def _read_qemu_argv(native):
    """(name, memory in MiB, uuid) of a QEMU command line."""
    argv = shlex.split(native)
    name = argv[argv.index("-name") + 1].split(",")[0]
    return (
        name.removeprefix("guest="),
        argv[argv.index("-m") + 1].split(",")[0],
        argv[argv.index("-uuid") + 1],
    )


def _read_vmware_vmx(native):
    """(name, memory in MiB, uuid) of a VMware .vmx file (uuid.bios: "56 4d ... 9a-bc ...")."""
    keys = {}
    for line in native.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            keys[key.strip().lower()] = value.strip().strip('"')
    bios = keys.get("uuid.bios", "").replace(" ", "").replace("-", "")
    uuid = f"{bios[:8]}-{bios[8:12]}-{bios[12:16]}-{bios[16:20]}-{bios[20:]}" if len(bios) == 32 else bios
    return keys.get("displayname"), keys.get("memsize"), uuid


# The native formats of the drivers (the profile's native_format): how to read one, and a sample of it.
NATIVE_FORMATS = {
    "qemu-argv": {"read": _read_qemu_argv, "sample": "qemu-system-x86_64 -name {name} -m 256"},
    "vmware-vmx": {
        "read": _read_vmware_vmx,
        "sample": 'config.version = "8"\nvirtualHW.version = "4"\ndisplayName = "{name}"\nmemsize = "256"\n',
    },
}


class DomainXML(CertTest):
    """
    :avocado: tags=area:domain
    """

    def test_define_round_trip(self):
        """
        The XML of a defined domain carries what was defined; defining that XML again changes nothing.

        :avocado: tags=cap:domain.xml
        :avocado: tags=api:virDomainDefineXML,api:virDomainGetXMLDesc,api:virDomainGetUUIDString
        """
        root = dx.domain_root(self, memory_kib=196608, vcpus=2, max_vcpus=3)
        dom = dx.define(self, root)
        got = dx.config_xml(dom)
        self.assertEqual(got.findtext("name"), root.findtext("name"))
        self.assertEqual(got.findtext("uuid"), dom.UUIDString(), "XML and virDomainGetUUIDString disagree")
        self.assertEqual(int(got.findtext("memory")), 196608)
        self.assertEqual(int(got.findtext("currentMemory")), 196608)
        self.assertEqual(int(got.findtext("vcpu")), 3)
        self.assertEqual(int(got.find("vcpu").get("current")), 2)
        self.assertEqual(got.findtext("os/type"), root.findtext("os/type"))
        self.assertEqual(got.find("os/type").get("arch"), root.find("os/type").get("arch"))
        self.assertEqual(got.findtext("on_crash"), "destroy")
        first = dom.XMLDesc(0)
        again = self.conn.defineXML(first)
        self.assertEqual(again.UUIDString(), dom.UUIDString(), "redefining the same XML made a new domain")
        self.assertEqual(again.XMLDesc(0), first, "defining a domain's own XML changed it")

    def test_inactive_differs_after_live_change(self):
        """
        After a live-only change the live XML shows it and the persistent (INACTIVE) XML does not.

        :avocado: tags=cap:domain.xml
        :avocado: tags=api:virDomainGetXMLDesc,api:virDomainSetVcpusFlags
        """
        dom = dx.define(self, dx.domain_root(self, vcpus=1, max_vcpus=4, acpi=True))
        self.assertIsNone(dx.live_xml(dom).get("id"), "an inactive domain's XML has an id")
        dom.create()
        self.assertEqual(dx.live_xml(dom).get("id"), str(dom.ID()), "the live XML names another id")
        self.assertIsNone(dx.config_xml(dom).get("id"), "the persistent XML carries the runtime id")
        self.assertEqual(dom.setVcpusFlags(2, dx.LIVE), 0)
        self.assertEqual(dx.live_xml(dom).find("vcpu").get("current"), "2")
        self.assertEqual(
            dx.config_xml(dom).find("vcpu").get("current"), "1", "a live change reached the config"
        )

    def test_secure_shows_passwords(self):
        """
        Passwords are left out of the XML unless VIR_DOMAIN_XML_SECURE is given.

        :avocado: tags=cap:domain.xml
        :avocado: tags=api:virDomainGetXMLDesc
        """
        root = dx.domain_root(self)
        # VNC passwords have 8 characters at most.
        password = secrets.token_hex(4)
        etree.SubElement(
            root.find("devices"), "graphics", type="vnc", port="-1", autoport="yes", passwd=password
        )
        dom = dx.define(self, root)
        self.assertIsNone(
            dx.xml_of(dom).find("devices/graphics").get("passwd"), "password shown without SECURE"
        )
        secure = dx.xml_of(dom, libvirt.VIR_DOMAIN_XML_SECURE).find("devices/graphics")
        self.assertEqual(secure.get("passwd"), password, "SECURE XML lacks the password")

    def test_update_cpu(self):
        """
        VIR_DOMAIN_XML_UPDATE_CPU turns a host-model CPU into the concrete model the host offers.

        :avocado: tags=cap:domain.xml_update_cpu
        :avocado: tags=api:virDomainGetXMLDesc
        """
        root = dx.domain_root(self)
        root.insert(list(root).index(root.find("os")) + 1, etree.Element("cpu", mode="host-model"))
        dom = dx.define(self, root)
        plain = dx.xml_of(dom).find("cpu")
        self.assertIsNotNone(plain, "the defined CPU element was lost")
        self.assertIsNone(plain.find("model"), "host-model CPU already expanded without UPDATE_CPU")
        updated = xmlsafe.fromstring(
            dx.call_flagged(self, dom.XMLDesc, libvirt.VIR_DOMAIN_XML_UPDATE_CPU)
        ).find("cpu")
        self.assertIsNotNone(updated, "UPDATE_CPU dropped the CPU element")
        self.assertTrue(updated.findtext("model"), "UPDATE_CPU named no CPU model")

    def test_migratable(self):
        """
        VIR_DOMAIN_XML_MIGRATABLE gives the running domain's definition in a form another host can define.

        :avocado: tags=cap:domain.xml
        :avocado: tags=api:virDomainGetXMLDesc,api:virDomainDefineXMLFlags
        """
        dom = dx.define(self, dx.domain_root(self, memory_kib=147456))
        dom.create()
        text = dx.call_flagged(self, dom.XMLDesc, libvirt.VIR_DOMAIN_XML_MIGRATABLE)
        root = xmlsafe.fromstring(text)
        self.assertEqual(root.findtext("uuid"), dom.UUIDString())
        self.assertEqual(int(root.findtext("memory")), 147456)
        self.assertEqual(root.findtext("os/type"), dx.config_xml(dom).findtext("os/type"))
        # Defined as another domain, the migratable XML must be a valid definition.
        copy_name = self.objects.name("dom")
        root.find("name").text = copy_name
        root.remove(root.find("uuid"))
        copy = self.objects.define_domain(xmlbuild.to_xml(root), libvirt.VIR_DOMAIN_DEFINE_VALIDATE)
        self.assertEqual(int(dx.config_xml(copy).findtext("memory")), 147456)


class DomainXMLValidate(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.xml_validate
    """

    def test_validate_refuses_invalid(self):
        """
        With VIR_DOMAIN_DEFINE_VALIDATE, XML the schema rejects is refused with VIR_ERR_XML_INVALID_SCHEMA
        and nothing is defined; without it, the unknown element is dropped.

        :avocado: tags=api:virDomainDefineXMLFlags
        """
        root = dx.domain_root(self)
        root.insert(list(root).index(root.find("clock")), etree.Element("acertbogus"))
        text = xmlbuild.to_xml(root)
        name = root.findtext("name")
        self.expect_error(
            libvirt.VIR_ERR_XML_INVALID_SCHEMA,
            dx.call_flagged,
            self,
            self.objects.define_domain,
            text,
            libvirt.VIR_DOMAIN_DEFINE_VALIDATE,
        )
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN, self.conn.lookupByName, name)
        dom = self.objects.define_domain(text)
        self.assertIsNone(dx.config_xml(dom).find("acertbogus"), "an unknown element was kept")

    def test_validate_accepts_valid(self):
        """
        Valid XML defines with VIR_DOMAIN_DEFINE_VALIDATE.

        :avocado: tags=api:virDomainDefineXMLFlags
        """
        root = dx.domain_root(self)
        dom = dx.call_flagged(self, dx.define, self, root, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)
        self.assertEqual(dom.name(), root.findtext("name"))
        self.assertEqual(dom.isPersistent(), 1)


class DomainXMLNative(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.xml_native
    """

    def test_to_native(self):
        """
        virConnectDomainXMLToNative turns domain XML into the hypervisor's own configuration.

        :avocado: tags=api:virConnectDomainXMLToNative
        """
        root = dx.domain_root(self, memory_kib=262144)
        dom = dx.define(self, root)
        native = self.conn.domainXMLToNative(self.native_format(), dom.XMLDesc(0), 0)
        self.assertTrue(native, "empty native configuration")
        name, memory_mib, uuid = NATIVE_FORMATS[self.native_format()]["read"](native)
        self.assertEqual(name, dom.name(), "the native configuration names another guest")
        self.assertEqual(memory_mib, "256", "the native configuration has another memory size")
        self.assertEqual(uuid, dom.UUIDString())

    def test_from_native(self):
        """
        virConnectDomainXMLFromNative turns the hypervisor's configuration into domain XML.

        :avocado: tags=api:virConnectDomainXMLFromNative
        """
        name = self.objects.name("dom")
        text = self.conn.domainXMLFromNative(
            self.native_format(), NATIVE_FORMATS[self.native_format()]["sample"].format(name=name), 0
        )
        root = xmlsafe.fromstring(text)
        self.assertEqual(root.findtext("name"), name)
        self.assertEqual(int(root.findtext("memory")), 262144)

    def native_format(self):
        return self.param("native_format", "qemu-argv")


class DomainOSType(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.os_type
    """

    def test_os_type(self):
        """
        virDomainGetOSType names the OS type of the domain's XML.

        :avocado: tags=api:virDomainGetOSType
        """
        dom = dx.define(self, dx.domain_root(self))
        wanted = dx.config_xml(dom).findtext("os/type")
        self.assertEqual(dom.OSType(), wanted, "virDomainGetOSType disagrees with <os><type> of the XML")
        dom.create()
        self.assertEqual(
            dom.OSType(), wanted, "virDomainGetOSType of the running domain disagrees with its XML"
        )
