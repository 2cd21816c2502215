"""The scope-flag check behind tests/flags/test_scope_flags.py: one call of data/scope-flags.yaml with one
scope on an object in one state, then every view of the object read back (the live XML, the XML with the
INACTIVE flag, the getter with AFFECT_LIVE and with AFFECT_CONFIG): exactly the scopes asked for changed.

What each scope means is libvirt's documented rule (testing/flags.py): CURRENT is the live object when it
is active and the persistent definition otherwise."""

import time

import libvirt
from lxml import etree

from avocado_cert.base import xmlsafe
from avocado_cert.host import libvirt_errors
from avocado_cert.testing import domain as dx
from avocado_cert.testing import flags as flagkit
from avocado_cert.testing import network as netkit
from avocado_cert.testing import scopetable, typedparams, xmlbuild
from avocado_cert.testing.certtest import CertTest

# The table's scope names in the flags kit's vocabulary.
AFFECT = {"current": "current", "live": "live", "config": "config", "live_config": "both"}
NETWORK_FLAGS = {
    "current": libvirt.VIR_NETWORK_UPDATE_AFFECT_CURRENT,
    "live": libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE,
    "config": libvirt.VIR_NETWORK_UPDATE_AFFECT_CONFIG,
    "live_config": libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE | libvirt.VIR_NETWORK_UPDATE_AFFECT_CONFIG,
}
LIVE, CONFIG = "live", "config"


def _cpuset(cpumap):
    return ",".join(str(cpu) for cpu, used in enumerate(cpumap) if used)


def _form(value, form):
    """The getter's answer written as the XML writes it."""
    if form == "cpuset":
        return _cpuset(value)
    if form == "ids":
        return ",".join(str(entry[0]) for entry in value)
    return "" if value is None else str(value)


def _xpath_text(root, xpath):
    found = root.xpath(xpath)
    if isinstance(found, float):  # count(...)
        return str(int(found))
    return ",".join(item if isinstance(item, str) else (item.text or "") for item in found)


