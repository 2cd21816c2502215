"""Redefinition (defineXML on a name that exists), the same for every object type that has a define call:
it updates the persistent definition in place (same UUID, one object), leaves an active object's live
state alone until it restarts, and refuses another UUID under the same name and the same UUID under
another name (VIR_ERR_OPERATION_FAILED: libvirt's object lists say the object "already exists"; a
secret's list, keyed by UUID and usage, answers VIR_ERR_INTERNAL_ERROR).

Each object type is a Kind: how the suite makes its XML, defines it (through the factory, so whatever a
driver wrongly accepts is still removed), reads it back and changes it."""

import uuid as uuidlib

import libvirt
from lxml import etree

from avocado_cert.base import naming, xmlsafe
from avocado_cert.host import libvirt_errors
from avocado_cert.testing import hostinterface, hostside
from avocado_cert.testing import network as netkit
from avocado_cert.testing import nwfilter as nwfilterkit
from avocado_cert.testing import secret as secretkit
from avocado_cert.testing import storage as storagekit
from avocado_cert.testing import xmlbuild
from avocado_cert.testing.certtest import CertTest

MARK = "acert-redefined"


def _root(xml):
    return xmlsafe.fromstring(xml, "XML")


def _set_child(root, tag, text, after="name"):
    """root with <tag>text</tag> (replacing one that is there), placed after <after>."""
    element = root.find(tag)
    if element is None:
        element = etree.Element(tag)
        root.find(after).addnext(element)
    element.text = text
    return root


class Kind:
    """One object type. Subclasses fill in the calls; `change` marks the XML so the update shows."""

    name = ""
    inactive_flag = 0
    has_uuid = True
    live_until_restart = True
    refused_code = libvirt.VIR_ERR_OPERATION_FAILED

    def __init__(self, test):
        self.test = test
        self.conn = test.conn

    def fresh_xml(self):
        raise NotImplementedError

    def define(self, xml):
        raise NotImplementedError

    def lookup(self, name):
        raise NotImplementedError

    def change(self, root):
        raise NotImplementedError

    def changed(self, xml):
        raise NotImplementedError

    def xml(self, obj, inactive=True):
        """The persistent definition (inactive=True) or the live XML; None where the driver lacks the
        INACTIVE flag and the object is active. An inactive object's XML is its definition: no flag needed."""
        if not inactive or not obj.isActive():
            return obj.XMLDesc(0)
        try:
            return obj.XMLDesc(self.inactive_flag)
        except libvirt.libvirtError as err:
            if not libvirt_errors.unsupported_flags(err):
                raise
            self.test.log.info("the INACTIVE XML flag is not implemented: %s", err.get_error_message())
            return None

    def define_fresh(self, xml):
        """The object a check starts from (a pool's folder built too)."""
        return self.define(xml)

    def key(self, obj):
        """What the define call finds an existing object by (its name, a secret's usage)."""
        return obj.name()

    def rename(self, root, new):
        """root with its name (the element or the attribute) set to new."""
        element = root.find("name")
        if element is not None:
            element.text = new
        else:
            root.set("name", new)
        return root

    def start(self, obj):
        obj.create()

    def stop(self, obj):
        obj.destroy()


class DomainKind(Kind):
    name = "domain"
    inactive_flag = libvirt.VIR_DOMAIN_XML_INACTIVE

    def fresh_xml(self):
        return self.test.domain_xml(boot=False)  # the firmware only: no guest OS takes part

    def define(self, xml):
        return self.test.objects.define_domain(xml)

    def lookup(self, name):
        return self.conn.lookupByName(name)

    def change(self, root):
        return _set_child(root, "title", MARK)

    def changed(self, xml):
        return _root(xml).findtext("title") == MARK


