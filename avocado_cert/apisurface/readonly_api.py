"""Which public libvirt functions a read-only connection may not call, read from libvirt's own source.

Every public entry point (src/libvirt*.c) that writes calls virCheckReadOnlyGoto(conn->flags, ...)
before it reaches a driver; a few refuse only some arguments (a secure-XML flag, a guest-agent
source), either through a conditional virCheckReadOnlyGoto or an explicit VIR_CONNECT_RO test that
reports VIR_ERR_OPERATION_DENIED. `extract` classifies each exported symbol (libvirt_*.syms) as
refused, refused_if (with the C condition) or allowed; data/api/read-only-VERSION.yaml holds the
result for a release, and `load` reads it back.

    python -m avocado_cert.apisurface.readonly_api SRC_DIR --libvirt 9.0.0 --origin "..." > data/api/read-only-9.0.0.yaml
"""

import argparse
import glob
import os
import re
import sys
from dataclasses import dataclass

import yaml

from avocado_cert.apisurface.libvirt_api import version_key
from avocado_cert.base import paths
from avocado_cert.base.datafile import Field, check_mapping, load_yaml
from avocado_cert.base.errors import CertError

SYMBOL_FILES = ("libvirt_public.syms", "libvirt_qemu.syms", "libvirt_lxc.syms")
SYMBOL_RE = re.compile(r"^\s+(vir[A-Za-z0-9_]+);")
# `name(` at column 0, or `int name(` on one line (a few entry points are written so).
DEFINITION_RE = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*\s+\**)?(vir[A-Za-z0-9_]+)\(")
# Exported functions that need no connection (errors, event loop, typed parameters) live in util/.
UTIL_SOURCES = ("util/virerror.c", "util/virevent.c", "util/virtypedparam-public.c")
CHECK = "virCheckReadOnlyGoto"
TABLE_RE = re.compile(r"^read-only-(\d+\.\d+\.\d+)\.yaml$")
DATA_FIELDS = {
    "libvirt": Field(str, required=True),
    "origin": Field(str, required=True),
    "generated_by": Field(str, required=True),
    "refused": Field(list, required=True, item=str),
    "refused_if": Field(dict, required=True),
    "allowed": Field(list, required=True, item=str),
}


@dataclass
class ReadOnlyTable:
    libvirt: str
    refused: frozenset  # refused whatever the arguments
    refused_if: dict  # name -> C condition on the arguments under which it is refused
    allowed: frozenset
    path: str = ""

    def status(self, name):
        if name in self.refused:
            return "refused"
        if name in self.refused_if:
            return "refused_if"
        if name in self.allowed:
            return "allowed"
        return None


def exported_symbols(src_dir):
    """Names of the functions libvirt exports (its linker version scripts)."""
    names = set()
    for base in SYMBOL_FILES:
        path = os.path.join(src_dir, base)
        try:
            with open(path, encoding="utf-8") as stream:
                names.update(m.group(1) for m in map(SYMBOL_RE.match, stream) if m)
        except OSError as details:
            raise CertError(f"cannot read libvirt's symbol list: {details.strerror}", path) from None
    return names


def definitions(text):
    """{function name: body lines} of the top-level C function definitions in a file."""
    found = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = DEFINITION_RE.match(lines[index])
        if not match:
            index += 1
            continue
        start = index
        while index < len(lines) and lines[index] != "{":
            if lines[index].rstrip().endswith(";"):  # a prototype, not a definition
                break
            index += 1
        if index >= len(lines) or lines[index] != "{":
            index = start + 1
            continue
        end = index
        while end < len(lines) and lines[end] != "}":
            end += 1
        found[match.group(1)] = lines[index + 1 : end]
        index = end + 1
    return found


def _statement_before(body, index):
    """The `if (...)` statement that governs body[index] (which is indented under it), joined."""
    cursor = index - 1
    parts = []
    while cursor >= 0:
        parts.insert(0, body[cursor].strip())
        if body[cursor].lstrip().startswith("if ("):
            return " ".join(parts)
        cursor -= 1
    return ""


def _condition(statement):
    """The text inside an `if (...)` statement's outer parentheses."""
    opened = statement.find("(")
    depth = 0
    for position in range(opened, len(statement)):
        depth += {"(": 1, ")": -1}.get(statement[position], 0)
        if depth == 0:
            return " ".join(statement[opened + 1 : position].split())
    return " ".join(statement[opened + 1 :].split())


def _ro_conjunct_removed(condition):
    """`(conn->flags & VIR_CONNECT_RO) && (X)` -> `X`: the condition on the caller's arguments."""
    parts = [p.strip() for p in condition.split("&&")]
    rest = [p for p in parts if "VIR_CONNECT_RO" not in p]
    text = " && ".join(rest)
    while text.startswith("(") and _closing(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _closing(text, opened):
    """Index of the parenthesis that closes the one at text[opened]."""
    depth = 0
    for position in range(opened, len(text)):
        depth += {"(": 1, ")": -1}.get(text[position], 0)
        if depth == 0:
            return position
    return -1


def classify(body):
    """('refused' | 'refused_if' | 'allowed', condition or None) of one function body."""
    conditions = []
    for index, line in enumerate(body):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped.startswith(CHECK):
            if indent <= 4:
                return "refused", None
            conditions.append(_condition(_statement_before(body, index)))
        elif "VIR_CONNECT_RO" in stripped and stripped.startswith("if ("):
            statement = " ".join(part.strip() for part in body[index : index + 4])
            following = " ".join(body[index : index + 6])
            if "VIR_ERR_OPERATION_DENIED" in following:
                conditions.append(_ro_conjunct_removed(_condition(statement.split("{", maxsplit=1)[0])))
    if conditions:
        return "refused_if", " || ".join(conditions)
    return "allowed", None


def extract(src_dir):
    """(refused, refused_if, allowed) of every exported function defined in src/libvirt*.c."""
    symbols = exported_symbols(src_dir)
    refused, refused_if, allowed = [], {}, []
    sources = sorted(glob.glob(os.path.join(src_dir, "libvirt*.c")))
    sources += [os.path.join(src_dir, name) for name in UTIL_SOURCES]
    for path in sources:
        with open(path, encoding="utf-8") as stream:
            found = definitions(stream.read())
        for name, body in found.items():
            if name not in symbols:
                continue
            status, condition = classify(body)
            if status == "refused":
                refused.append(name)
            elif status == "refused_if":
                refused_if[name] = condition
            else:
                allowed.append(name)
    return sorted(refused), dict(sorted(refused_if.items())), sorted(allowed)


def render(src_dir, version, origin, command):
    refused, refused_if, allowed = extract(src_dir)
    header = (
        f"# Public functions of libvirt {version} and how they treat a read-only connection, extracted from\n"
        "# the entry points in src/libvirt*.c (virCheckReadOnlyGoto, or a VIR_CONNECT_RO test reporting\n"
        "# VIR_ERR_OPERATION_DENIED) for the symbols of src/libvirt_{public,qemu,lxc}.syms.\n"
        "# Generated: do not edit by hand; scripts/read-only-api.sh regenerates it.\n"
    )
    document = {
        "libvirt": version,
        "origin": origin,
        "generated_by": command,
        "refused": refused,
        "refused_if": refused_if,
        "allowed": allowed,
    }
    return header + yaml.safe_dump(document, sort_keys=False, width=110)


def data_file(version):
    return paths.data_path("api", f"read-only-{version}.yaml")


def load(version="9.0.0", path=None):
    """The committed table of a libvirt release; any problem is a one-line CertError."""
    path = path or data_file(version)
    if not os.path.isfile(path):
        raise CertError(f"no read-only table for libvirt {version}", path)
    document, _raw = load_yaml(path, "read-only API table")
    data = check_mapping(document, DATA_FIELDS, "read-only table", path)
    for name, condition in data["refused_if"].items():
        if not isinstance(condition, str):
            raise CertError(f"refused_if.{name}: expected the C condition as a string", path)
    return ReadOnlyTable(
        libvirt=data["libvirt"],
        refused=frozenset(data["refused"]),
        refused_if=dict(data["refused_if"]),
        allowed=frozenset(data["allowed"]),
        path=path,
    )


def shipped():
    """{version: path} of the tables under data/api/."""
    folder = paths.data_path("api")
    found = {}
    for entry in os.listdir(folder) if os.path.isdir(folder) else []:
        match = TABLE_RE.match(entry)
        if match:
            found[match.group(1)] = os.path.join(folder, entry)
    return found


def for_version(version):
    """The table of a libvirt release, or of the newest shipped release before it (entry points of an
    older release keep their checks; a newer release's new functions are then not in the table)."""
    tables = shipped()
    older = [v for v in tables if version_key(v) <= version_key(version)]
    if not older:
        raise CertError(
            f"no read-only table for libvirt {version} or older (shipped: {', '.join(sorted(tables))})"
        )
    return load(path=tables[max(older, key=version_key)])


def main(argv=None):
    parser = argparse.ArgumentParser(description="Extract libvirt's read-only refusals from its source.")
    parser.add_argument("src", help="the src/ folder of an unpacked libvirt source tree")
    parser.add_argument("--libvirt", required=True, help="the release the source is (e.g. 9.0.0)")
    parser.add_argument("--origin", required=True, help="where the source came from (package, checksum)")
    args = parser.parse_args(argv)
    if not os.path.isfile(os.path.join(args.src, "libvirt_public.syms")):
        print(f"{args.src}: not libvirt's src/ folder (no libvirt_public.syms)", file=sys.stderr)
        return 2
    command = f"python -m avocado_cert.apisurface.readonly_api SRC --libvirt {args.libvirt} --origin ORIGIN"
    try:
        sys.stdout.write(render(args.src, args.libvirt, args.origin, command))
    except CertError as details:
        print(details, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
