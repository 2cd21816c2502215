"""Public pages and API answers cached per catalog revision: a page is rendered once per change of
the catalog, then served from memory until the next upload, publication or edit moves the revision.
Only anonymous GETs are cached (signed-in users may see more than the public)."""

import functools
import threading
from collections import OrderedDict

from flask import Response, g, make_response, request

from avocado_cert.catalog import db

ENTRIES = 2000
LARGEST = 4 << 20
KEPT_HEADERS = ("Content-Type", "Cache-Control")
_pages = OrderedDict()
_lock = threading.Lock()


def cached(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("actor") is not None or request.method != "GET":
            return view(*args, **kwargs)
        key = (str(g.db.get_bind().url), request.host, request.full_path)
        revision = db.revision(g.db)
        with _lock:
            hit = _pages.get(key)
            if hit is not None and hit[0] == revision:
                _pages.move_to_end(key)
                return Response(hit[1], status=hit[2], headers=hit[3])
        response = make_response(view(*args, **kwargs))
        if response.status_code in (200, 404) and not response.direct_passthrough:
            body = response.get_data()
            if len(body) <= LARGEST:
                headers = [
                    (name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers
                ]
                with _lock:
                    _pages[key] = (revision, body, response.status_code, headers)
                    _pages.move_to_end(key)
                    while len(_pages) > ENTRIES:
                        _pages.popitem(last=False)
        return response

    return wrapper
