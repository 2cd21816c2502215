"""What libvirt says a hypervisor's virtual CPU can be, read from the domain capabilities: the CPU models it
marks usable or unusable (with their vendors) and the features its host-model CPU lacks.

CPU tests take their expectations from here, never from the host CPU's vendor or model: under TCG QEMU
emulates CPUs of either x86 vendor, under KVM only what the host CPU has, and libvirt says which."""

from dataclasses import dataclass, field

from avocado_cert.base import xmlsafe


@dataclass(frozen=True)
class HypervisorCPU:
    """The custom CPU models of one (arch, machine, virttype), by name: usable ones and unusable ones."""

    usable: dict = field(default_factory=dict)  # model -> vendor ('unknown' where libvirt names none)
    unusable: dict = field(default_factory=dict)
    lacking: tuple = ()  # features the host-model CPU disables: the hypervisor cannot provide them

    def compatible_model(self, preferred=()):
        """A usable model, the first of `preferred` that is usable where one is; None where none is."""
        for name in preferred:
            if name in self.usable:
                return name
        return next(iter(self.usable), None)

    def incompatible(self):
        """(model, feature) of a CPU the hypervisor cannot run: an unusable model (feature None), else a
        usable model requiring a feature the hypervisor lacks; None where libvirt names neither."""
        if self.unusable:
            return next(iter(self.unusable)), None
        model = self.compatible_model()
        if model and self.lacking:
            return model, self.lacking[0]
        return None


def read(conn, arch, machine, virttype):
    """The hypervisor's CPU models as getDomainCapabilities reports them for arch, machine and virttype."""
    root = xmlsafe.fromstring(
        conn.getDomainCapabilities(None, arch, machine, virttype, 0), "domain capabilities"
    )
    usable, unusable = {}, {}
    for model in root.findall("cpu/mode[@name='custom']/model"):
        if not model.text:
            continue
        # libvirt before 9.x gives no usable attribute where it cannot tell: such a model proves nothing.
        target = {"yes": usable, "no": unusable}.get(model.get("usable"))
        if target is not None:
            target[model.text] = model.get("vendor", "unknown")
    lacking = tuple(
        feature.get("name")
        for feature in root.findall("cpu/mode[@name='host-model']/feature")
        if feature.get("policy") == "disable"
    )
    return HypervisorCPU(usable, unusable, lacking)
