"""`avocado cert criteria`: the criteria versions, and their reference document (docs/criteria/)."""

import os

from avocado_cert import criteria, criteria_doc, paths

NAME = "criteria"
HELP = "List the criteria versions, or write a version's reference document"


def doc_path(version):
    return os.path.join(paths.home(), "docs", "criteria", f"{version}.md")


def configure(parser):
    parser.add_argument(
        "cert_criteria_action",
        choices=("list", "doc"),
        nargs="?",
        default="list",
        help="list: the versions; doc: write (or with --check, compare) the reference of a version",
    )
    parser.add_argument("cert_criteria_version", nargs="?", default=None, metavar="VERSION")
    parser.add_argument(
        "--output",
        dest="cert_criteria_output",
        default=None,
        metavar="FILE",
        help="Where to write the reference (default docs/criteria/VERSION.md; - for stdout)",
    )
    parser.add_argument(
        "--check",
        dest="cert_criteria_check",
        action="store_true",
        help="Exit 1 if the written reference differs from what the criteria generate",
    )


def run(config, out):
    if config.get("cert_criteria_action") == "list":
        for version in criteria.available():
            crit = criteria.load(version)
            out(
                f"{crit.version}  {crit.state:<9}  released {crit.released}  sha256 {crit.sha256[:16]}  "
                f"{len(crit.capabilities)} capabilities"
            )
        return 0
    versions = (
        [config.get("cert_criteria_version")] if config.get("cert_criteria_version") else criteria.available()
    )
    status = 0
    for version in versions:
        crit = criteria.load(version)
        text = criteria_doc.render(crit)
        target = config.get("cert_criteria_output") or doc_path(crit.version)
        if target == "-":
            out(text)
            continue
        if config.get("cert_criteria_check"):
            try:
                with open(target, encoding="utf-8") as src:
                    current = src.read()
            except OSError:
                current = None
            if current != text:
                out(f"{target} is out of date: run `avocado cert criteria doc {crit.version}`")
                status = 1
            continue
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        with open(target, "w", encoding="utf-8") as dst:
            dst.write(text)
        out(f"wrote {target}")
    return status
