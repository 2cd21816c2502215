"""`avocado cert criteria`: the criteria versions, and their reference document (docs/criteria/)."""

import os

from avocado_cert.base import paths

NAME = "criteria"
HELP = "List the criteria versions, write a version's reference document, or check the evolution policy"


def doc_path(version):
    return os.path.join(paths.home(), "docs", "criteria", f"{version}.md")


def configure(parser):
    parser.add_argument(
        "cert_criteria_action",
        choices=("list", "doc", "policy"),
        nargs="?",
        default="list",
        help="list: the versions; doc: write (or with --check, compare) the reference of a version; "
        "policy: check a version (or a draft criteria file) against the version before it "
        "(required only after advisory, removed only after deprecated)",
    )
    parser.add_argument("cert_criteria_version", nargs="?", default=None, metavar="VERSION|FILE")
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
    from avocado_cert.plan import criteria, criteria_doc  # pylint: disable=import-outside-toplevel

    if config.get("cert_criteria_action") == "list":
        for version in criteria.available():
            crit = criteria.load(version)
            out(
                f"{crit.version}  {crit.state:<9}  released {crit.released}  sha256 {crit.sha256[:16]}  "
                f"{len(crit.capabilities)} capabilities"
            )
        return 0
    if config.get("cert_criteria_action") == "policy":
        return _policy(config.get("cert_criteria_version"), out)
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


def _policy(version_or_path, out):
    """Exit 1 if a version (every shipped one by default) breaks the evolution policy."""
    from avocado_cert.plan import criteria  # pylint: disable=import-outside-toplevel

    shipped = criteria.available()
    targets = [criteria.load(version_or_path)] if version_or_path else [criteria.load(v) for v in shipped]
    status = 0
    for new in targets:
        older = [v for v in shipped if criteria.version_key(v) < criteria.version_key(new.version)]
        if not older:
            out(f"{new.version}: the first version, the baseline: nothing to compare")
            continue
        old = criteria.load(older[-1])
        problems = criteria.evolution_problems(old, new)
        for problem in problems:
            out(f"{new.version}: {problem}")
        if problems:
            status = 1
        else:
            out(f"{new.version}: follows the evolution policy against {old.version}")
    return status