class NetworkKind(Kind):
    name = "network"
    inactive_flag = libvirt.VIR_NETWORK_XML_INACTIVE

    def fresh_xml(self):
        return netkit.NetworkSpec().xml()

    def define(self, xml):
        return self.test.objects.define_network(xml)

    def lookup(self, name):
        return self.conn.networkLookupByName(name)

    def change(self, root):
        domain = root.find("domain")
        if domain is None:
            domain = etree.SubElement(root, "domain")
        domain.set("name", MARK)
        return root

    def rename(self, root, new):
        # A fresh bridge too: the UUID must be the only thing the two definitions share.
        root.find("bridge").set("name", naming.netdev())
        return super().rename(root, new)

    def changed(self, xml):
        domain = _root(xml).find("domain")
        return domain is not None and domain.get("name") == MARK


class PoolKind(Kind):
    name = "storage pool"
    inactive_flag = libvirt.VIR_STORAGE_XML_INACTIVE
    # libvirt's storage driver replaces an active pool's definition at once (qemu:///system, 9.0): the live
    # XML is not held to the old definition, only the persistent one to the new.
    live_until_restart = False

    def fresh_xml(self):
        spec = storagekit.PoolSpec()
        if hostside.shares_host(self.test.uri, self.test.driver):
            storagekit.remove_folder_later(self.test.objects, spec.path)
        return spec.xml()

    def define(self, xml):
        return self.test.objects.define_pool(xml)

    def define_fresh(self, xml):
        pool = self.define(xml)
        pool.build(0)
        return pool

    def lookup(self, name):
        return self.conn.storagePoolLookupByName(name)

    def change(self, root):
        target = root.find("target")
        perms = target.find("permissions")
        if perms is None:
            perms = etree.SubElement(target, "permissions")
        mode = perms.find("mode")
        if mode is None:
            mode = etree.SubElement(perms, "mode")
        mode.text = "0711"
        return root

    def changed(self, xml):
        return _root(xml).findtext("target/permissions/mode") == "0711"

    def rename(self, root, new):
        # Another folder too: the UUID must be the only thing the two definitions share.
        root.find("target/path").text = storagekit.PoolSpec().path
        return super().rename(root, new)

    def start(self, obj):
        obj.create(0)


class NWFilterKind(Kind):
    name = "nwfilter"

    def fresh_xml(self):
        return nwfilterkit.nwfilter(naming.unique("nwf"))

    def define(self, xml):
        return self.test.objects.define_nwfilter(xml)

    def lookup(self, name):
        return self.conn.nwfilterLookupByName(name)

    def change(self, root):
        root.find("rule/tcp").set("dstportstart", "31338")
        return root

    def changed(self, xml):
        return _root(xml).find("rule/tcp").get("dstportstart") == "31338"

    def xml(self, obj, inactive=True):
        return obj.XMLDesc(0)  # no live state: the XML is the definition


class SecretKind(Kind):
    name = "secret"
    # libvirt's secret list answers a clash of UUID and usage with an internal error, in every driver.
    refused_code = libvirt.VIR_ERR_INTERNAL_ERROR

    def fresh_xml(self):
        return secretkit.secret("ceph", naming.unique("sec"))

    def define(self, xml):
        return self.test.objects.define_secret(xml)

    def lookup(self, name):
        return self.conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_CEPH, name)

    def key(self, obj):
        return obj.usageID()

    def rename(self, root, new):
        root.find("usage/name").text = new
        return root

    def change(self, root):
        description = root.find("description")
        if description is None:
            description = etree.SubElement(root, "description")
        description.text = MARK
        return root

    def changed(self, xml):
        return _root(xml).findtext("description") == MARK

    def xml(self, obj, inactive=True):
        return obj.XMLDesc(0)  # no live state: the XML is the definition


class InterfaceKind(Kind):
    name = "interface"
    inactive_flag = libvirt.VIR_INTERFACE_XML_INACTIVE
    has_uuid = False

    def fresh_xml(self):
        return hostinterface.ethernet(naming.unique("if"), hostinterface.random_mac())

    def define(self, xml):
        return self.test.objects.define_interface(xml)

    def lookup(self, name):
        return self.conn.interfaceLookupByName(name)

    def change(self, root):
        root.find("protocol/ip").set("address", "192.0.2.99")
        return root

    def changed(self, xml):
        return _root(xml).find("protocol/ip").get("address") == "192.0.2.99"


