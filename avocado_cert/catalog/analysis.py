"""Results analysis across the published catalog, measured from the stored evidence:
the support matrix per driver (which APIs pass, fail or are unsupported, per driver and libvirt
version), the APIs that fail most across products, regressions between versions of a product, and the
driver matrix (per row of the support matrix, the products certified on it and the host it needs)."""

import re
import threading
from collections import Counter, defaultdict

from sqlalchemy import case, func, select

from avocado_cert.base import outcome
from avocado_cert.catalog import db
from avocado_cert.catalog.models import (
    PUBLISHED,
    ApiResult,
    Certification,
    Product,
    ProductVersion,
    Vendor,
)
from avocado_cert.report import drivermatrix

FAILING = (outcome.FAIL, outcome.ERROR)
_cache = {}
_lock = threading.Lock()


def version_key(version):
    """Natural order of version strings: 1.10 after 1.9, text parts compared as text."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|[^\d.]+", version)
    )


def generation(session):
    """Changes whenever the catalog does: the key of the cached analyses."""
    return db.revision(session)


def cached(session, name, compute):
    key = (str(session.get_bind().url), name)
    gen = generation(session)
    with _lock:
        hit = _cache.get(key)
        if hit and hit[0] == gen:
            return hit[1]
    value = compute(session)
    with _lock:
        _cache[key] = (gen, value)
    return value


def _published():
    return select(Certification.id).where(Certification.status == PUBLISHED)


def support_matrix(session):
    """{driver: {"versions": [...], "apis": {api: {version: Counter(outcome)}}}} over published results."""
    rows = session.execute(
        select(ApiResult.driver, ApiResult.driver_version, ApiResult.api, ApiResult.outcome, func.count())
        .where(ApiResult.certification_id.in_(_published()))
        .group_by(ApiResult.driver, ApiResult.driver_version, ApiResult.api, ApiResult.outcome)
    ).all()
    matrix = defaultdict(lambda: {"versions": set(), "apis": defaultdict(lambda: defaultdict(Counter))})
    for driver, version, api, result, count in rows:
        entry = matrix[driver]
        entry["versions"].add(version)
        entry["apis"][api][version][result] += count
    out = {}
    for driver in sorted(matrix):
        entry = matrix[driver]
        versions = sorted(entry["versions"], key=version_key)
        apis = {}
        for api in sorted(entry["apis"]):
            apis[api] = {v: dict(entry["apis"][api][v]) for v in versions if v in entry["apis"][api]}
        out[driver] = {"versions": versions, "apis": apis}
    return out


def cell_state(counts):
    """One word for a matrix cell: pass (all passed), fail (any failed), unsupported, or mixed."""
    if not counts:
        return ""
    total = sum(counts.values())
    if counts.get(outcome.PASS, 0) == total:
        return "pass"
    if any(counts.get(o, 0) for o in FAILING):
        return "fail"
    if counts.get(outcome.UNSUPPORTED, 0) == total:
        return "unsupported"
    return "mixed"


def failing_apis(session, limit=25):
    """[(api, failing certifications, certifications measured, products)] most failing first."""
    failing = func.sum(case((ApiResult.outcome.in_(FAILING), 1), else_=0))  # pylint: disable=E1111
    rows = session.execute(
        select(
            ApiResult.api,
            failing.label("failing"),
            func.count(func.distinct(ApiResult.certification_id)),
        )
        .where(ApiResult.certification_id.in_(_published()))
        .group_by(ApiResult.api)
        .having(failing > 0)
        .order_by(failing.desc(), ApiResult.api)
        .limit(limit)
    ).all()
    return [(api, int(fails), int(total)) for api, fails, total in rows]


def _latest_per_version(session, product_id=None):
    """{product id: [(version, certification id, verdict)]} of each version's newest published result."""
    newest = (
        select(func.max(Certification.id))
        .where(Certification.status == PUBLISHED)
        .group_by(Certification.product_version_id)
    )
    query = (
        select(ProductVersion.product_id, ProductVersion.version, Certification.id, Certification.verdict)
        .join(Certification, Certification.product_version_id == ProductVersion.id)
        .where(Certification.id.in_(newest))
    )
    if product_id is not None:
        query = query.where(ProductVersion.product_id == product_id)
    found = defaultdict(list)
    for pid, version, cert_id, verdict in session.execute(query):
        found[pid].append((version, cert_id, verdict))
    for versions in found.values():
        versions.sort(key=lambda item: version_key(item[0]))
    return found


