"""The host's libvirt objects: snapshot before a run, compare after, sweep what an earlier run left.

Objects whose name carries the certification prefix belong to the certification; everything else
must be exactly as it was (XML, state, autostart, secret value) when the run ends.
"""

import hashlib

import libvirt

from avocado_cert.base import naming, xmlsafe

# Pool and volume sizes move with whatever else writes to the same filesystem.
_VOLATILE = {"capacity", "allocation", "available"}


def _digest(text):
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


def _stable_xml(xml):
    root = xmlsafe.fromstring(xml)
    for element in list(root.iter()):
        if element.tag in _VOLATILE and element.getparent() is not None:
            element.getparent().remove(element)
    return _digest(xmlsafe.tostring(root))


def _safe(func, default=None):
    try:
        return func()
    except libvirt.libvirtError:
        return default


def _domains(conn):
    out = {}
    for dom in conn.listAllDomains(0):
        state = {
            "uuid": dom.UUIDString(),
            "state": dom.state()[0],
            "persistent": dom.isPersistent(),
            "autostart": _safe(dom.autostart),
            "xml": _digest(dom.XMLDesc(0)),
            "snapshots": sorted(_safe(dom.snapshotListNames, []) or []),
            "checkpoints": sorted(c.getName() for c in _safe(dom.listAllCheckpoints, []) or []),
            "managed_save": _safe(dom.hasManagedSaveImage),
        }
        if dom.isPersistent():
            state["inactive_xml"] = _digest(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        out[dom.name()] = state
    return out


def _networks(conn):
    return {
        net.name(): {
            "uuid": net.UUIDString(),
            "active": net.isActive(),
            "persistent": net.isPersistent(),
            "autostart": _safe(net.autostart),
            "xml": _digest(net.XMLDesc(0)),
        }
        for net in conn.listAllNetworks(0)
    }


def _pools(conn):
    out = {}
    for pool in conn.listAllStoragePools(0):
        active = pool.isActive()
        volumes = {}
        if active:
            for vol in _safe(pool.listAllVolumes, []) or []:
                volumes[vol.name()] = _safe(lambda v=vol: _stable_xml(v.XMLDesc(0)))
        out[pool.name()] = {
            "uuid": pool.UUIDString(),
            "active": active,
            "persistent": pool.isPersistent(),
            "autostart": _safe(pool.autostart),
            "xml": _stable_xml(pool.XMLDesc(0)),
            "volumes": volumes,
        }
    return out


def _secrets(conn):
    out = {}
    for sec in conn.listAllSecrets(0):
        value = _safe(sec.value)
        out[sec.UUIDString()] = {
            "usage": f"{sec.usageType()}:{sec.usageID() or ''}",
            "xml": _digest(sec.XMLDesc(0)),
            "value": _digest(value) if value is not None else None,
        }
    return out


def _nwfilters(conn):
    return {
        f.name(): {"uuid": f.UUIDString(), "xml": _digest(f.XMLDesc(0))} for f in conn.listAllNWFilters(0)
    }


def _bindings(conn):
    return {
        b.portDev(): {"filter": b.filterName(), "xml": _digest(b.XMLDesc(0))}
        for b in conn.listAllNWFilterBindings(0)
    }


def _interfaces(conn):
    return {i.name(): {"mac": i.MACString(), "active": i.isActive()} for i in conn.listAllInterfaces(0)}


KINDS = {
    "domain": _domains,
    "network": _networks,
    "pool": _pools,
    "secret": _secrets,
    "nwfilter": _nwfilters,
    "nwfilter_binding": _bindings,
    "interface": _interfaces,
}


def snapshot(conn):
    """{kind: {key: state}} for every kind the driver supports; unsupported kinds map to None."""
    inventory = {}
    for kind, lister in KINDS.items():
        try:
            inventory[kind] = lister(conn)
        except libvirt.libvirtError as details:
            if details.get_error_code() in (
                libvirt.VIR_ERR_NO_SUPPORT,
                libvirt.VIR_ERR_OPERATION_UNSUPPORTED,
            ):
                inventory[kind] = None
            else:
                raise
    return inventory


def _owned_key(kind, key, state):
    if kind == "secret":
        return naming.PREFIX in (state or {}).get("usage", "")
    return naming.owned(key)


def compare(before, after):
    """Problems: a pre-existing object changed or vanished, an unowned one appeared, an owned one is left."""
    problems = []
    for kind, objects in after.items():
        old = before.get(kind)
        if objects is None:
            continue
        old = old or {}
        for key, state in sorted(objects.items()):
            if _owned_key(kind, key, state):
                problems.append(f"{kind} '{key}' was left behind")
            elif key not in old:
                problems.append(f"{kind} '{key}' appeared during the run without the certification prefix")
            elif state != old[key]:
                changed = sorted(k for k in set(state) | set(old[key]) if state.get(k) != old[key].get(k))
                problems.append(f"pre-existing {kind} '{key}' changed: {', '.join(changed)}")
        for key in sorted(set(old) - set(objects)):
            if not _owned_key(kind, key, old[key]):
                problems.append(f"pre-existing {kind} '{key}' disappeared")
    return problems


def _try(swept, label, func):
    try:
        func()
        swept.append(label)
    except libvirt.libvirtError as details:
        swept.append(f"{label} (failed: {details.get_error_message()})")


def _undefine_domain(dom):
    flags = (
        libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
        | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
        | libvirt.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA
        | libvirt.VIR_DOMAIN_UNDEFINE_NVRAM
    )
    try:
        dom.undefineFlags(flags)
    except libvirt.libvirtError:
        dom.undefine()


def sweep(conn):
    """Remove every object with the certification prefix; return what was removed."""
    swept = []
    for dom in _safe(lambda: conn.listAllDomains(0), []) or []:
        if naming.owned(dom.name()):
            if dom.isActive():
                _try(swept, f"destroyed domain {dom.name()}", dom.destroy)
            if _safe(dom.isPersistent):
                _try(swept, f"undefined domain {dom.name()}", lambda d=dom: _undefine_domain(d))
    for binding in _safe(lambda: conn.listAllNWFilterBindings(0), []) or []:
        if naming.owned(binding.portDev()):
            _try(swept, f"deleted nwfilter binding {binding.portDev()}", binding.delete)
    for nwf in _safe(lambda: conn.listAllNWFilters(0), []) or []:
        if naming.owned(nwf.name()):
            _try(swept, f"undefined nwfilter {nwf.name()}", nwf.undefine)
    for net in _safe(lambda: conn.listAllNetworks(0), []) or []:
        if naming.owned(net.name()):
            if net.isActive():
                _try(swept, f"destroyed network {net.name()}", net.destroy)
            if _safe(net.isPersistent):
                _try(swept, f"undefined network {net.name()}", net.undefine)
    for pool in _safe(lambda: conn.listAllStoragePools(0), []) or []:
        ours = naming.owned(pool.name())
        if pool.isActive():
            for vol in _safe(pool.listAllVolumes, []) or []:
                if ours or naming.owned(vol.name()):
                    _try(swept, f"deleted volume {pool.name()}/{vol.name()}", lambda v=vol: v.delete(0))
        if ours:
            if pool.isActive():
                _try(swept, f"destroyed pool {pool.name()}", pool.destroy)
            if _safe(pool.isPersistent):
                _try(swept, f"undefined pool {pool.name()}", pool.undefine)
    for sec in _safe(lambda: conn.listAllSecrets(0), []) or []:
        if naming.PREFIX in (sec.usageID() or ""):
            _try(swept, f"undefined secret {sec.UUIDString()}", sec.undefine)
    for iface in _safe(lambda: conn.listAllInterfaces(0), []) or []:
        if naming.owned(iface.name()):
            if iface.isActive():
                _try(swept, f"destroyed interface {iface.name()}", lambda i=iface: i.destroy(0))
            _try(swept, f"undefined interface {iface.name()}", iface.undefine)
    return swept
