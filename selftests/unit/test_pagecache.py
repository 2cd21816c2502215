"""The catalog's page cache: bounded by bytes, least recently used first out, keyed on the revision."""

from avocado_cert.catalog.pagecache import PageCache


def test_the_cache_never_holds_more_bytes_than_its_budget():
    cache = PageCache(budget=10_000, largest=4_000)
    for number in range(100):
        cache.put(("db", "host", f"/page/{number}"), 1, b"x" * 3_000, 200, [])
        assert cache.used <= 10_000
    assert len(cache) == 3 and cache.used == 9_000
    assert cache.get(("db", "host", "/page/99"), 1) is not None
    assert cache.get(("db", "host", "/page/0"), 1) is None


def test_a_page_larger_than_the_largest_is_not_kept():
    cache = PageCache(budget=10_000, largest=4_000)
    cache.put(("db", "host", "/big"), 1, b"x" * 4_001, 200, [])
    assert len(cache) == 0 and cache.used == 0


def test_least_recently_used_leaves_first_and_a_new_revision_misses():
    cache = PageCache(budget=6_000, largest=3_000)
    first, second, third = (("db", "host", f"/{name}") for name in ("a", "b", "c"))
    cache.put(first, 1, b"a" * 3_000, 200, [])
    cache.put(second, 1, b"b" * 3_000, 200, [])
    assert cache.get(first, 1) is not None  # first is now the most recently used
    cache.put(third, 1, b"c" * 3_000, 200, [])
    assert cache.get(second, 1) is None and cache.get(first, 1) is not None
    assert cache.get(first, 2) is None  # the catalog moved on: the page is rendered again
    cache.put(first, 2, b"A" * 1_000, 200, [])
    assert cache.used == 4_000
