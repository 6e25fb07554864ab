"""The door's memory of which sessions still last: the instance that ends a session refuses its
access tokens at once, another instance within the cache's few seconds, and a verdict read while
a session was being ended is never kept."""

from __future__ import annotations

from gateway.adapters.tokens import AccessTokens, SessionCache
from tests.unit.seconds_clock import SecondsClock


def test_an_access_token_names_the_session_it_was_issued_with():
    tokens = AccessTokens(secret="s" * 40, ttl_seconds=900)

    claims = tokens.read(tokens.issue(account_id="acc-1", role="company", session_id="family-1"))

    assert (claims.account_id, claims.session_id) == ("acc-1", "family-1")


def test_a_lasting_session_is_asked_about_again_once_the_cache_time_has_passed():
    clock = SecondsClock()
    cache = SessionCache(ttl_seconds=5, clock=clock)
    cache.put("family-1", account_id="acc-1", lasts=True, read_in_generation=cache.generation)

    assert cache.lasts("family-1") is True
    clock.now += 5
    assert cache.lasts("family-1") is None  # another instance's sign-out is seen from here on


def test_an_ended_session_stays_ended_however_long_it_is_remembered():
    clock = SecondsClock()
    cache = SessionCache(ttl_seconds=5, clock=clock)
    cache.put("family-1", account_id="acc-1", lasts=False, read_in_generation=cache.generation)

    clock.now += 3600

    assert cache.lasts("family-1") is False


def test_signing_out_forgets_the_session_and_signing_out_everywhere_every_session():
    cache = SessionCache(ttl_seconds=5)
    for family, account in (("laptop", "acc-1"), ("phone", "acc-1"), ("other", "acc-2")):
        cache.put(family, account_id=account, lasts=True, read_in_generation=cache.generation)

    cache.forget(session_ids={"laptop"})
    assert [cache.lasts(f) for f in ("laptop", "phone", "other")] == [None, True, True]

    cache.forget(account_ids={"acc-1"})
    assert [cache.lasts(f) for f in ("laptop", "phone", "other")] == [None, None, True]


def test_a_verdict_read_before_a_sign_out_committed_is_not_kept_after_it():
    cache = SessionCache(ttl_seconds=5)
    generation = cache.generation  # the door starts reading the database

    cache.forget(session_ids={"laptop"})  # meanwhile the session ends on this instance
    cache.put("laptop", account_id="acc-1", lasts=True, read_in_generation=generation)

    assert cache.lasts("laptop") is None


def test_the_cache_holds_a_bounded_number_of_sessions():
    cache = SessionCache(ttl_seconds=5, max_sessions=2)
    for family in ("a", "b", "c"):
        cache.put(family, account_id="acc-1", lasts=True, read_in_generation=cache.generation)

    assert [cache.lasts(f) for f in ("a", "b", "c")] == [None, True, True]
