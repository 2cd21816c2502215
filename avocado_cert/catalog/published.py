"""The configuration the service publishes: criteria versions, profiles and released suite hashes.

Bundles are checked against exactly these (by SHA-256); `avocado cert fetch-config` downloads them.
A published criteria version is immutable: publishing other bytes under the same version is refused.
"""

import os
import re

from sqlalchemy import select

from avocado_cert.base import paths
from avocado_cert.base.datafile import read_bytes, sha256_bytes
from avocado_cert.base.errors import CertError
from avocado_cert.catalog.models import CriteriaDoc, ProfileDoc, SuiteRelease
from avocado_cert.offline import suitehash
from avocado_cert.plan import criteria as criteria_mod
from avocado_cert.plan import profile

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def publish_criteria(session, path):
    """Publish a criteria file (state: published); return (version, sha256, added)."""
    crit = criteria_mod.load(path)
    if crit.state != "published":
        raise CertError(f"criteria {crit.version} are a {crit.state}, not published", path)
    raw = read_bytes(crit.path, "criteria")
    existing = session.scalar(select(CriteriaDoc).where(CriteriaDoc.version == crit.version))
    if existing is not None:
        if existing.sha256 != crit.sha256:
            raise CertError(
                f"criteria {crit.version} are already published with other contents "
                f"(sha256 {existing.sha256[:12]}); a published version never changes",
                path,
            )
        return crit.version, crit.sha256, False
    session.add(CriteriaDoc(version=crit.version, sha256=crit.sha256, content=raw))
    return crit.version, crit.sha256, True


def publish_profile(session, path):
    """Publish a profile file; return (name, sha256, added)."""
    prof = profile.load(path)
    raw = read_bytes(prof.path, "profile")
    sha = sha256_bytes(raw)
    query = select(ProfileDoc).where(ProfileDoc.name == prof.name, ProfileDoc.sha256 == sha)
    if session.scalar(query) is not None:
        return prof.name, sha, False
    session.add(ProfileDoc(name=prof.name, sha256=sha, content=raw))
    return prof.name, sha, True


def publish_release(session, version, sha256):
    """Publish a released suite hash; return added."""
    if not SHA256_RE.match(sha256 or ""):
        raise CertError(f"not a suite sha256: {sha256!r} (expected 64 lowercase hex digits)")
    if not criteria_mod.VERSION_RE.match(version or ""):
        raise CertError(f"not a suite version: {version!r}")
    existing = session.scalar(select(SuiteRelease).where(SuiteRelease.sha256 == sha256))
    if existing is not None:
        if existing.version != version:
            raise CertError(f"suite hash {sha256[:16]} is already release {existing.version}")
        return False
    session.add(SuiteRelease(version=version, sha256=sha256))
    return True


def seed(session):
    """Publish what this package ships: its published criteria, its profiles, its released suites."""
    added = []
    folder = paths.criteria_dir()
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else ():
        if name.endswith(".yaml") and criteria_mod.VERSION_RE.match(name[:-5]):
            try:
                version, _sha, new = publish_criteria(session, os.path.join(folder, name))
            except CertError:
                continue  # drafts and files that do not validate are not published
            if new:
                added.append(f"criteria {version}")
    for name in profile.available():
        try:
            prof_name, _sha, new = publish_profile(session, profile.locate(name))
        except CertError:
            continue
        if new:
            added.append(f"profile {prof_name}")
    for sha, version in suitehash.load_releases().items():
        if publish_release(session, version, sha):
            added.append(f"suite {version}")
    return added


def releases(session):
    """{suite sha256: version}, as verify takes them."""
    return {row.sha256: row.version for row in session.scalars(select(SuiteRelease))}


def criteria_hashes(session):
    """{criteria version: sha256}, as verify takes them."""
    return {row.version: row.sha256 for row in session.scalars(select(CriteriaDoc))}


def profile_hashes(session):
    """{(profile name, sha256)} of the published profiles."""
    return {(row.name, row.sha256) for row in session.scalars(select(ProfileDoc))}


def _located(entry, path, base):
    entry.update(path=path, url=base + path)
    return entry


def document(session, base=""):
    """The published configuration as one JSON-ready mapping (fetch-config reads it)."""
    crit = session.scalars(select(CriteriaDoc).order_by(CriteriaDoc.version)).all()
    profs = session.scalars(select(ProfileDoc).order_by(ProfileDoc.name, ProfileDoc.id)).all()
    rels = session.scalars(select(SuiteRelease).order_by(SuiteRelease.id)).all()
    return {
        "criteria": [
            _located(
                {"version": c.version, "sha256": c.sha256}, f"/api/v1/config/criteria/{c.version}.yaml", base
            )
            for c in crit
        ],
        "profiles": [
            _located(
                {"name": p.name, "sha256": p.sha256},
                f"/api/v1/config/profiles/{p.name}/{p.sha256}.yaml",
                base,
            )
            for p in profs
        ],
        "releases": [{"version": r.version, "sha256": r.sha256} for r in rels],
    }


def releases_yaml(session):
    """The released suites in data/releases.yaml's format."""
    lines = ["# Released suites published by the catalog.", "releases:"]
    rows = session.scalars(select(SuiteRelease).order_by(SuiteRelease.id)).all()
    if not rows:
        return "releases: []\n"
    for row in rows:
        lines.append(f'  - {{version: "{row.version}", sha256: "{row.sha256}"}}')
    return "\n".join(lines) + "\n"
