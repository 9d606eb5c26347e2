"""The server's caches are frozen out of the garbage collector once, after they are built."""

from __future__ import annotations

import gc
import weakref

import pytest

from dashboard import longlived


@pytest.fixture(autouse=True)
def unfreeze():
    yield
    gc.unfreeze()


def test_a_build_leads_to_one_freeze_and_only_one():
    @longlived.long_lived
    def build() -> list[dict]:
        return [{"row": i} for i in range(1000)]

    longlived.freeze_new_long_lived()  # whatever an earlier test left pending
    assert longlived.freeze_new_long_lived() is False
    rows = build()
    before = gc.get_freeze_count()
    assert longlived.freeze_new_long_lived() is True
    assert gc.get_freeze_count() >= before + len(rows)
    assert longlived.freeze_new_long_lived() is False


def test_garbage_is_collected_before_freezing():
    class Node:
        pass

    @longlived.long_lived
    def build() -> weakref.ref:
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: garbage as soon as build returns, freed only by the collector
        return weakref.ref(a)

    gc.disable()
    try:
        garbage = build()
        assert garbage() is not None
        longlived.freeze_new_long_lived()
        assert garbage() is None, "the cycle was frozen instead of freed"
    finally:
        gc.enable()
