"""avocado-cert: a libvirt API certification suite built as Avocado plugins."""

import os

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def data_files(*tops):
    """Install cfg/, data/ and tests/ under share/avocado-cert/, keeping their layout."""
    found = {}
    for top in tops:
        for root, _dirs, files in os.walk(os.path.join(HERE, top)):
            rel = os.path.relpath(root, HERE)
            keep = [os.path.join(rel, f) for f in files if not f.endswith(".pyc")]
            if keep:
                found[os.path.join("share", "avocado-cert", rel)] = keep
    return sorted(found.items())


CATALOG = [
    "flask>=3.0",
    "sqlalchemy>=2.0",
    "alembic>=1.12",
    "gunicorn>=22",
    "psycopg[binary]>=3.1",
    "procrastinate>=3.5,<4",
]


def version():
    with open(os.path.join(HERE, "avocado_cert", "version.py"), encoding="utf-8") as src:
        scope = {}
        exec(src.read(), scope)  # pylint: disable=exec-used
    return scope["VERSION"]


setup(
    name="avocado-cert",
    version=version(),
    description="libvirt API certification suite built as Avocado plugins",
    long_description=open(os.path.join(HERE, "README.md"), encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="GPLv2+",
    python_requires=">=3.9",
    packages=find_packages(include=["avocado_cert", "avocado_cert.*"]),
    include_package_data=True,
    package_data={
        "avocado_cert.report": ["templates/*"],
        "avocado_cert.catalog": [
            "templates/*",
            "migrations/*.py",
            "migrations/*.mako",
            "migrations/versions/*.py",
        ],
    },
    data_files=data_files("cfg", "data", "tests"),
    install_requires=[
        "avocado-framework>=113",
        "avocado-framework-plugin-vt>=113",
        "avocado-framework-plugin-varianter-cit>=113",  # pairwise reduction of the variant cross
        "libvirt-python",
        "aexpect",
        "lxml",
        "Jinja2",  # report.html and the catalog's pages share templates
        "PyYAML",
        "cryptography",
        "Pillow",  # screenshots are checked as images; Avocado-VT also wants it
    ],
    extras_require={
        # The catalog service: Flask on gunicorn, SQLAlchemy with Alembic migrations, psycopg for PostgreSQL,
        # procrastinate for the lab's task queue (in the catalog's PostgreSQL database).
        "catalog": CATALOG,
        "dev": ["pytest", "selenium>=4.11", "black", "isort", "pylint"] + CATALOG,
    },
    entry_points={
        "avocado.plugins.init": [
            "cert = avocado_cert.plugins.settings:CertInit",
        ],
        "avocado.plugins.cli": [
            "cert-profile = avocado_cert.plugins.profile_cli:CertProfileCLI",
        ],
        "avocado.plugins.cli.cmd": [
            "cert = avocado_cert.plugins.cert_cmd:CertCommand",
        ],
        "avocado.plugins.varianter": [
            "cert = avocado_cert.plugins.varianter:CertVarianter",
        ],
        "avocado.plugins.job.prepost": [
            "cert-host = avocado_cert.plugins.hooks:CertHostHooks",
            "zz-cert-verdict = avocado_cert.plugins.verdict_exit:VerdictExit",
        ],
        "avocado.plugins.result_events": [
            "cert-host = avocado_cert.plugins.hooks:CertHostCheck",
        ],
        "avocado.plugins.spawner": [
            "forkserver = avocado_cert.plugins.spawner:ForkServerSpawner",
        ],
        "avocado.plugins.result": [
            "cert = avocado_cert.plugins.result:CertResult",
        ],
    },
)
