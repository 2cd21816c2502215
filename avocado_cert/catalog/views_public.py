"""The public catalog: HTML pages (server-rendered, no external assets), the SVG badges, the
stylesheet, the published configuration files and the bundles of published certifications."""

import os

from flask import Blueprint, Response, abort, current_app, g, render_template, request, send_file
from markupsafe import Markup

from avocado_cert.catalog import analysis, badge, inputs, pagecache, queries, register
from avocado_cert.catalog.models import PUBLISHED, CriteriaDoc, ProfileDoc
from avocado_cert.catalog.published import document, releases_yaml
from avocado_cert.report import html as html_report

blueprint = Blueprint("public", __name__)
CSS_CACHE = "public, max-age=3600"


def chart(areas, width=420, bar=12):  # pylint: disable=disallowed-name
    """html_report's area chart (it escapes every name itself)."""
    return Markup(html_report.area_chart(areas, width=width, bar=bar))  # nosec: escaped by area_chart


def can_see_all(vendor):
    actor = g.get("actor")
    return actor is not None and (actor.is_admin or actor.vendor_id == vendor.id)


@blueprint.route("/")
@pagecache.cached
def index():
    filters = {key: request.args.get(key, "") for key in queries.FILTERS}
    page = inputs.page(request.args)
    entries, total = queries.catalog(g.db, filters, page)
    pages = max((total + queries.PAGE - 1) // queries.PAGE, 1)
    return render_template(
        "catalog.html",
        entries=entries,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        facets=queries.facets(g.db),
        chart=chart,
        tested=lambda areas: {name: area for name, area in areas.items() if area["tests"]},
        colors=html_report.COLORS,
    )


@blueprint.route("/vendors/<vendor>/products/<product>")
@pagecache.cached
def product_page(vendor, product):
    prod = register.product(g.db, vendor, product)
    everything = can_see_all(prod.vendor)
    return render_template(
        "product.html",
        product=queries.product_info(prod),
        versions=queries.history(g.db, prod, everything),
        regressions=analysis.regressions(g.db, prod.id),
        everything=everything,
        chart=chart,
        colors=html_report.COLORS,
    )


def visible_certification(cert_id):
    cert = register.certification(g.db, inputs.row_id(cert_id))
    if cert.status != PUBLISHED and not can_see_all(cert.product_version.product.vendor):
        raise register.NotFound(f"no certification {cert_id}")
    return cert


@blueprint.route("/certifications/<int:cert_id>")
@pagecache.cached
def certification_page(cert_id):
    cert = visible_certification(cert_id)
    return render_template(
        "certification.html", cert=queries.detail(cert), chart=chart, colors=html_report.COLORS
    )


@blueprint.route("/certifications/<int:cert_id>/bundle.tar.gz")
def bundle_download(cert_id):
    cert = visible_certification(cert_id)
    if cert.bundle is None:
        abort(404)
    path = os.path.join(current_app.extensions["catalog"].settings.storage, cert.bundle.storage_name)
    return send_file(
        path, mimetype="application/gzip", as_attachment=True, download_name=f"{cert.bundle.sha256}.tar.gz"
    )


@blueprint.route("/analysis")
@pagecache.cached
def analysis_page():
    matrix = analysis.cached(g.db, "support_matrix", analysis.support_matrix)
    driver = request.args.get("driver") or (next(iter(matrix), ""))
    return render_template(
        "analysis.html",
        drivers=list(matrix),
        driver=driver,
        matrix=matrix.get(driver),
        state=analysis.cell_state,
        failing=analysis.cached(g.db, "failing_apis", analysis.failing_apis),
        regressions=analysis.cached(g.db, "regressions", analysis.regressions),
        driver_rows=analysis.cached(g.db, "driver_matrix", analysis.driver_matrix),
    )


@blueprint.route("/config")
@pagecache.cached
def config_page():
    return render_template("config.html", config=document(g.db))


@blueprint.route("/badge/<vendor>/<product>/<version>.svg")
@pagecache.cached
def badge_svg(vendor, product, version):
    status = 200
    try:
        prod = register.product(g.db, vendor, product)
        cert = queries.latest_published(g.db, prod, version)
    except register.NotFound:
        cert = None
    if cert is None:
        status = 404
    body = badge.render(f"libvirt {version}"[:40], cert.verdict if cert else "")
    response = Response(body, status=status, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@blueprint.route("/static/catalog.css")
def stylesheet():
    response = Response(
        render_template("catalog.css", colors=html_report.COLORS, verdicts=html_report.VERDICT_COLORS),
        mimetype="text/css",
    )
    response.headers["Cache-Control"] = CSS_CACHE
    return response


def _yaml(content):
    return Response(content, mimetype="application/yaml")


@blueprint.route("/api/v1/config/criteria/<version>.yaml")
def criteria_file(version):
    row = g.db.query(CriteriaDoc).filter_by(version=version).one_or_none()
    if row is None:
        raise register.NotFound(f"no published criteria {version}")
    return _yaml(row.content)


@blueprint.route("/api/v1/config/profiles/<name>/<sha256>.yaml")
def profile_file(name, sha256):
    row = g.db.query(ProfileDoc).filter_by(name=name, sha256=sha256).one_or_none()
    if row is None:
        raise register.NotFound(f"no published profile {name} {sha256[:12]}")
    return _yaml(row.content)


@blueprint.route("/api/v1/config/releases.yaml")
def releases_file():
    return _yaml(releases_yaml(g.db))
