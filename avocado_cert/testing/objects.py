"""The named-object factory: every object a test creates carries the certification prefix and is
removed when the test ends, whether it passed, failed or errored."""

import libvirt

from avocado_cert.base import naming, xmlsafe
from avocado_cert.host import libvirt_errors
from avocado_cert.testing import datastore

# Errors that mean "already gone": cleanup of an object that no longer exists is not a problem.
_GONE = {
    libvirt.VIR_ERR_NO_DOMAIN,
    libvirt.VIR_ERR_NO_NETWORK,
    libvirt.VIR_ERR_NO_STORAGE_POOL,
    libvirt.VIR_ERR_NO_STORAGE_VOL,
    libvirt.VIR_ERR_NO_SECRET,
    libvirt.VIR_ERR_NO_NWFILTER,
    libvirt.VIR_ERR_NO_NWFILTER_BINDING,
    libvirt.VIR_ERR_NO_INTERFACE,
    libvirt.VIR_ERR_NO_NODE_DEVICE,
    libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT,
    libvirt.VIR_ERR_NO_DOMAIN_CHECKPOINT,
    libvirt.VIR_ERR_NO_NETWORK_PORT,
    libvirt.VIR_ERR_OPERATION_INVALID,  # e.g. destroy of an inactive object
}

UNDEFINE_ALL = (
    libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
    | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
    | libvirt.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA
    | libvirt.VIR_DOMAIN_UNDEFINE_NVRAM
)


class ForeignObjectError(AssertionError):
    """A test tried to create or act on an object without the certification prefix."""


def name_of(xml, path="name"):
    return xmlsafe.fromstring(xml).findtext(path) or ""


def require_owned(name, kind):
    if not naming.owned(name):
        raise ForeignObjectError(f"{kind} '{name}' does not carry the certification prefix {naming.PREFIX}")


