"""Reconsidering a listing that has room again looks past the partners it already has: the matcher
gives the best K and, when asked, more after them in the same best-first order."""

from __future__ import annotations

from matching.bootstrap import build_matcher
from matching.config import Settings
from tests.matching_listings import housing_need, lift_maker

K = 2


def test_the_partners_after_the_best_k_come_in_the_same_best_first_order():
    matcher = build_matcher(Settings(internal_token_secret="s" * 32, max_proposed_per_listing=K))
    need = housing_need()
    offers = [lift_maker() for _ in range(2 * K + 1)]  # alike, but for their ids
    for offer in offers:
        matcher.index.put(offer)

    best = matcher.best_partners(need)
    deeper = matcher.best_partners(need, beyond=K)

    assert len(best) == K and len(deeper) == 2 * K
    assert [c.listing.id for c in deeper[:K]] == [c.listing.id for c in best]
    scores = [c.score.value for c in deeper]
    assert scores == sorted(scores, reverse=True) and min(scores) >= matcher.threshold
