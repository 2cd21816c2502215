"""Reading the suite's data files (YAML, JSON) safely, with errors that name the file and the key."""

import datetime
import hashlib
import json

import yaml

from avocado_cert.base.errors import CertError

TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    bool: "a boolean",
    list: "a list",
    dict: "a mapping",
    float: "a number",
    datetime.date: "a date (YYYY-MM-DD)",
}


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_bytes(path, what):
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError as details:
        raise CertError(f"cannot read {what}: {details.strerror}", path) from None


def load_yaml(path, what="file"):
    """Return (document, raw bytes) of a YAML file; any problem is a CertError naming the file."""
    raw = read_bytes(path, what)
    try:
        document = yaml.safe_load(raw)
    except yaml.YAMLError as details:
        mark = getattr(details, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(details, "problem", None) or str(details).splitlines()[0]
        raise CertError(f"malformed YAML: {where}{problem}", path) from None
    if not isinstance(document, dict):
        raise CertError(f"malformed {what}: expected a mapping at the top level", path)
    return document, raw


def load_json(path, what="file"):
    raw = read_bytes(path, what)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as details:
        raise CertError(f"malformed JSON in {what}: {details}", path) from None


class Field:
    """One key of a mapping: its type, whether it is required, its default, its allowed values."""

    def __init__(self, kind, required=False, default=None, choices=None, item=None):
        self.kind = kind
        self.required = required
        self.default = default
        self.choices = choices
        self.item = item


def _type_ok(value, kind):
    if kind is int and isinstance(value, bool):
        return False
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, kind)


def check_mapping(data, fields, where, path):
    """Validate a mapping against fields; return a new dict with defaults filled in."""
    if not isinstance(data, dict):
        raise CertError(f"{where}: expected a mapping, got {type(data).__name__}", path)
    unknown = sorted(set(data) - set(fields), key=str)
    if unknown:
        raise CertError(
            f"{where}: unknown key '{unknown[0]}' (known keys: {', '.join(sorted(fields))})",
            path,
        )
    checked = {}
    for key, field in fields.items():
        if key not in data or data[key] is None:
            if field.required:
                raise CertError(f"{where}: missing required key '{key}'", path)
            checked[key] = field.default() if callable(field.default) else field.default
            continue
        value = data[key]
        if field.kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # "1.0" written without quotes is still a version string
        if not _type_ok(value, field.kind):
            raise CertError(
                f"{where}.{key}: expected {TYPE_NAMES.get(field.kind, field.kind)}, "
                f"got {type(value).__name__} {value!r}",
                path,
            )
        if field.item is not None:
            for position, element in enumerate(value):
                if not _type_ok(element, field.item):
                    raise CertError(
                        f"{where}.{key}[{position}]: expected "
                        f"{TYPE_NAMES.get(field.item, field.item)}, got {element!r}",
                        path,
                    )
        if field.choices is not None and value not in field.choices:
            raise CertError(
                f"{where}.{key}: {value!r} is not one of {', '.join(map(str, field.choices))}",
                path,
            )
        checked[key] = value
    return checked
