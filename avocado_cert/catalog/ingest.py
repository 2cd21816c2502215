"""Accepting a bundle: received within a size limit, verified with `avocado cert verify`'s code
against the vendor's registered keys and the published configuration, re-scored, then stored with
its results in one transaction. A bundle that does not verify leaves nothing behind; the same bundle
uploaded twice is the same certification.

Origin: the signed manifest names the vendor, product and version the bundle is for; it must be the
one it is uploaded to, signed by that vendor's key (or, for a "centralized" run, the lab's), and its
run (job id, SHA-256 of the raw results) must not be held by another certification (409)."""

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from avocado_cert.base.errors import CertError
from avocado_cert.catalog import auth, evidence, published, register
from avocado_cert.catalog.models import (
    PUBLISHED,
    SUBMITTED,
    VERIFIED,
    ApiResult,
    AreaResult,
    Bundle,
    CapabilityResult,
    Certification,
    Product,
    ProductVersion,
    RunIdentity,
    VendorKey,
)
from avocado_cert.offline import bundle as layout
from avocado_cert.offline import origin as origins
from avocado_cert.offline import safetar, signing, verify

MIB = 1 << 20
READ_CHUNK = 1 << 16
ATTEMPTS = 3  # concurrent uploads may race for the same new product version


class TooLarge(Exception):
    """The upload is over the size limit (HTTP 413)."""


@dataclass
class Rejection:
    """Why a bundle was refused: the failed rules (name, detail) and a one-line reason."""

    reason: str
    rules: list = field(default_factory=list)


def tar_limits(max_bytes):
    """What an uploaded archive may unpack to: far less than the offline defaults."""
    return safetar.Limits(
        member_size=min(64 * MIB, 8 * max_bytes),
        total_size=min(1024 * MIB, 16 * max_bytes),
        members=100_000,
        ratio=200,
        ratio_floor=16 * MIB,
    )


def receive(stream, length, folder, max_bytes):
    """Copy the request body into a new file under folder; return (path, sha256, size).

    Refused before reading when the announced length is over the limit, and while reading when
    the body turns out longer."""
    if length is not None and length > max_bytes:
        raise TooLarge(f"the bundle is {length} bytes, the limit is {max_bytes}")
    os.makedirs(folder, exist_ok=True)
    handle, path = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=folder)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(handle, "wb") as out:
            while True:
                chunk = stream.read(READ_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"the bundle is over the limit of {max_bytes} bytes")
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        os.unlink(path)
        raise
    return path, digest.hexdigest(), size


def _verify(path, keys, releases, criteria, limits):
    """(key, Verification) with the first registered key whose signature verifies, else the first's."""
    first = None
    for key in keys:
        result = verify.verify(path, key.public_pem.encode("ascii"), releases, criteria, limits)
        if result.fatal:
            return key, result
        signature = next((rule for rule in result.rules if rule.name == "signature"), None)
        if signature is not None and signature.passed:
            return key, result
        first = first or (key, result)
    return first


def _revoked_signer(path, revoked, limits):
    """The revoked key (of those given) whose signature the bundle's manifest carries, or None."""
    if not revoked:
        return None
    try:
        _members, kept = safetar.scan(path, limits, keep=lambda n: n in (layout.MANIFEST, layout.SIGNATURE))
    except CertError:
        return None
    if layout.MANIFEST not in kept or layout.SIGNATURE not in kept:
        return None
    for key in revoked:
        public = signing.parse_public(key.public_pem)
        if signing.check(public, kept[layout.MANIFEST], kept[layout.SIGNATURE])[0]:
            return key
    return None


def origin_problem(origin, key, vendor_slug, product_slug, version):
    """Why a verified bundle's signed origin does not allow this upload, or "" (rule "origin")."""
    if origin is None:
        return (
            "the bundle names no vendor, product and version (bundle it with --vendor, --product and "
            "--product-version): an unbound result cannot be published"
        )
    if origins.problems(origin):
        return origins.problems(origin)[0]
    if origin["mode"] == origins.CENTRALIZED and not key.lab:
        return "a centralized run is accepted only when signed by the lab's key"
    if origin["mode"] == origins.OFFLINE and key.lab:
        return "the lab's key signs centralized runs only"
    if origin["vendor"] != vendor_slug:
        return f"the bundle is signed for vendor {origin['vendor']}, not {vendor_slug}"
    if (origin["product"], origin["version"]) != (product_slug, version):
        return (
            f"the bundle is signed for {origin['vendor']}/{origin['product']} {origin['version']}, "
            f"not {vendor_slug}/{product_slug} {version}"
        )
    return ""