class ScopeFlagTest(CertTest):
    """
    :avocado: disable
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = None
        self.spec = None
        self.defined_xml = None
        self.mac = None
        self.network = None
        self.volume = None

    def check(self, api, state, scope):
        call = scopetable.load()[api]
        self.call = call
        expected = flagkit.expectation(AFFECT[scope], state)
        obj, active = self._object(call, state)
        value = self._value(call)
        before = self._views(obj, active)
        for view, seen in before.items():
            self.assertNotEqual(
                seen, call["value"], f"{view} already holds {call['value']!r}: nothing to see"
            )
        flags = NETWORK_FLAGS[scope] if call["object"] == "network" else expected.flags
        self.log.info("%s with %s (%d) on a %s %s", api, scope, flags, state, call["object"])
        method, *args = call["apply"]
        try:
            result = self._apply(obj, method, [self._arg(arg, flags, value) for arg in args], flags)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT or libvirt_errors.unsupported_flags(err):
                raise
            lacks = dx.host_lacks(err) if active else None
            if lacks:
                self.skip_because(lacks)
            # The call's flags promise every scope: refusing a valid one is the driver's fault, not the host's.
            self.fail(
                f"{api} with {scope} on a {state} {call['object']} was refused: {libvirt_errors.describe(err)}"
            )
        self.assertIn(result, (0, None), f"{api} returned {result!r}")
        # A live change the hypervisor completes on its own time (a balloon, an unplug) is awaited up to
        # the table's `wait`; every view is then read once more and must hold exactly what is expected.
        # (The waiting reads never stop the domain: the final read may, where the driver lacks INACTIVE.)
        deadline = time.monotonic() + float(call.get("wait", 0))
        while expected.live and active and time.monotonic() < deadline:
            if not self._wrong(before, self._views(obj, active), expected):
                break
            time.sleep(0.25)
        wrong = self._wrong(before, self._views(obj, active, final=True), expected)
        self.assertFalse(wrong, f"{api} with {scope} on a {state} {call['object']}: " + "; ".join(wrong))

    def _apply(self, obj, method, args, flags):
        if self.call["object"] == "domain" and typedparams.needed(method, flags):
            self.log.info("%s with both scopes through the C API (libvirt-python's setter cannot)", method)
            return typedparams.call(obj, method, args[:-1], flags, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        return getattr(obj, method)(*args)

    def _wrong(self, before, after, expected):
        wrong = []
        for view, seen in after.items():
            changed = expected.live if view.startswith(LIVE) else expected.config
            want = self.call["value"] if changed else before[view]
            if seen != want:
                wrong.append(f"{view}: {seen!r}, expected {want!r} ({'changed' if changed else 'unchanged'})")
        return wrong

    # --- the object and the call's arguments -------------------------------------------------------
    def _object(self, call, state):
        if call["object"] == "network":
            self.spec = netkit.NetworkSpec()
            net = self.objects.define_network(self.spec.xml())
            self.defined_xml = net.XMLDesc(0)
            if state == "running":
                net.create()
            return net, state == "running"
        self._require_host(call)
        build = call.get("build") or {}
        root = dx.domain_root(
            self,
            acpi=build.get("acpi", False),
            memballoon=build.get("memballoon", False),
            boot=build.get("kernel", False),
            **self._build(call),
        )
        self._add_build_devices(root, build)
        if build.get("kernel") and state == "running":
            # The guest OS's part is needed, not its boot: restored from a saved boot where it can be.
            dom = self.start_guest_domain(root)
            self.defined_xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
            return dom, True
        dom = self.objects.define_domain(xmlbuild.to_xml(root))
        self.defined_xml = dom.XMLDesc(0)
        flagkit.put_in_state(dom, state)
        return dom, state == "running"

    def _require_host(self, call):
        needs = call.get("needs_cpus")
        if needs:
            cpus = self.conn.getCPUMap(0)[0]
            self.require(
                cpus >= needs, f"the change is observable only with {needs} or more host CPUs ({cpus})"
            )
        needs = call.get("needs_cells")
        if needs:
            cells = self.conn.getInfo()[4]
            self.require(
                cells >= needs,
                f"the change is observable only with {needs} or more host NUMA nodes ({cells})",
            )

    def _add_build_devices(self, root, build):
        """The table's build keys beyond the builder's own: devices and elements the call acts on."""
        if build.get("scsi_controller"):
            dx.add_device(root, dx.scsi_controller())
        if build.get("disk"):
            dx.add_device(root, self._disk(build["disk"]))
        if "interface" in build:
            dx.add_device(root, self._interface(build["interface"]))
        if build.get("iothreads"):
            iothreads = etree.Element("iothreads")
            iothreads.text = str(len(build["iothreads"]))
            ids = etree.Element("iothreadids")
            for ident in build["iothreads"]:
                etree.SubElement(ids, "iothread", id=str(ident))
            root.find("vcpu").addnext(iothreads)
            iothreads.addnext(ids)
        if build.get("numatune"):
            numatune = etree.Element("numatune")
            etree.SubElement(numatune, "memory", **{k: str(v) for k, v in build["numatune"].items()})
            root.find("vcpu").addnext(numatune)

    def _disk(self, spec):
        """A disk on a scratch volume of the test's own pool (made once per test)."""
        if self.volume is None:
            pool = dx.make_pool(self)
            self.volume = (pool, dx.make_volume(self, pool))
        pool, volume = self.volume
        return dx.volume_disk(
            pool.name(),
            volume.name(),
            target=spec["target"],
            bus=spec.get("bus", "scsi"),
            alias=spec.get("alias"),
        )

    def _interface(self, spec):
        """A NIC on a network of the test's own; the same MAC every time it is written."""
        if self.mac is None:
            self.mac = dx.random_mac()
            self.network = dx.make_network(self)
        return dx.network_interface(self.network.name(), mac=self.mac, link=(spec or {}).get("link"))

    def _device(self):
        """The device XML the call passes ("{device}"), from the table's `device`."""
        spec = self.call["device"]
        if "disk" in spec:
            return xmlbuild.to_xml(self._disk(spec["disk"]))
        return xmlbuild.to_xml(self._interface(spec["interface"]))

    @staticmethod
    def _build(call):
        """The build keys the domain builder takes itself."""
        return {
            key: value for key, value in (call.get("build") or {}).items() if key in scopetable.BUILDER_KEYS
        }

    def _value(self, call):
        if call["object"] == "network":
            return netkit.dhcp_host(netkit.random_mac(), call["value"], self.spec.address(77))
        return call["value"]

    def _arg(self, arg, flags, value):
        if arg == "{flags}":
            return flags
        if arg == "{value}":
            return value
        if arg == "{device}":
            return self._device()
        if arg == "{mac}":
            return self.mac
        if isinstance(arg, str) and arg.startswith("{cpumap:"):
            cpus = self.conn.getCPUMap(0)[0]
            wanted = int(arg[len("{cpumap:") : -1])
            return tuple(cpu == wanted for cpu in range(cpus))
        if isinstance(arg, str) and arg.startswith("VIR_"):
            return getattr(libvirt, arg)
        return arg

    # --- reading every view back -----------------------------------------------------------------
    def _views(self, obj, active, final=False):
        """{view: value}: the live ones only where the object is active, read before the config ones."""
        call = self.call
        what = f"{call['object']} XML"
        views = {}
        if active:
            views[f"{LIVE} XML"] = _xpath_text(xmlsafe.fromstring(obj.XMLDesc(0), what), call["xpath"])
            if call.get("getter"):
                views[f"{LIVE} getter"] = self._getter(obj, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        if call.get("getter"):
            views[f"{CONFIG} getter"] = self._getter(obj, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        views[f"{CONFIG} XML"] = _xpath_text(
            xmlsafe.fromstring(self._config_xml(obj, active, final), what), call["xpath"]
        )
        return views

    def _config_xml(self, obj, active, final):
        """The persistent definition: the XML with the INACTIVE flag; where the driver lacks that flag, the
        definition as defined (before any change) or, after the change, as it remains once stopped."""
        inactive = (
            libvirt.VIR_NETWORK_XML_INACTIVE
            if self.call["object"] == "network"
            else libvirt.VIR_DOMAIN_XML_INACTIVE
        )
        try:
            return obj.XMLDesc(inactive)
        except libvirt.libvirtError as err:
            if not libvirt_errors.unsupported_flags(err) or not active:
                if not active:
                    return obj.XMLDesc(0)
                raise
            self.log.info("the INACTIVE XML flag is not implemented: %s", err.get_error_message())
            if not final:
                return self.defined_xml
            obj.destroy()
            return obj.XMLDesc(0)

    def _getter(self, obj, flags):
        method, *args = self.call["getter"]
        try:
            answer = getattr(obj, method)(*[self._arg(arg, flags, None) for arg in args])
        except libvirt.libvirtError as err:
            # No metadata of the kind is how the metadata getter says "empty".
            if err.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN_METADATA:
                return ""
            lacks = dx.host_lacks(err) if flags == libvirt.VIR_DOMAIN_AFFECT_LIVE else None
            if lacks:
                self.skip_because(lacks)
            raise
        for index in self.call.get("pick") or ():
            answer = answer[index]
        return _form(answer, self.call.get("form", "text"))
