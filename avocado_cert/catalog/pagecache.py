"""Public pages and API answers cached per catalog revision: a page is rendered once per change of
the catalog, then served from memory until the next upload, publication or edit moves the revision.
Only anonymous GETs are cached (signed-in users may see more than the public).

The cache holds at most BUDGET bytes of pages per worker (least recently used pages leave first), and
every cached answer carries an ETag naming the revision: a client that sends it back in If-None-Match
gets 304 without the page being rendered or sent again."""

import functools
import threading
from collections import OrderedDict

from flask import Response, g, make_response, request

from avocado_cert.catalog import db

BUDGET = 32 << 20
LARGEST = 4 << 20
KEPT_HEADERS = ("Content-Type", "Cache-Control")


class PageCache:
    """Least-recently-used pages, bounded by the bytes of their bodies."""

    def __init__(self, budget=BUDGET, largest=LARGEST):
        self.budget = budget
        self.largest = min(largest, budget)
        self.used = 0
        self._pages = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, revision):
        with self._lock:
            hit = self._pages.get(key)
            if hit is None or hit[0] != revision:
                return None
            self._pages.move_to_end(key)
            return hit

    def put(self, key, revision, body, status, headers):
        if len(body) > self.largest:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.used -= len(old[1])
            self._pages[key] = (revision, body, status, headers)
            self.used += len(body)
            while self.used > self.budget:
                _key, dropped = self._pages.popitem(last=False)
                self.used -= len(dropped[1])

    def __len__(self):
        return len(self._pages)


_cache = PageCache()


def etag(revision):
    return f'"catalog-r{revision}"'


def cached(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("actor") is not None or request.method != "GET":
            return view(*args, **kwargs)
        revision = db.revision(g.db)
        tag = etag(revision)
        if tag in (t.strip() for t in request.headers.get("If-None-Match", "").split(",")):
            return Response(status=304, headers={"ETag": tag})
        key = (str(g.db.get_bind().url), request.host, request.full_path)
        hit = _cache.get(key, revision)
        if hit is not None:
            return Response(hit[1], status=hit[2], headers=hit[3] + [("ETag", tag)])
        response = make_response(view(*args, **kwargs))
        if response.status_code in (200, 404) and not response.direct_passthrough:
            headers = [(name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers]
            _cache.put(key, revision, response.get_data(), response.status_code, headers)
            response.headers["ETag"] = tag
        return response

    return wrapper
