"""Depth of the coverage beyond "has a test": which scope-flag combinations each call that changes an
object with scope flags is certified for (`scope:STATE.SCOPE` tags), and which object types have their
redefinition certified (`redefine:TYPE` tags). Read statically, like the rest of the coverage."""

import os

from avocado_cert.base import paths
from avocado_cert.base.datafile import load_yaml

# The flags a call takes to say which scope it changes: the live object, the persistent definition.
SCOPE_LIVE_FLAGS = (
    "VIR_DOMAIN_AFFECT_LIVE",
    "VIR_NETWORK_UPDATE_AFFECT_LIVE",
    "VIR_DOMAIN_VCPU_LIVE",
    "VIR_DOMAIN_MEM_LIVE",
    "VIR_DOMAIN_DEVICE_MODIFY_LIVE",
)
# Object types whose define call can redefine an existing object.
REDEFINABLE = {
    "domain": "virDomainDefineXML",
    "network": "virNetworkDefineXML",
    "storage_pool": "virStoragePoolDefineXML",
    "nwfilter": "virNWFilterDefineXML",
    "secret": "virSecretDefineXML",
    "interface": "virInterfaceDefineXML",
}


def combinations(path=None):
    """Every STATE.SCOPE a call that takes scope flags is certified for (data/scope-flags.yaml)."""
    path = path or scope_table_path()
    if not os.path.exists(path):
        return []  # a suite without the table certifies no combination
    document, _raw = load_yaml(path, "scope-flag table")
    return [f"{state}.{scope}" for state, scope in document.get("combinations") or []]


def scope_calls(surface):
    """The public calls that change an object with scope flags (getters read with them: left out)."""
    return sorted(
        name
        for name in surface.functions
        if not name.startswith(("virDomainGet", "virNetworkGet"))
        and any(flag in SCOPE_LIVE_FLAGS for flag in surface.flag_values(name))
    )


def scope_flags(surface, tests, every=None):
    """{call: {certified: [STATE.SCOPE], missing: [...], tests: [...]}} and the totals."""
    every = every or combinations()
    calls = {}
    for name in scope_calls(surface):
        tagged = [test for test in tests if name in test.values("api") and test.values("scope")]
        certified = sorted({combo for test in tagged for combo in test.values("scope")})
        calls[name] = {
            "certified": certified,
            "missing": [combo for combo in every if combo not in certified],
            "tests": sorted(test.id for test in tagged),
        }
    complete = sum(1 for entry in calls.values() if not entry["missing"])
    return {"combinations": every, "calls": calls, "complete": complete, "total": len(calls)}


def redefinition(tests):
    """{object type: {api, tests}}: an empty list of tests is an object type whose redefinition no test
    certifies."""
    return {
        kind: {
            "api": api,
            "tests": sorted(test.id for test in tests if kind in test.values("redefine")),
        }
        for kind, api in REDEFINABLE.items()
    }


def scope_table_path():
    return paths.data_path("scope-flags.yaml")
