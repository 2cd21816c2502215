"""Decoys: objects of every kind that a certification run does NOT own (no acert- prefix), made on a
daemon before a run and compared byte for byte afterwards.

A running and a defined domain (each with a snapshot) and a plain defined one with autostart, an
active and an inactive network, an active pool with two volumes and an inactive pool, two secrets
with values, a filter and a binding of it to a port.
"""

import hashlib
import os
import re
import secrets
import shutil
import uuid

import libvirt
from lxml import etree

from avocado_cert.base import naming, xmlbuild
from avocado_cert.testing import nwfilter, snapshot

DOMAIN_PARAMS = {"domain_type": "qemu", "guest_arch": "x86_64", "guest": "none"}
XML_INACTIVE = libvirt.VIR_DOMAIN_XML_INACTIVE
# What moves without anyone touching the object: a file's access time (reading it to hash it moves
# it), a pool's free space (anything writing to the same filesystem moves it).
_MOVING = re.compile(r"\s*<(atime|capacity|allocation|available)\b[^>]*>[^<]*</\1>")


def _steady(xml):
    return _MOVING.sub("", xml)


def _digest_file(path):
    with open(path, "rb") as src:
        return hashlib.sha256(src.read()).hexdigest()


class Decoys:
    def __init__(self, conn, folder):
        self.conn = conn
        self.tag = secrets.token_hex(3)
        self.folder = folder
        self.names = {"domain": [], "network": [], "pool": [], "secret": [], "nwfilter": [], "binding": []}

    def name(self, what):
        return f"decoy-{what}-{self.tag}"

    # --- making them -------------------------------------------------------------------------
    def create(self):
        self._pools()
        self._domains()
        self._networks()
        self._secrets()
        self._nwfilters()
        return self

    def _domain(self, what, start=False, autostart=False, snapshot_name=None):
        name = self.name(what)
        root = xmlbuild.domain(DOMAIN_PARAMS, name, boot=False)
        if snapshot_name:
            # An internal snapshot needs a qcow2 disk: one volume of the decoy pool per domain.
            pool = self.conn.storagePoolLookupByName(self.name("pool-on"))
            vol = pool.createXML(
                xmlbuild.to_xml(xmlbuild.volume(f"{name}.qcow2", capacity=1 << 20, fmt="qcow2")), 0
            )
            disk = etree.SubElement(root.find("devices"), "disk", type="file", device="disk")
            etree.SubElement(disk, "driver", name="qemu", type="qcow2")
            etree.SubElement(disk, "source", file=vol.path())
            etree.SubElement(disk, "target", dev="vda", bus="virtio")
        dom = self.conn.defineXML(xmlbuild.to_xml(root))
        self.names["domain"].append(name)
        if snapshot_name:
            dom.snapshotCreateXML(snapshot.snapshot(snapshot_name, description="decoy snapshot"), 0)
        if autostart:
            dom.setAutostart(1)
        if start:
            dom.create()
        return dom

    def _domains(self):
        self._domain("running", start=True, snapshot_name="decoy-snap-running")
        self._domain("defined", snapshot_name="decoy-snap-defined")
        self._domain("autostart", autostart=True)

    def _networks(self):
        for what, active, autostart in (("net-on", True, True), ("net-off", False, False)):
            name = self.name(what)
            bridge = f"dcy{what[-2:]}{self.tag}"[:15]
            subnet = f"10.{200 + int(active)}.{int(self.tag[:2], 16)}"
            net = self.conn.networkDefineXML(xmlbuild.to_xml(xmlbuild.network(name, bridge, subnet=subnet)))
            self.names["network"].append(name)
            if autostart:
                net.setAutostart(1)
            if active:
                net.create()

    def _pools(self):
        for what, active in (("pool-on", True), ("pool-off", False)):
            name = self.name(what)
            path = os.path.join(self.folder, name)
            os.makedirs(path, exist_ok=True)
            pool = self.conn.storagePoolDefineXML(xmlbuild.to_xml(xmlbuild.dir_pool(name, path)), 0)
            self.names["pool"].append(name)
            if active:
                pool.create(0)
                for vol, fmt in (("decoy-vol-a.img", "raw"), ("decoy-vol-b.qcow2", "qcow2")):
                    pool.createXML(xmlbuild.to_xml(xmlbuild.volume(vol, capacity=1 << 20, fmt=fmt)), 0)

    def _secrets(self):
        for index in range(2):
            xml = xmlbuild.to_xml(xmlbuild.secret(f"decoy-secret-{self.tag}-{index}", uuid=str(uuid.uuid4())))
            sec = self.conn.secretDefineXML(xml, 0)
            sec.setValue(f"decoy value {index} {self.tag}".encode(), 0)
            self.names["secret"].append(sec.UUIDString())

    def _nwfilters(self):
        name = self.name("filter")
        self.conn.nwfilterDefineXML(nwfilter.nwfilter(name))
        self.names["nwfilter"].append(name)
        portdev = f"dcy{self.tag}"
        self.conn.nwfilterBindingCreateXML(
            nwfilter.binding(portdev, name, "52:54:00:de:c0:01", self.name("owner")), 0
        )
        self.names["binding"].append(portdev)

    # --- what they look like -----------------------------------------------------------------
    def state(self):
        """Everything observable of every decoy: full XML, state, autostart, snapshots, secret values."""
        out = {}
        for name in self.names["domain"]:
            dom = self.conn.lookupByName(name)
            out[f"domain {name}"] = {
                "xml": dom.XMLDesc(0),
                "inactive_xml": dom.XMLDesc(XML_INACTIVE),
                "state": dom.state(),
                "persistent": dom.isPersistent(),
                "autostart": dom.autostart(),
                "snapshots": {s.getName(): s.getXMLDesc(0) for s in dom.listAllSnapshots(0)},
            }
        for name in self.names["network"]:
            net = self.conn.networkLookupByName(name)
            out[f"network {name}"] = {
                "xml": net.XMLDesc(0),
                "inactive_xml": net.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE),
                "active": net.isActive(),
                "autostart": net.autostart(),
            }
        for name in self.names["pool"]:
            pool = self.conn.storagePoolLookupByName(name)
            volumes = {}
            if pool.isActive():
                for vol in pool.listAllVolumes(0):
                    volumes[vol.name()] = {
                        "xml": _steady(vol.XMLDesc(0)),
                        "capacity": vol.info()[1],
                        "data": _digest_file(vol.path()),
                    }
            out[f"pool {name}"] = {
                "xml": _steady(pool.XMLDesc(libvirt.VIR_STORAGE_XML_INACTIVE)),
                "active": pool.isActive(),
                "autostart": pool.autostart(),
                "volumes": volumes,
            }
        for uid in self.names["secret"]:
            sec = self.conn.secretLookupByUUIDString(uid)
            out[f"secret {uid}"] = {"xml": sec.XMLDesc(0), "value": sec.value(0)}
        for name in self.names["nwfilter"]:
            out[f"nwfilter {name}"] = {"xml": self.conn.nwfilterLookupByName(name).XMLDesc(0)}
        for portdev in self.names["binding"]:
            out[f"binding {portdev}"] = {"xml": self.conn.nwfilterBindingLookupByPortDev(portdev).XMLDesc(0)}
        return out

    # --- removing them -----------------------------------------------------------------------
    def remove(self):
        """Remove every decoy; return what could not be removed."""
        problems = []

        def attempt(label, func):
            try:
                func()
            except libvirt.libvirtError as err:
                problems.append(f"{label}: {err.get_error_message()}")

        for portdev in self.names["binding"]:
            attempt(portdev, lambda p=portdev: self.conn.nwfilterBindingLookupByPortDev(p).delete())
        for name in self.names["nwfilter"]:
            attempt(name, lambda n=name: self.conn.nwfilterLookupByName(n).undefine())
        for name in self.names["domain"]:

            def drop(n=name):
                dom = self.conn.lookupByName(n)
                if dom.isActive():
                    dom.destroy()
                dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)

            attempt(name, drop)
        for name in self.names["network"]:

            def drop_net(n=name):
                net = self.conn.networkLookupByName(n)
                if net.isActive():
                    net.destroy()
                net.undefine()

            attempt(name, drop_net)
        for name in self.names["pool"]:

            def drop_pool(n=name):
                pool = self.conn.storagePoolLookupByName(n)
                if pool.isActive():
                    for vol in pool.listAllVolumes(0):
                        vol.delete(0)
                    pool.destroy()
                pool.undefine()

            attempt(name, drop_pool)
        for uid in self.names["secret"]:
            attempt(uid, lambda u=uid: self.conn.secretLookupByUUIDString(u).undefine())
        shutil.rmtree(self.folder, ignore_errors=True)
        return problems


def owned_objects(conn):
    """Every object with the certification prefix on conn (what a run must not leave behind)."""
    found = []
    found += [f"domain {d.name()}" for d in conn.listAllDomains(0) if naming.owned(d.name())]
    found += [f"network {n.name()}" for n in conn.listAllNetworks(0) if naming.owned(n.name())]
    for pool in conn.listAllStoragePools(0):
        if naming.owned(pool.name()):
            found.append(f"pool {pool.name()}")
        elif pool.isActive():
            found += [
                f"volume {pool.name()}/{v.name()}" for v in pool.listAllVolumes(0) if naming.owned(v.name())
            ]
    found += [
        f"secret {s.UUIDString()}" for s in conn.listAllSecrets(0) if naming.PREFIX in (s.usageID() or "")
    ]
    found += [f"nwfilter {f.name()}" for f in conn.listAllNWFilters(0) if naming.owned(f.name())]
    found += [f"binding {b.portDev()}" for b in conn.listAllNWFilterBindings(0) if naming.owned(b.portDev())]
    return found
