"""Reading the published catalog: the listing, a product's history and one certification, as plain
mappings that both the HTML pages and the JSON API render, so they always show the same data."""

import json

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from avocado_cert.catalog.analysis import version_key
from avocado_cert.catalog.models import (
    PUBLISHED,
    AreaResult,
    Certification,
    Product,
    ProductVersion,
    Vendor,
)

PAGE = 50
FILTERS = ("vendor", "driver", "arch", "verdict")


def summary(cert, pver=None, prod=None, vendor=None, areas=None):
    pver = pver or cert.product_version
    prod = prod or pver.product
    vendor = vendor or prod.vendor
    return {
        "id": cert.id,
        "vendor": vendor.slug,
        "vendor_name": vendor.name,
        "product": prod.slug,
        "product_name": prod.name,
        "version": pver.version,
        "status": cert.status,
        "verdict": cert.verdict,
        "mode": cert.origin_mode,  # who ran it: the vendor (offline) or the community lab (centralized)
        "driver": cert.driver,
        "arch": cert.arch,
        "libvirt_version": cert.libvirt_version,
        "hypervisor_version": cert.hypervisor_version,
        "criteria_version": cert.criteria_version,
        "criteria_sha256": cert.criteria_sha256,
        "suite_version": cert.suite_version,
        "profiles": cert.profiles,
        "tests": cert.tests,
        "passed": cert.passed,
        "scored_on": cert.scored_on,
        "published_at": cert.published_at.isoformat() if cert.published_at else None,
        "areas": areas if areas is not None else area_map(cert.areas),
    }


def area_map(rows):
    """{area: {tests, score, counts}} in html_report.area_chart's shape; the profile joins the name
    only when a certification holds several profiles."""
    several = len({row.profile for row in rows}) > 1
    out = {}
    for row in sorted(rows, key=lambda r: (r.profile, r.area)):
        name = f"{row.profile}/{row.area}" if several else row.area
        out[name] = {"tests": row.tests, "score": row.score, "counts": json.loads(row.counts)}
    return out


def catalog(session, filters=None, page=1, per_page=PAGE):
    """(entries, total): the newest published certification of every product version, newest first."""
    filters = {k: v for k, v in (filters or {}).items() if k in FILTERS and v}
    newest = (
        select(func.max(Certification.id))
        .where(Certification.status == PUBLISHED)
        .group_by(Certification.product_version_id)
    )
    query = (
        select(Certification, ProductVersion, Product, Vendor)
        .join(ProductVersion, Certification.product_version_id == ProductVersion.id)
        .join(Product, ProductVersion.product_id == Product.id)
        .join(Vendor, Product.vendor_id == Vendor.id)
        .where(Certification.id.in_(newest))
    )
    if "vendor" in filters:
        query = query.where(Vendor.slug == filters["vendor"])
    if "driver" in filters:
        query = query.where(Certification.driver == filters["driver"])
    if "arch" in filters:
        query = query.where(Certification.arch == filters["arch"])
    if "verdict" in filters:
        query = query.where(Certification.verdict == filters["verdict"])
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(
        query.order_by(Certification.published_at.desc(), Certification.id.desc())
        .limit(per_page)
        .offset(max(page - 1, 0) * per_page)
    ).all()
    areas = {}
    ids = [row[0].id for row in rows]
    if ids:
        for area in session.scalars(select(AreaResult).where(AreaResult.certification_id.in_(ids))):
            areas.setdefault(area.certification_id, []).append(area)
    entries = [summary(c, pv, p, v, area_map(areas.get(c.id, []))) for c, pv, p, v in rows]
    return entries, total


def facets(session):
    """The values the catalog can be filtered by."""
    published = Certification.status == PUBLISHED
    return {
        "driver": sorted(session.scalars(select(Certification.driver).where(published).distinct())),
        "arch": sorted(session.scalars(select(Certification.arch).where(published).distinct())),
        "verdict": sorted(session.scalars(select(Certification.verdict).where(published).distinct())),
        "vendor": sorted(
            session.scalars(
                select(Vendor.slug)
                .join(Product)
                .join(ProductVersion)
                .join(Certification)
                .where(published)
                .distinct()
            )
        ),
    }


def history(session, prod, everything=False):
    """A product's versions, newest first, each with its certifications (published only, unless
    everything: the vendor and admins see requests in every status)."""
    versions = session.scalars(
        select(ProductVersion)
        .where(ProductVersion.product_id == prod.id)
        .options(
            selectinload(ProductVersion.certifications).selectinload(Certification.areas),
            selectinload(ProductVersion.certifications).selectinload(Certification.events),
        )
    ).all()
    out = []
    for pver in sorted(versions, key=lambda v: version_key(v.version), reverse=True):
        certs = [c for c in pver.certifications if everything or c.status == PUBLISHED]
        entries = []
        for cert in sorted(certs, key=lambda c: c.id, reverse=True):
            entry = summary(cert, pver, prod, prod.vendor)
            entry["reason"] = cert.reason
            entry["events"] = [
                {"status": e.status, "reason": e.reason, "at": e.at.isoformat()} for e in cert.events
            ]
            entries.append(entry)
        if entries or everything:
            out.append({"version": pver.version, "certifications": entries})
    return out


def product_info(prod):
    return {
        "vendor": prod.vendor.slug,
        "vendor_name": prod.vendor.name,
        "product": prod.slug,
        "name": prod.name,
        "description": prod.description,
    }


def detail(cert):
    """One certification with its capabilities, the verification rules and the measured APIs."""
    entry = summary(cert)
    entry["reason"] = cert.reason
    entry["suite_sha256"] = cert.suite_sha256
    entry["job_id"] = cert.job_id
    entry["bundle_sha256"] = cert.bundle.sha256 if cert.bundle else None
    entry["key_id"] = cert.bundle.key_id if cert.bundle else None
    entry["capabilities"] = [
        {
            "profile": c.profile,
            "id": c.capability,
            "status": c.status,
            "outcome": c.outcome,
            "accepted": c.accepted,
        }
        for c in cert.capabilities
    ]
    entry["verification"] = json.loads(cert.verification) if cert.verification else []
    entry["apis"] = [
        {
            "driver": a.driver,
            "driver_version": a.driver_version,
            "api": a.api,
            "outcome": a.outcome,
            "tests": a.tests,
        }
        for a in sorted(cert.api_results, key=lambda a: (a.driver, a.api))
    ]
    entry["events"] = [{"status": e.status, "reason": e.reason, "at": e.at.isoformat()} for e in cert.events]
    return entry


def latest_published(session, prod, version):
    return session.scalar(
        select(Certification)
        .join(ProductVersion)
        .where(
            ProductVersion.product_id == prod.id,
            ProductVersion.version == version,
            Certification.status == PUBLISHED,
        )
        .order_by(Certification.id.desc())
    )