class RedefineTest(CertTest):
    """
    :avocado: disable
    """

    kind_class = Kind

    def setUp(self):
        super().setUp()
        self.kind = self.kind_class(self)

    def _defined(self):
        obj = self.kind.define_fresh(self.kind.fresh_xml())
        return obj, self.kind.key(obj)

    def _redefined_xml(self, obj):
        root = _root(self.kind.xml(obj))
        return xmlbuild.to_xml(self.kind.change(root))

    def check_update(self):
        """Redefining an inactive object updates its definition in place: same UUID, one object."""
        obj, name = self._defined()
        name = self.kind.key(obj)
        uuid = obj.UUIDString() if self.kind.has_uuid else None
        self.assertFalse(
            self.kind.changed(self.kind.xml(obj)), "the fresh definition already holds the change"
        )
        again = self.kind.define(self._redefined_xml(obj))
        self.assertEqual(self.kind.key(again), name)
        found = self.kind.lookup(name)
        if uuid:
            self.assertEqual(again.UUIDString(), uuid, "redefinition changed the UUID")
            self.assertEqual(found.UUIDString(), uuid, "the name now finds another object")
        self.assertTrue(
            self.kind.changed(self.kind.xml(found)), f"the {self.kind.name} definition did not change"
        )

    def check_active(self):
        """Redefining an active object changes its persistent definition only; a restart applies it."""
        obj, _name = self._defined()
        redefined = self._redefined_xml(obj)
        self.kind.start(obj)
        try:
            self.kind.define(redefined)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT or libvirt_errors.unsupported_flags(err):
                raise
            # defineXML promises an update of an active object's persistent definition, not a refusal.
            self.fail(f"redefining an active {self.kind.name} was refused: {libvirt_errors.describe(err)}")
        if self.kind.live_until_restart:
            live = self.kind.xml(obj, inactive=False)
            self.assertFalse(self.kind.changed(live), "the live state changed at once")
        persistent = self.kind.xml(obj, inactive=True)
        if persistent is not None:
            self.assertTrue(self.kind.changed(persistent), "the persistent definition is unchanged")
        self.kind.stop(obj)
        # Stopped, the object is its persistent definition (also where the INACTIVE flag is missing).
        self.assertTrue(self.kind.changed(self.kind.xml(obj)), "the stopped object has the old definition")
        self.kind.start(obj)
        self.assertTrue(self.kind.changed(self.kind.xml(obj, inactive=False)), "the restart did not apply it")

    def check_other_uuid(self):
        """The same name with another UUID is refused; the definition stays as it was."""
        obj, name = self._defined()
        name = self.kind.key(obj)
        before = self.kind.xml(obj)
        root = _set_child(_root(self._redefined_xml(obj)), "uuid", str(uuidlib.uuid4()))
        self.refused(lambda: self.kind.define(xmlbuild.to_xml(root)))
        found = self.kind.lookup(name)
        self.assertEqual(found.UUIDString(), obj.UUIDString(), "the name now has another UUID")
        self.assertEqual(self.kind.xml(found), before, "a refused definition changed the object")

    def check_uuid_other_name(self):
        """The same UUID under another name is refused; no object of that name appears."""
        obj, _name = self._defined()
        other = naming.unique("redef")
        root = self.kind.rename(_root(self.kind.xml(obj)), other)
        self.refused(lambda: self.kind.define(xmlbuild.to_xml(root)))
        gone = self.expect_error(self.lookup_missing_codes(), self.kind.lookup, other)
        self.log.info("no %s named %s: %s", self.kind.name, other, gone.get_error_message())

    def refused(self, define):
        self.expect_error(self.kind.refused_code, define)

    def lookup_missing_codes(self):
        return (
            libvirt.VIR_ERR_NO_DOMAIN,
            libvirt.VIR_ERR_NO_NETWORK,
            libvirt.VIR_ERR_NO_STORAGE_POOL,
            libvirt.VIR_ERR_NO_NWFILTER,
            libvirt.VIR_ERR_NO_SECRET,
        )
