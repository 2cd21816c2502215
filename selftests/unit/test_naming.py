"""Names of the certification's objects: prefixed, recognised as owned, never handed out twice."""

import itertools

from avocado_cert.base import naming


def test_names_are_prefixed_and_owned():
    name = naming.unique("dom")
    assert name.startswith("acert-dom-") and len(name) == len("acert-dom-") + 8
    assert naming.owned(name) and naming.owned(naming.netdev()) and len(naming.netdev()) <= 15
    assert not naming.owned("dom-acert-1") and not naming.owned("")


def test_a_name_is_never_given_twice(monkeypatch):
    """Even when the random source repeats itself (a birthday collision), the next name is a new one."""
    draws = itertools.chain(["c0ffee00", "c0ffee00", "c0ffee00"], itertools.cycle(["badc0de1"]))
    monkeypatch.setattr(naming.secrets, "token_hex", lambda _n: next(draws))
    first = naming.unique("vol")
    second = naming.unique("vol")
    assert first == "acert-vol-c0ffee00" and second == "acert-vol-badc0de1"
