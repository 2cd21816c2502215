"""The policy on how criteria evolve (docs/policy.md): the rule itself, proven on criteria files made
for the purpose, then enforced on every consecutive pair of shipped criteria files."""

import os
import textwrap

import pytest

from avocado_cert.commands import criteria as criteria_cmd
from avocado_cert.plan import criteria

VERSIONS = criteria.available()
PAIRS = list(zip(VERSIONS, VERSIONS[1:]))


def make(folder, version, capabilities):
    """Criteria `version` in folder with capabilities {id: status or (status, {profile: status})}."""
    entries = []
    for cap_id, status in {"host.unchanged": "required", **capabilities}.items():
        status, by_profile = status if isinstance(status, tuple) else (status, {})
        entry = (
            f"  - id: {cap_id}\n    area: {cap_id.split('.')[0]}\n    title: {cap_id}\n"
            f'    apis: [virConnectOpen]\n    status: {status}\n    since: "{version}"\n'
        )
        if by_profile:
            entry += (
                "    status_by_profile: {" + ", ".join(f"{k}: {v}" for k, v in by_profile.items()) + "}\n"
            )
        entries.append(entry)
    path = os.path.join(folder, f"{version}.yaml")
    with open(path, "w", encoding="utf-8") as out:
        out.write(textwrap.dedent(f"""\
                version: "{version}"
                released: 2026-11-27
                state: published
                description: made for the policy selftest
                capabilities:
                """) + "".join(entries))
    return criteria.load(path)


@pytest.mark.parametrize(
    "before, after, expected",
    [
        ({"host.a": "advisory"}, {"host.a": "required"}, []),
        ({"host.a": "required"}, {"host.a": "required"}, []),
        ({}, {"host.a": "advisory"}, []),
        ({"host.a": "deprecated"}, {"host.a": "removed"}, []),
        ({"host.a": "deprecated"}, {}, []),
        (
            {},
            {"host.a": "required"},
            ["host.a is required in 1.1 without having been advisory in 1.0 (was absent)"],
        ),
        (
            {"host.a": "deprecated"},
            {"host.a": "required"},
            ["host.a is required in 1.1 without having been advisory in 1.0 (was deprecated)"],
        ),
        (
            {"host.a": "required"},
            {"host.a": "removed"},
            ["host.a is removed in 1.1 without having been deprecated in 1.0 (was required)"],
        ),
        ({"host.a": "advisory"}, {}, ["host.a is dropped from 1.1 without having been deprecated in 1.0"]),
        (
            {"host.a": ("required", {"test": "advisory"})},
            {"host.a": "required"},
            [],
        ),
        (
            {"host.a": ("advisory", {"test": "deprecated"})},
            {"host.a": ("advisory", {"test": "required"})},
            [
                "host.a is required on profile test in 1.1 without having been advisory in 1.0 (was deprecated)"
            ],
        ),
        (
            {"host.a": "advisory"},
            {"host.a": ("advisory", {"qemu-x86_64": "removed"})},
            [
                "host.a is removed on profile qemu-x86_64 in 1.1 without having been deprecated in 1.0 (was advisory)"
            ],
        ),
    ],
)
def test_evolution_rule(tmp_path, before, after, expected):
    old = make(str(tmp_path), "1.0", before)
    new = make(str(tmp_path), "1.1", after)
    assert criteria.evolution_problems(old, new) == expected


@pytest.mark.parametrize(
    "older, newer",
    PAIRS or [pytest.param(None, None, marks=pytest.mark.skip("one criteria version: no pair yet"))],
)
def test_shipped_versions_follow_the_policy(older, newer):
    assert criteria.evolution_problems(criteria.load(older), criteria.load(newer)) == []


def test_published_criteria_carry_their_reference_document():
    """docs/criteria/VERSION.md is generated from the criteria file and matches it."""
    from avocado_cert.plan import criteria_doc  # pylint: disable=import-outside-toplevel

    for version in VERSIONS:
        crit = criteria.load(version)
        with open(criteria_cmd.doc_path(version), encoding="utf-8") as src:
            assert src.read() == criteria_doc.render(
                crit
            ), f"docs/criteria/{version}.md is out of date: run `avocado cert criteria doc {version}`"


def test_waivers_are_complete_and_scoped():
    for version in VERSIONS:
        for waiver in criteria.load(version).waivers:
            assert waiver.reason.strip() and waiver.bug.startswith("http") and waiver.expires


def test_policy_command_on_a_draft(tmp_path):
    """`avocado cert criteria policy FILE` checks a draft against the shipped version before it."""
    latest = criteria.load(VERSIONS[-1])
    with open(latest.path, encoding="utf-8") as src:
        text = src.read().replace(f'version: "{latest.version}"', 'version: "99.0"', 1)
    new_capability = (
        "  - id: host.brand_new\n    area: host\n    title: New\n    apis: [virConnectOpen]\n"
        '    status: required\n    since: "99.0"\n'
    )
    text = text.replace("\ncapabilities:\n", "\ncapabilities:\n" + new_capability, 1)
    draft = tmp_path / "99.0.yaml"
    draft.write_text(text, encoding="utf-8")
    lines = []
    config = {"cert_criteria_action": "policy", "cert_criteria_version": str(draft)}
    assert criteria_cmd.run(config, lines.append) == 1
    assert lines == [
        f"99.0: host.brand_new is required in 99.0 without having been advisory in {latest.version} (was absent)"
    ]
    lines.clear()
    config["cert_criteria_version"] = None
    assert criteria_cmd.run(config, lines.append) == 0
    assert lines[0] == f"{VERSIONS[0]}: the first version, the baseline: nothing to compare"
