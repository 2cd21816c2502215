"""The catalog's driver matrix: per row of data/drivers.yaml, the products certified on a profile of the
row (published certifications only) and the host it needs; rendered on the analysis page."""

import pytest

from avocado_cert.catalog import analysis, register
from avocado_cert.catalog.app import Settings, create_app


class Admin:
    id = None
    is_admin = True
    vendor_id = None


@pytest.fixture
def app(tmp_path):
    return create_app(Settings(storage=str(tmp_path / "store"), max_upload_bytes=4096))


@pytest.fixture
def db(app):
    with app.extensions["catalog"].sessions() as session:
        yield session


def certification(db, account, prod, version, profiles, verdict, publish=True):
    cert = register.register_certification(db, account, register.add_version(db, account, prod, version))
    cert.verdict = verdict
    cert.profiles = profiles
    for status in ("submitted", "verified", "published") if publish else ("submitted",):
        register.move(db, cert, status, account)
    db.flush()
    return cert


def test_driver_rows_count_published_certifications_per_row(db):
    vend = register.create_vendor(db, Admin(), "acme", "ACME", "qe@acme.example")
    account = register.create_account(db, None, "alice", "correct horse battery", vend)
    prod = register.create_product(db, account, vend, "p", "P")
    certification(db, account, prod, "1", "qemu-x86_64, qemu-x86_64-tls", "CERTIFIED")
    certification(db, account, prod, "2", "lxc", "INCOMPLETE")
    certification(db, account, prod, "3", "xen", "CERTIFIED", publish=False)
    db.commit()
    rows = {row["id"]: row for row in analysis.driver_matrix(db)}
    assert rows["qemu"] == dict(rows["qemu"], certified=["acme/p"], published=1)
    assert rows["remote"]["certified"] == ["acme/p"]
    assert (rows["lxc"]["certified"], rows["lxc"]["published"]) == ([], 1)
    assert (rows["xen"]["certified"], rows["xen"]["published"]) == ([], 0)
    assert "dom0" in rows["xen"]["needs"]


def test_analysis_page_shows_the_driver_rows(app):
    with app.test_request_context():
        from flask import render_template  # pylint: disable=import-outside-toplevel

        page = render_template(
            "analysis.html",
            drivers=[],
            driver="",
            matrix=None,
            state=analysis.cell_state,
            failing=[],
            regressions=[],
            driver_rows=[
                {"id": "xen", "title": "Xen <libxl>", "needs": "a dom0", "certified": [], "published": 0}
            ],
        )
    assert "<h2>Driver matrix</h2>" in page
    assert "Xen &lt;libxl&gt;" in page and "a dom0" in page


def test_the_public_analysis_page_has_the_driver_matrix(app):
    page = app.test_client().get("/analysis")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<h2>Driver matrix</h2>" in text and "Xen (libxl)" in text