def regressions(session, product_id=None):
    """Between consecutive versions of a product: the verdict lost and the APIs that passed before
    and no longer do. [{vendor, product, from, to, verdict, apis: [(driver, api, before, after)]}]"""
    by_product = _latest_per_version(session, product_id)
    pairs = {}
    for pid, versions in by_product.items():
        for (old_v, old_id, old_verdict), (new_v, new_id, new_verdict) in zip(versions, versions[1:]):
            pairs[(old_id, new_id)] = (pid, old_v, new_v, old_verdict, new_verdict)
    if not pairs:
        return []
    involved = sorted({cert_id for pair in pairs for cert_id in pair})
    results = defaultdict(dict)
    for start in range(0, len(involved), 500):  # bounded IN lists, each served by the index
        rows = session.execute(
            select(ApiResult.certification_id, ApiResult.driver, ApiResult.api, ApiResult.outcome).where(
                ApiResult.certification_id.in_(involved[start : start + 500])
            )
        )
        for cert_id, driver, api, result in rows:
            results[cert_id][(driver, api)] = result
    lost = {}
    for old_id, new_id in pairs:
        after = results.get(new_id, {})
        lost[(old_id, new_id)] = [
            (driver, api, before, after[(driver, api)])
            for (driver, api), before in results.get(old_id, {}).items()
            if before == outcome.PASS and after.get((driver, api), outcome.PASS) != outcome.PASS
        ]
    names = dict(
        (pid, (vendor, prod))
        for pid, vendor, prod in session.execute(
            select(Product.id, Vendor.slug, Product.slug)
            .join(Vendor)
            .where(Product.id.in_({p[0] for p in pairs.values()}))
        )
    )
    out = []
    for key, (pid, old_v, new_v, old_verdict, new_verdict) in pairs.items():
        verdict_lost = old_verdict == "CERTIFIED" and new_verdict != "CERTIFIED"
        if not lost.get(key) and not verdict_lost:
            continue
        vendor, prod = names[pid]
        out.append(
            {
                "vendor": vendor,
                "product": prod,
                "from": old_v,
                "to": new_v,
                "from_certification": key[0],
                "to_certification": key[1],
                "verdict": [old_verdict, new_verdict],
                "apis": sorted(lost.get(key, [])),
            }
        )
    out.sort(key=lambda r: (-len(r["apis"]), r["vendor"], r["product"], version_key(r["to"])))
    return out


def driver_matrix(session):
    """Per row of the support matrix (data/drivers.yaml): the products certified on a profile of the row,
    how many published certifications measured it, and the host it needs.
    [{id, title, needs, certified: [vendor/product], published: n}]"""
    table = drivermatrix.rows()
    rows = session.execute(
        select(Certification.profiles, Certification.verdict, Vendor.slug, Product.slug)
        .join(ProductVersion, Certification.product_version_id == ProductVersion.id)
        .join(Product, ProductVersion.product_id == Product.id)
        .join(Vendor, Product.vendor_id == Vendor.id)
        .where(Certification.status == PUBLISHED)
    ).all()
    certified = defaultdict(set)
    published = Counter()
    for profiles, verdict, vendor, prod in rows:
        for row_id in {
            drivermatrix.row_of(name.strip(), table) for name in profiles.split(",") if name.strip()
        }:
            if row_id is None:
                continue
            published[row_id] += 1
            if verdict == "CERTIFIED":
                certified[row_id].add(f"{vendor}/{prod}")
    return [
        {
            "id": row["id"],
            "title": row["title"],
            "needs": row["needs"],
            "certified": sorted(certified[row["id"]]),
            "published": published[row["id"]],
        }
        for row in table
    ]
