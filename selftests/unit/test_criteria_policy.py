"""The policy on how criteria evolve, enforced on the shipped criteria files (docs/policy.md)."""

import pytest

from avocado_cert import criteria
from avocado_cert.commands import criteria as criteria_cmd

VERSIONS = criteria.available()
PAIRS = list(zip(VERSIONS, VERSIONS[1:]))


@pytest.mark.parametrize(
    "older, newer", PAIRS or [pytest.param(None, None, marks=pytest.mark.skip("one version"))]
)
def test_required_only_after_advisory(older, newer):
    """A capability is advisory for at least one version before it becomes required."""
    old = criteria.load(older)
    new = criteria.load(newer)
    for cap in new.capabilities:
        if cap.status != "required":
            continue
        before = old.by_id.get(cap.id)
        assert before is not None and before.status in (
            "advisory",
            "required",
        ), f"{cap.id} is required in {newer} without having been advisory in {older}"


@pytest.mark.parametrize(
    "older, newer", PAIRS or [pytest.param(None, None, marks=pytest.mark.skip("one version"))]
)
def test_removed_only_after_deprecated(older, newer):
    """A capability is deprecated for at least one version before it is removed."""
    old = criteria.load(older)
    new = criteria.load(newer)
    for cap_id, before in old.by_id.items():
        after = new.by_id.get(cap_id)
        if after is None or after.status == "removed":
            assert before.status in (
                "deprecated",
                "removed",
            ), f"{cap_id} removed in {newer} without deprecation"


def test_published_criteria_carry_their_reference_document():
    """docs/criteria/VERSION.md is generated from the criteria file and matches it."""
    from avocado_cert import criteria_doc  # pylint: disable=import-outside-toplevel

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
