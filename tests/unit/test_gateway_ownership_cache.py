"""The door remembers a company's enterprises for a few seconds instead of asking the database on
every request; it forgets them when they change."""

from gateway.adapters.ownership_cache import OwnershipCache
from tests.unit.seconds_clock import SecondsClock


def test_remembered_enterprises_are_served_until_they_are_too_old():
    clock = SecondsClock(100.0)
    cache = OwnershipCache(ttl_seconds=10, clock=clock)
    cache.put("acc-1", frozenset({"e1"}))

    clock.now += 9.9
    assert cache.get("acc-1") == frozenset({"e1"})
    clock.now += 0.1
    assert cache.get("acc-1") is None


def test_an_account_that_holds_nothing_yet_is_remembered_as_such():
    cache = OwnershipCache(ttl_seconds=10)
    cache.put("acc-1", frozenset())

    assert cache.get("acc-1") == frozenset()


def test_a_new_binding_or_a_deleted_enterprise_makes_the_door_ask_again():
    cache = OwnershipCache(ttl_seconds=10)
    cache.put("acc-1", frozenset({"e1"}))
    cache.put("acc-2", frozenset({"e2"}))
    cache.put("acc-3", frozenset({"e3", "e2"}))

    cache.forget("acc-1")
    cache.forget_enterprise("e2")

    assert cache.get("acc-1") is None
    assert cache.get("acc-2") is None
    assert cache.get("acc-3") is None


def test_memory_stays_bounded():
    cache = OwnershipCache(ttl_seconds=10, max_accounts=3)
    for n in range(10):
        cache.put(f"acc-{n}", frozenset())

    assert [cache.get(f"acc-{n}") is not None for n in range(10)] == [False] * 7 + [True] * 3
