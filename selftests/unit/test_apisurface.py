import pytest

from avocado_cert.apisurface import libvirt_api as apisurface
from avocado_cert.apisurface import pybindings
from avocado_cert.base.errors import CertError
from selftests.conftest import write

TINY_API = """
<api name='libvirt'>
  <symbols>
    <enum name='VIR_THING_AFFECT_LIVE' file='libvirt-thing' value='1' type='virThingImpact' version='1.0.0'/>
    <enum name='VIR_THING_AFFECT_CONFIG' file='libvirt-thing' value='2' type='virThingImpact' version='1.0.0'/>
    <enum name='VIR_THING_POKE_LIVE' file='libvirt-thing' value='VIR_THING_AFFECT_LIVE' type='virThingPokeFlags'
          version='1.0.0'/>
    <enum name='VIR_THING_POKE_HARD' file='libvirt-thing' value='1073741824' type='virThingPokeFlags'
          version='2.0.0'/>
    <enum name='VIR_ERR_NO_THING' file='virterror' value='7' type='virErrorNumber' version='1.0.0'/>
    <function name='virThingPoke' file='libvirt-thing' module='libvirt-thing' version='2.0.0'>
      <info>Poke a thing</info>
      <return type='int' info='0 on success'/>
      <arg name='thing' type='virThingPtr' info='the thing'/>
      <arg name='flags' type='unsigned int' info='bitwise-OR of virThingPokeFlags'/>
    </function>
    <function name='virThingGetName' file='libvirt-thing' module='libvirt-thing' version='1.0.0'>
      <info>Its name</info>
      <return type='const char *' info='the name'/>
      <arg name='thing' type='virThingPtr' info='the thing'/>
    </function>
    <function name='virThingSendAll' file='libvirt-thing' module='libvirt-thing' version='1.0.0'>
      <info>Send everything</info>
      <return type='int' info='0 on success'/>
      <arg name='thing' type='virThingPtr' info='the thing'/>
    </function>
    <function name='virThingRef' file='libvirt-thing' module='libvirt-thing' version='1.0.0'>
      <info>Take a reference</info>
      <return type='int' info='0 on success'/>
      <arg name='thing' type='virThingPtr' info='the thing'/>
    </function>
    <function name='virThingListOld' file='libvirt-thing' module='libvirt-thing' version='1.0.0'>
      <info>Old listing</info>
      <return type='int' info='count'/>
      <arg name='conn' type='virConnectPtr' info='the connection'/>
    </function>
    <function name='virThingMystery' file='libvirt-thing' module='libvirt-thing' version='1.0.0'>
      <info>No binding</info>
      <return type='int' info='0'/>
      <arg name='conn' type='virConnectPtr' info='the connection'/>
    </function>
    <function name='virGlobalInit' file='libvirt-host' module='libvirt-host' version='1.0.0'>
      <info>Init</info>
      <return type='int' info='0'/>
    </function>
  </symbols>
</api>
"""

TINY_BINDING = """
import libvirtmod


def init():
    return libvirtmod.virGlobalInit()


class virThing(object):
    def __del__(self):
        libvirtmod.virThingFree(self._o)

    def poke(self, flags=0):
        return libvirtmod.virThingPoke(self._o, flags)

    def name(self):
        return libvirtmod.virThingGetName(self._o)

    def sendAll(self, handler, opaque):
        return self.send(handler(self, 1024, opaque))

    def ref(self):
        return self._o


class virConnect(object):
    def listOldID(self):
        return libvirtmod.virThingListOldID(self._o)
"""


@pytest.fixture
def tiny(tmp_path):
    return apisurface.load(write(tmp_path / "api.xml", TINY_API))


def test_snapshot_parses():
    surface = apisurface.load("9.0.0")
    assert surface.path.endswith("data/api/libvirt-api-9.0.0.xml")
    assert len(surface.functions) == 516
    assert surface.level == "9.0.0"
    modules = surface.modules()
    assert len(modules["libvirt-domain"]) == 189
    assert "virNetworkCreate" in modules["libvirt-network"]
    assert surface.functions["virDomainSuspend"].since == "0.0.3"
    assert surface.functions["virDomainSuspend"].module == "libvirt-domain"


def test_snapshot_flags_and_errors():
    surface = apisurface.load("9.0.0")
    # Symbolic values (VIR_DOMAIN_MEM_LIVE = VIR_DOMAIN_AFFECT_LIVE) are resolved.
    assert surface.flag_values("virDomainSetMemoryFlags") == {
        "VIR_DOMAIN_MEM_CURRENT": 0,
        "VIR_DOMAIN_MEM_LIVE": 1,
        "VIR_DOMAIN_MEM_CONFIG": 2,
        "VIR_DOMAIN_MEM_MAXIMUM": 4,
    }
    assert "VIR_DOMAIN_AFFECT_CONFIG" in surface.flag_values("virDomainSetSchedulerParametersFlags")
    # Named in the flags text by constant, not by enum type.
    assert "VIR_INTERFACE_XML_INACTIVE" in surface.flag_values("virInterfaceGetXMLDesc")
    assert surface.flag_values("virDomainSuspend") == {}
    errors = surface.error_codes()
    assert errors["VIR_ERR_NO_SUPPORT"] == 3
    assert errors["VIR_ERR_NO_DOMAIN"] == 42
    assert errors["VIR_ERR_OPERATION_DENIED"] == 29


