"""A buyer given room by a review takes its best waiting seller even when that seller holds K
proposals already: the seller gives up its weakest unreviewed one when the buyer's pair scores
higher, as it would for a new listing. A pair that merely came first (while the buyer was full)
does not keep a better one from the agency. The pair given up leaves its buyer with room, which
that buyer's own waiting pairs fill, without displacing any further.

The matching service's handlers and review use cases on a real PostgreSQL database of their own,
with K = 2 proposed matches at most per listing."""

from __future__ import annotations

import pytest

from tests.integration.matching_events import lift_need, lift_offer, series
from tests.integration.test_matching_starvation import (  # noqa: F401 (fixtures)
    K,
    Matching,
    matching,
    sessions,
)


async def reject_its_pair(matching: Matching, buyers, seller) -> list:
    """The agency rejects the first buyer's pair with the seller: that buyer has room."""
    match_id, _ = (await matching.pairs(buyers[0]))[seller.listing_id]
    await matching.reject(match_id)
    return buyers[:1]


async def close_the_seller(matching: Matching, buyers, seller) -> list:
    """The seller closes its offer: every buyer it was proposed to has room."""
    await matching.close(seller)
    return buyers


@pytest.mark.parametrize("make_room", [reject_its_pair, close_the_seller])
async def test_room_made_for_a_buyer_goes_to_the_better_pair_of_a_full_seller(matching, make_room):
    tag = series()
    near = [lift_offer(tag) for _ in range(K)]  # the buyers' best sellers
    buyer, other_buyer = lift_need(tag), lift_need(tag)
    await matching.publish(*near, buyer, other_buyer)
    assert await matching.proposed(buyer) == {n.listing_id for n in near}, "the buyer is full"

    # A seller far from the buyers comes while they are full of better pairs. Buyers near it come
    # next, asking for far more lifts than it makes: weaker pairs that take its K slots first.
    moscow = {"enterprise_region": "moscow", "enterprise_city": "Москва"}
    far_seller = lift_offer(tag, **moscow)
    await matching.publish(far_seller)
    assert await matching.proposed(far_seller) == set()
    weaker_buyers = [lift_need(series(), quantity=5000, **moscow) for _ in range(K)]
    await matching.publish(*weaker_buyers)
    assert await matching.proposed(far_seller) == {w.listing_id for w in weaker_buyers}

    given_room = await make_room(matching, [buyer, other_buyer], near[0])

    for each in given_room:
        assert await matching.proposed(each) == {near[1].listing_id, far_seller.listing_id}
    seller_pairs = await matching.pairs(far_seller)
    gave_up = [w for w in weaker_buyers if seller_pairs[w.listing_id][1] == "withdrawn"]
    assert len(gave_up) == len(given_room), "the weakest pairs gave up their places"
    assert await matching.proposed(far_seller) == {
        b.listing_id for b in given_room + [w for w in weaker_buyers if w not in gave_up]
    }
