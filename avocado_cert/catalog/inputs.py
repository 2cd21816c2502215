"""Bounds on what a client puts in a URL: page numbers and ids are checked against what the
database can hold before any query, so an overflowing number is a 400 or a 404, never a 500."""

from avocado_cert.catalog import register
from avocado_cert.catalog.security_log import audit

ID_MAX = 2**31 - 1  # an INTEGER column in PostgreSQL
PAGE_MAX = 1_000_000


def number(args, name, default, largest):
    """An integer query parameter from 1 to largest (register.Invalid, HTTP 400, otherwise)."""
    text = args.get(name, "")
    if text == "":
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 12 or not 1 <= int(text) <= largest:
        raise register.Invalid(f"{name} must be an integer from 1 to {largest}")
    return int(text)


def page(args):
    return number(args, "page", 1, PAGE_MAX)


def row_id(value, what="certification"):
    """An id from a URL that no row can have is simply not found (HTTP 404)."""
    if not 1 <= value <= ID_MAX:
        audit("refused", status=404, error=f"{what} id out of range", value=str(value)[:24])
        raise register.NotFound(f"no {what} {str(value)[:24]}")
    return value