class Objects:
    """Creates prefixed objects on a connection and removes them, newest first, at cleanup()."""

    def __init__(self, conn, log):
        self.conn = conn
        self.log = log
        self._cleanups = []

    @staticmethod
    def name(kind):
        return naming.unique(kind)

    def on_cleanup(self, label, func, *args):
        """Run func(*args) at cleanup; a test may register its own steps (files, extra state)."""
        self._cleanups.append((label, func, args))

    def forget(self, label):
        self._cleanups = [entry for entry in self._cleanups if entry[0] != label]

    # --- domains -------------------------------------------------------------------------------
    def _domain_cleanup(self, name):
        def remove():
            try:
                dom = self.conn.lookupByName(name)
            except libvirt.libvirtError as err:
                if err.get_error_code() in _GONE:
                    return
                raise
            if dom.isActive():
                self._ignore_gone(dom.destroy)
            # A transient domain is gone once destroyed: nothing is left to undefine.
            if self._ignore_gone(dom.isPersistent):
                try:
                    dom.undefineFlags(UNDEFINE_ALL)
                except libvirt.libvirtError as err:
                    if err.get_error_code() in _GONE:
                        return
                    # Drivers without some of these flags: remove metadata first, then plainly.
                    for snap in self._ignore_unsupported(dom.listAllSnapshots) or []:
                        self._delete_metadata(snap, libvirt.VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY)
                    for checkpoint in self._ignore_unsupported(dom.listAllCheckpoints) or []:
                        self._delete_metadata(checkpoint, libvirt.VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY)
                    self._ignore_gone(dom.undefine)

        self.on_cleanup(f"domain {name}", remove)

    def define_domain(self, xml, flags=0):
        name = name_of(xml)
        require_owned(name, "domain")
        # Removed after the domain: its disks on a vSphere datastore, created for it (ESX).
        datastore.create_disks(self.conn, xml, self.on_cleanup, self.log)
        self._domain_cleanup(name)
        self.log.info("defining domain %s", name)  # names the domain for benchmarks/qemu_profile.py
        return self.conn.defineXMLFlags(xml, flags) if flags else self.conn.defineXML(xml)

    def create_domain(self, xml, flags=0):
        """A transient, running domain."""
        name = name_of(xml)
        require_owned(name, "domain")
        self._domain_cleanup(name)
        self.log.info("creating domain %s", name)
        return self.conn.createXML(xml, flags)

    def adopt_domain(self, name):
        """Register cleanup for a domain created by another API (restore, migrate, ...)."""
        require_owned(name, "domain")
        self._domain_cleanup(name)
        self.log.info("adopting domain %s", name)

    # --- networks ------------------------------------------------------------------------------
    def _network_cleanup(self, name):
        def remove():
            net = self._ignore_gone(self.conn.networkLookupByName, name)
            if net is None:
                return
            if net.isActive():
                self._ignore_gone(net.destroy)
            if self._ignore_gone(net.isPersistent):
                self._ignore_gone(net.undefine)

        self.on_cleanup(f"network {name}", remove)

    def define_network(self, xml):
        name = name_of(xml)
        require_owned(name, "network")
        self._network_cleanup(name)
        return self.conn.networkDefineXML(xml)

    def create_network(self, xml):
        name = name_of(xml)
        require_owned(name, "network")
        self._network_cleanup(name)
        return self.conn.networkCreateXML(xml)

    # --- storage -------------------------------------------------------------------------------
    def _pool_cleanup(self, name):
        def remove():
            pool = self._ignore_gone(self.conn.storagePoolLookupByName, name)
            if pool is None:
                return
            if pool.isActive():
                for vol in self._ignore_gone(pool.listAllVolumes) or []:
                    self._ignore_gone(vol.delete, 0)
                self._ignore_gone(pool.destroy)
            # Removes the pool's own (prefixed) target folder where the driver can.
            self._ignore_unsupported(pool.delete, 0)
            if self._ignore_gone(pool.isPersistent):
                self._ignore_gone(pool.undefine)

        self.on_cleanup(f"pool {name}", remove)

    def define_pool(self, xml):
        name = name_of(xml)
        require_owned(name, "pool")
        self._pool_cleanup(name)
        return self.conn.storagePoolDefineXML(xml, 0)

    def create_pool(self, xml, flags=0):
        name = name_of(xml)
        require_owned(name, "pool")
        self._pool_cleanup(name)
        return self.conn.storagePoolCreateXML(xml, flags)

    def create_volume(self, pool, xml, flags=0, clone_from=None):
        name = name_of(xml)
        require_owned(name, "volume")
        require_owned(pool.name(), "pool")

        def remove():
            vol = self._ignore_gone(pool.storageVolLookupByName, name)
            if vol is not None:
                self._ignore_gone(vol.delete, 0)

        self.on_cleanup(f"volume {pool.name()}/{name}", remove)
        if clone_from is not None:
            return pool.createXMLFrom(xml, clone_from, flags)
        return pool.createXML(xml, flags)

    # --- secrets, filters, interfaces --------------------------------------------------------------
    def define_secret(self, xml, flags=0):
        usage_element = xmlsafe.fromstring(xml).find("usage")
        usage = "" if usage_element is None else " ".join(t for t in usage_element.itertext() if t)
        if naming.PREFIX not in usage:
            raise ForeignObjectError(f"secret usage does not carry the certification prefix {naming.PREFIX}")
        secret = self.conn.secretDefineXML(xml, flags)
        uuid = secret.UUIDString()

        def remove():
            sec = self._ignore_gone(self.conn.secretLookupByUUIDString, uuid)
            if sec is not None:
                self._ignore_gone(sec.undefine)

        self.on_cleanup(f"secret {uuid}", remove)
        return secret

    def define_nwfilter(self, xml):
        name = xmlsafe.fromstring(xml).get("name", "")
        require_owned(name, "nwfilter")

        def remove():
            nwf = self._ignore_gone(self.conn.nwfilterLookupByName, name)
            if nwf is not None:
                self._ignore_gone(nwf.undefine)

        self.on_cleanup(f"nwfilter {name}", remove)
        return self.conn.nwfilterDefineXML(xml)

    def create_nwfilter_binding(self, xml):
        portdev = xmlsafe.fromstring(xml).find("portdev").get("name", "")
        require_owned(portdev, "nwfilter binding")

        def remove():
            binding = self._ignore_gone(self.conn.nwfilterBindingLookupByPortDev, portdev)
            if binding is not None:
                self._ignore_gone(binding.delete)

        self.on_cleanup(f"nwfilter binding {portdev}", remove)
        return self.conn.nwfilterBindingCreateXML(xml, 0)

    def define_interface(self, xml):
        name = xmlsafe.fromstring(xml).get("name", "")
        require_owned(name, "interface")

        def remove():
            iface = self._ignore_gone(self.conn.interfaceLookupByName, name)
            if iface is None:
                return
            if iface.isActive():
                self._ignore_gone(iface.destroy, 0)
            self._ignore_gone(iface.undefine)

        self.on_cleanup(f"interface {name}", remove)
        return self.conn.interfaceDefineXML(xml, 0)

    # --- running the cleanups -------------------------------------------------------------------
    @staticmethod
    def _ignore_gone(func, *args):
        try:
            return func(*args)
        except libvirt.libvirtError as err:
            if err.get_error_code() in _GONE:
                return None
            raise

    @classmethod
    def _delete_metadata(cls, obj, metadata_only):
        """Forget a snapshot or checkpoint; a driver without metadata-only delete deletes it outright."""
        try:
            cls._ignore_gone(obj.delete, metadata_only)
        except libvirt.libvirtError as err:
            if err.get_error_code() != libvirt.VIR_ERR_INVALID_ARG:
                raise
            cls._ignore_gone(obj.delete, 0)

    @classmethod
    def _ignore_unsupported(cls, func, *args):
        try:
            return cls._ignore_gone(func, *args)
        except libvirt.libvirtError as err:
            if err.get_error_code() in (libvirt.VIR_ERR_NO_SUPPORT, libvirt.VIR_ERR_OPERATION_UNSUPPORTED):
                return None
            raise

    def abandon(self):
        """Drop the cleanups still registered (their objects cannot be reached); return their labels."""
        labels = [label for label, _func, _args in self._cleanups]
        self._cleanups = []
        return labels

    def cleanup(self):
        """Run every registered cleanup, newest first; return the problems (never raises)."""
        problems = []
        while self._cleanups:
            label, func, args = self._cleanups.pop()
            try:
                func(*args)
            except libvirt.libvirtError as err:
                problems.append(f"cleanup of {label}: {libvirt_errors.describe(err)}")
            except Exception as err:  # pylint: disable=broad-except
                problems.append(f"cleanup of {label}: {type(err).__name__}: {err}")
        for problem in problems:
            self.log.error(problem)
        return problems