def holder(session, job_id, results_sha256):
    """The certification that already holds this run (same job id or same raw results), or None."""
    clauses = [RunIdentity.results_sha256 == results_sha256] if results_sha256 else []
    if job_id:
        clauses.append(RunIdentity.job_id == job_id)
    if not clauses:
        return None
    row = session.scalar(select(RunIdentity).where(or_(*clauses)).order_by(RunIdentity.id))
    return row.certification if row is not None else None


def _held_by(cert, job_id):
    pver = cert.product_version
    return register.Conflict(
        f"this run (job {job_id[:12] or '?'}) is already certification {cert.id} of "
        f"{pver.product.vendor.slug}/{pver.product.slug} {pver.version}: one run is published once"
    )


def _profiles_problem(found, profiles):
    for name, sha in sorted(found.profiles.items()):
        if (name, sha) not in profiles:
            return f"profile '{name}' (sha256 {sha[:12]}) is not a profile this catalog publishes"
    return ""


class Ingest:
    """One upload of a bundle for a vendor's product version."""

    def __init__(self, sessions, storage, auto_publish=True, max_bytes=256 * MIB):
        self.sessions = sessions
        self.storage = storage
        self.auto_publish = auto_publish
        self.limits = tar_limits(max_bytes)

    def existing(self, session, sha256, pver_id):
        """The certification a bundle with this hash is already, or None; a Conflict if elsewhere."""
        row = session.scalar(select(Bundle).where(Bundle.sha256 == sha256))
        if row is None:
            return None
        cert = session.scalar(select(Certification).where(Certification.bundle_id == row.id))
        if cert is None or cert.product_version_id != pver_id:
            raise register.Conflict("this bundle was uploaded already for another product version")
        return cert

    def run(self, actor, vendor_slug, product_slug, version, path, sha256, size):
        """(certification id, created) or a Rejection; path is removed or moved into storage."""
        try:
            return self._run(actor, vendor_slug, product_slug, version, path, sha256, size)
        finally:
            if os.path.exists(path):
                os.unlink(path)

    def _run(self, actor, vendor_slug, product_slug, version, path, sha256, size):
        with self.sessions() as session:
            prod = register.product(session, vendor_slug, product_slug)
            auth.require_vendor(actor, prod.vendor)
            version = register.check_version(version)
            pver = session.scalar(
                select(ProductVersion).where(
                    ProductVersion.product_id == prod.id, ProductVersion.version == version
                )
            )
            if pver is not None:
                done = self.existing(session, sha256, pver.id)
                if done is not None:
                    return done.id, False
            keys = register.active_keys(prod.vendor)
            revoked = [key for key in prod.vendor.keys if key.revoked_at is not None]
            lab_keys = session.scalars(
                select(VendorKey).where(VendorKey.lab.is_(True), VendorKey.revoked_at.is_(None))
            ).all()
            keys += [key for key in lab_keys if key.vendor_id != prod.vendor_id]
            if not keys:  # a vendor certified by the lab alone needs no key of its own
                return Rejection(f"vendor {prod.vendor.slug} has no registered signing key")
            releases, criteria = published.releases(session), published.criteria_hashes(session)
            profiles = published.profile_hashes(session)
        key, result = _verify(path, keys, releases, criteria, self.limits)
        signature = next((rule for rule in result.rules if rule.name == "signature"), None)
        if signature is not None and not signature.passed:
            gone = _revoked_signer(path, revoked, self.limits)
            if gone is not None:
                reason = (
                    f"signed by key {gone.key_id[:16]} of vendor {prod.vendor.slug}, which was revoked on "
                    f"{gone.revoked_at:%Y-%m-%d}: sign it again with an active key"
                )
                return Rejection(f"the bundle did not verify: {reason}", [("signature", reason)])
        if not result.ok:
            failed = [(rule.name, rule.detail) for rule in result.failed]
            reason = result.fatal or "; ".join(f"{name}: {detail}" for name, detail in failed)
            return Rejection(f"the bundle did not verify: {reason}", failed)
        try:
            found = evidence.read(path, key.public_pem, releases, criteria, self.limits)
        except CertError as details:
            return Rejection(f"the bundle cannot be read: {details}")
        problem = _profiles_problem(found, profiles)
        if problem:
            return Rejection(f"the bundle did not verify: {problem}", [("profiles", problem)])
        problem = origin_problem(found.origin, key, prod.vendor.slug, prod.slug, version)
        if problem:
            return Rejection(f"the bundle's origin is not this upload: {problem}", [("origin", problem)])
        rules = json.dumps([rule.to_dict() for rule in result.rules])
        for attempt in range(ATTEMPTS):
            try:
                return self._store(actor, prod.id, version, path, sha256, size, key, found, rules)
            except IntegrityError:
                if attempt == ATTEMPTS - 1:
                    raise
        return None  # not reached

    def _final_path(self, sha256):
        return os.path.join(self.storage, "bundles", sha256[:2], f"{sha256}.tar.gz")

    def _store(self, actor, product_id, version, path, sha256, size, key, found, rules):
        with self.sessions() as session:
            prod = session.get(Product, product_id)
            pver = register.version_for_upload(session, actor, prod, version)
            done = self.existing(session, sha256, pver.id)
            if done is not None:
                return done.id, False
            held = holder(session, found.job_id, found.results_sha256)
            if held is not None:
                raise _held_by(held, found.job_id)
            row = Bundle(
                sha256=sha256,
                size=size,
                storage_name=os.path.relpath(self._final_path(sha256), self.storage),
                key_id=key.key_id,
            )
            session.add(row)
            session.flush()
            cert = register.open_request(session, pver) or register.register_certification(
                session, actor, pver
            )
            cert.bundle_id = row.id
            self._fill(cert, found, rules)
            session.add(
                RunIdentity(
                    certification_id=cert.id,
                    job_id=found.job_id or None,
                    results_sha256=found.results_sha256 or None,
                )
            )
            session.flush()
            register.move(session, cert, SUBMITTED, actor)
            register.move(session, cert, VERIFIED, actor, "verified with key " + key.key_id[:16])
            if self.auto_publish:
                register.move(session, cert, PUBLISHED, actor)
            target = self._final_path(sha256)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.replace(path, target)  # same bytes whoever wins a race: the name is their hash
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                if session.scalar(select(Bundle).where(Bundle.sha256 == sha256)) is None:
                    os.unlink(target)
                raise
            return cert.id, True

    @staticmethod
    def _fill(cert, found, rules):
        crit = sorted(set(found.criteria.values()))
        cert.verdict = found.verdict
        cert.profiles = ", ".join(sorted(found.profiles))
        cert.criteria_version = ", ".join(v for v, _s in crit)
        cert.criteria_sha256 = crit[0][1] if len(crit) == 1 else ""
        cert.suite_version, cert.suite_sha256 = found.suite
        cert.driver = found.drivers
        cert.arch = found.arches
        cert.libvirt_version = found.libvirt_versions
        cert.hypervisor_version = found.hypervisor_versions
        cert.job_id = found.job_id
        cert.scored_on = found.scored_on
        cert.tests, cert.passed = found.tests, found.passed
        cert.origin_mode = found.origin["mode"]
        cert.verification = rules
        cert.areas = [
            AreaResult(profile=p, area=a, tests=t, score=s, counts=json.dumps(c, sort_keys=True))
            for p, a, t, s, c in found.areas
        ]
        cert.capabilities = [
            CapabilityResult(profile=p, capability=c, status=st, outcome=o, accepted=acc)
            for p, c, st, o, acc in found.capabilities
        ]
        cert.api_results = [
            ApiResult(driver=d, driver_version=v, api=api, outcome=o, tests=n)
            for d, v, api, o, n in found.apis
        ]