def test_undefined_flag_avoids_defined_bits():
    surface = apisurface.load("9.0.0")
    assert surface.undefined_flag("virDomainSuspend") == 1 << 30
    # VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING is 1 << 30.
    assert surface.undefined_flag("virConnectGetAllDomainStats") == 1 << 28


def test_tiny_surface(tiny):
    assert sorted(tiny.modules()) == ["libvirt-host", "libvirt-thing"]
    assert tiny.flag_values("virThingPoke") == {"VIR_THING_POKE_LIVE": 1, "VIR_THING_POKE_HARD": 1 << 30}
    assert tiny.undefined_flag("virThingPoke") == 1 << 29
    assert tiny.error_codes() == {"VIR_ERR_NO_THING": 7}
    assert tiny.level == "2.0.0"


def test_installed_or_snapshot_is_found():
    surface = apisurface.load()
    assert len(surface.functions) >= 516


@pytest.mark.parametrize(
    "content, problem",
    [
        ("<api><symbols><function name='x'", "malformed libvirt API description"),
        ("<notapi/>", "not a libvirt API description"),
        ("<api><symbols/></api>", "lists no functions"),
        ("<!DOCTYPE api [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><api>&e;</api>", "lists no functions"),
    ],
)
def test_bad_api_xml_is_one_line(tmp_path, content, problem):
    path = write(tmp_path / "bad.xml", content)
    with pytest.raises(CertError) as caught:
        apisurface.load(path)
    message = str(caught.value)
    assert problem in message and path in message and "\n" not in message


def test_unknown_snapshot_and_missing_file(tmp_path):
    with pytest.raises(CertError, match="no API snapshot for libvirt 1.2.3"):
        apisurface.load("1.2.3")
    with pytest.raises(CertError, match="no such API description file"):
        apisurface.load(str(tmp_path / "missing.xml"))


def test_resolve_tiny_binding(tiny):
    aliases = {"virThingListOld": "virThingListOldID"}
    rules = [(["vir*Ref", "vir*Free"], "reference counting is the object's lifetime")]
    bindings = pybindings.resolve(tiny, TINY_BINDING, aliases, rules, version="0.1")
    assert bindings.exposed == {
        "virGlobalInit": "libvirt.init",
        "virThingPoke": "virThing.poke",
        "virThingGetName": "virThing.name",
        "virThingSendAll": "virThing.sendAll",  # pure Python: the generator's name, found in the class
        "virThingListOld": "virConnect.listOldID",  # through the alias
    }
    # A rule wins over a same-named pure-Python method; an unexplained one says so.
    assert bindings.not_exposed == {
        "virThingRef": "reference counting is the object's lifetime",
        "virThingMystery": "libvirt-python 0.1 has no call for it",
    }


def test_installed_binding_names():
    surface = apisurface.load("9.0.0")
    bindings = pybindings.load(surface)
    known = {
        "virDomainSuspend": "virDomain.suspend",
        "virConnectOpen": "libvirt.open",
        "virConnectOpenReadOnly": "libvirt.openReadOnly",
        "virConnectListAllDomains": "virConnect.listAllDomains",
        "virConnectListDomains": "virConnect.listDomainsID",
        "virNetworkGetDHCPLeases": "virNetwork.DHCPLeases",
        "virNWFilterBindingCreateXML": "virConnect.nwfilterBindingCreateXML",
        "virDomainSnapshotCreateXML": "virDomain.snapshotCreateXML",
        "virStreamSendAll": "virStream.sendAll",
        "virSetErrorFunc": "libvirt.registerErrorHandler",
        "virGetLastError": "libvirt.virGetLastError",
        "virConnectClose": "virConnect.close",
        "virDomainGetXMLDesc": "virDomain.XMLDesc",
    }
    assert {name: bindings.python_name(name) for name in known} == known
    for name in (
        "virDomainRef",
        "virDomainFree",
        "virStreamFree",
        "virTypedParamsGetInt",
        "virDomainSnapshotGetDomain",
        "virDomainGetConnect",
        "virCopyLastError",
    ):
        assert name in bindings.not_exposed and bindings.not_exposed[name]
    assert len(bindings.exposed) + len(bindings.not_exposed) == 516


def test_companion_apis_of_the_snapshot():
    companions = apisurface.companion_functions(apisurface.load("9.0.0"))
    assert companions["virDomainQemuAgentCommand"] == "libvirt-qemu-api-9.0.0.xml"
    assert companions["virDomainLxcOpenNamespace"] == "libvirt-lxc-api-9.0.0.xml"
    assert "virDomainSuspend" not in companions
