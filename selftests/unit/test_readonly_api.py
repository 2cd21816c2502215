"""The read-only table: extraction from libvirt's entry points, the committed data, and the sweep's tags."""

import os

import pytest
import yaml

from avocado_cert.apisurface import libvirt_api as apisurface
from avocado_cert.apisurface import pybindings, readonly_api
from avocado_cert.base import paths
from avocado_cert.base.errors import CertError
from avocado_cert.offline import suiteindex

SOURCE = """
/**
 * virDomainSuspend:
 */
int
virDomainSuspend(virDomainPtr domain)
{
    virCheckDomainReturn(domain, -1);
    virCheckReadOnlyGoto(conn->flags, error);
    return 0;
}

int virDomainSetPerfEvents(virDomainPtr domain,
                           unsigned int flags)
{
    virCheckReadOnlyGoto(domain->conn->flags, error);
}

int
virDomainGetVcpusFlags(virDomainPtr domain, unsigned int flags)
{
    if (flags & VIR_DOMAIN_VCPU_GUEST)
        virCheckReadOnlyGoto(conn->flags, error);
}

char *
virDomainGetXMLDesc(virDomainPtr domain, unsigned int flags)
{
    if ((conn->flags & VIR_CONNECT_RO) &&
        (flags & (VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_MIGRATABLE))) {
        virReportError(VIR_ERR_OPERATION_DENIED, "%s",
                       _("virDomainGetXMLDesc with secure flag"));
        goto error;
    }
}

int
virDomainGetInfo(virDomainPtr domain, virDomainInfoPtr info);

int
virDomainGetInfo(virDomainPtr domain, virDomainInfoPtr info)
{
    return 0;
}

static int
virDomainHelper(void)
{
    virCheckReadOnlyGoto(conn->flags, error);
}
"""
SYMBOLS = """LIBVIRT_0.0.3 {
    global:
        virDomainSuspend;
        virDomainSetPerfEvents;
        virDomainGetVcpusFlags;
        virDomainGetXMLDesc;
        virDomainGetInfo;
};
"""


@pytest.fixture()
def src(tmp_path):
    (tmp_path / "libvirt-domain.c").write_text(SOURCE)
    (tmp_path / "libvirt_public.syms").write_text(SYMBOLS)
    for name in ("libvirt_qemu.syms", "libvirt_lxc.syms"):
        (tmp_path / name).write_text("")
    util = tmp_path / "util"
    util.mkdir()
    for name in readonly_api.UTIL_SOURCES:
        (tmp_path / name).write_text("")
    return tmp_path


def test_extract_classifies_entry_points(src):
    refused, refused_if, allowed = readonly_api.extract(str(src))
    assert refused == ["virDomainSetPerfEvents", "virDomainSuspend"]
    assert refused_if == {
        "virDomainGetVcpusFlags": "flags & VIR_DOMAIN_VCPU_GUEST",
        "virDomainGetXMLDesc": "flags & (VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_MIGRATABLE)",
    }
    assert allowed == ["virDomainGetInfo"]  # the prototype is not taken for the definition


def test_render_round_trips(src, tmp_path):
    path = tmp_path / "read-only-1.2.3.yaml"
    path.write_text(readonly_api.render(str(src), "1.2.3", "unit test", "cmd"))
    table = readonly_api.load(path=str(path))
    assert table.status("virDomainSuspend") == "refused"
    assert table.status("virDomainGetXMLDesc") == "refused_if"
    assert table.status("virDomainGetInfo") == "allowed"
    assert table.status("virNoSuch") is None


def test_main_rejects_a_folder_that_is_not_libvirt(tmp_path, capsys):
    assert readonly_api.main([str(tmp_path), "--libvirt", "9.0.0", "--origin", "x"]) == 2
    assert "not libvirt's src/ folder" in capsys.readouterr().err


def test_bad_table_is_one_line_error(tmp_path):
    path = tmp_path / "read-only-9.0.0.yaml"
    path.write_text(
        "libvirt: 9.0.0\norigin: x\ngenerated_by: y\nrefused: [a]\nrefused_if: {b: 1}\nallowed: []\n"
    )
    with pytest.raises(CertError, match="refused_if.b: expected the C condition"):
        readonly_api.load(path=str(path))


def test_shipped_table_covers_the_9_0_0_surface():
    table = readonly_api.for_version("9.0.0")
    assert table.libvirt == "9.0.0"
    surface = apisurface.load("9.0.0")
    known = set(table.refused) | set(table.refused_if) | set(table.allowed)
    assert set(surface.functions) <= known
    assert not (set(table.refused) & set(table.allowed))
    # Spot checks against libvirt's documented behaviour.
    assert {
        "virDomainCreate",
        "virDomainDefineXML",
        "virSecretGetValue",
        "virStorageVolDelete",
    } <= table.refused
    assert {"virDomainGetInfo", "virConnectGetVersion", "virDomainLookupByName"} <= table.allowed
    assert "virDomainGetXMLDesc" in table.refused_if


def test_newer_release_uses_the_newest_older_table():
    assert readonly_api.for_version("9.5.0").libvirt == "9.0.0"
    with pytest.raises(CertError, match="no read-only table for libvirt 1.0.0"):
        readonly_api.for_version("1.0.0")


def test_sweep_tags_are_the_tables_refused_functions():
    """Each ReadOnlyWrites test tags exactly the refused functions of its modules that it drives."""
    from avocado_cert.apisurface import coverage  # pylint: disable=import-outside-toplevel
    from avocado_cert.testing.readonly import arguments, sweep  # pylint: disable=import-outside-toplevel

    path = os.path.join(paths.suite_dir(), "security", "test_read_only.py")
    with open(path, encoding="utf-8") as source:
        tests = dict(suiteindex.tests_in_source(source.read(), path))
    surface = apisurface.load()
    table = readonly_api.for_version("9.0.0")
    bindings = pybindings.load(surface)
    # Driven all the same, but their own promise (a migration, a host suspend) stays not certifiable.
    not_certifiable = set(coverage.load_not_certifiable(surface))
    tagged = set()
    for name, modules in MODULES.items():
        driven = {api for api, _python, _args in sweep.refused_functions(table, surface, bindings, modules)}
        expected = driven - not_certifiable
        assert tests[f"ReadOnlyWrites.{name}"]["api"] == expected, name
        tagged |= expected
    exposed = {
        n for n in table.refused if n in bindings.exposed or n in arguments.COMPANIONS
    } - not_certifiable
    assert exposed == tagged
    assert tests["ReadOnlyConditional.test_secure_flags"]["api"] == set(table.refused_if)


MODULES = {
    "test_domain": ("libvirt-domain",),
    "test_snapshot_checkpoint": ("libvirt-domain-snapshot", "libvirt-domain-checkpoint"),
    "test_network": ("libvirt-network",),
    "test_storage": ("libvirt-storage",),
    "test_host": ("libvirt-host", "libvirt-interface", "libvirt-nodedev"),
    "test_secret_nwfilter": ("libvirt-secret", "libvirt-nwfilter"),
    "test_companion": ("libvirt-qemu", "libvirt-lxc"),
}


def test_table_file_names_its_origin():
    with open(readonly_api.data_file("9.0.0"), encoding="utf-8") as stream:
        document = yaml.safe_load(stream)
    assert "sha256" in document["origin"] and "libvirt_9.0.0.orig.tar.xz" in document["origin"]
