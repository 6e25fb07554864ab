"""A seller sent back to pending (its name was edited) loses its proposed pairs; while it waits for
the agency, other sellers take the buyers' proposal slots. Verified again, its pair with a buyer
comes back, the same match, when it scores higher than the weakest proposal the buyer now holds
(that one, which merely came first, gives up its place); one that scores no higher waits for room,
and comes back as soon as a reviewer makes some.

The matching service's handlers on a real PostgreSQL database of their own (one per test, so no
other story's listings compete), with K proposed matches at most per listing."""

from __future__ import annotations

from eventkit.contracts import envelope_for
from matching.service_layer import handlers
from tests.integration.matching_events import (
    enterprise_profile,
    lift_need,
    lift_offer,
    series,
    verified_by_agency,
)
from tests.integration.test_matching_starvation import (  # noqa: F401 (fixtures)
    K,
    Matching,
    matching,
    sessions,
)


async def announce(matching: Matching, payload) -> None:
    """An enterprise event, as the registry announces it on `registry.enterprises`."""
    envelope = envelope_for(payload, key=str(payload.enterprise_id), producer="registry")
    await handlers.apply_registry_event(
        envelope, payload, uow=matching.uow(), matcher=matching.matcher
    )


async def a_pair_withdrawn_while_its_seller_awaits_the_agency(matching, seller, buyer) -> tuple:
    await matching.publish(seller, buyer)
    [(match_id, status)] = (await matching.pairs(buyer)).values()
    assert status == "proposed"
    await announce(matching, enterprise_profile(seller, status="pending"))
    assert (await matching.pairs(buyer))[seller.listing_id] == (match_id, "withdrawn")
    return match_id


async def test_a_reverified_sellers_pair_takes_its_place_back_from_a_weaker_one_that_came_meanwhile(
    matching,
):
    tag = series()
    seller, buyer = lift_offer(tag), lift_need(tag)
    match_id = await a_pair_withdrawn_while_its_seller_awaits_the_agency(matching, seller, buyer)
    others = [lift_offer(series()) for _ in range(K)]  # other models' makers: they score lower
    await matching.publish(*others)
    assert await matching.proposed(buyer) == {o.listing_id for o in others}, "the buyer is full"

    await announce(matching, verified_by_agency(seller))

    pairs = await matching.pairs(buyer)
    assert pairs[seller.listing_id] == (match_id, "proposed"), "the same pair, proposed again"
    assert len(await matching.proposed(buyer)) == K
    assert sorted(pairs[o.listing_id][1] for o in others) == ["proposed", "withdrawn"]


async def test_a_reverified_sellers_pair_scoring_no_higher_waits_for_room_then_comes_back(
    matching,
):
    tag = series()
    far_seller = lift_offer(tag, enterprise_region="moscow", enterprise_city="Москва")
    buyer = lift_need(tag)
    match_id = await a_pair_withdrawn_while_its_seller_awaits_the_agency(
        matching, far_seller, buyer
    )
    near = [lift_offer(tag) for _ in range(K)]  # the same models, made nearer the buyer
    await matching.publish(*near)
    assert await matching.proposed(buyer) == {n.listing_id for n in near}

    await announce(matching, verified_by_agency(far_seller))

    assert (await matching.pairs(buyer))[far_seller.listing_id] == (match_id, "withdrawn")
    assert await matching.proposed(buyer) == {n.listing_id for n in near}

    rejected_id, _ = (await matching.pairs(buyer))[near[0].listing_id]
    await matching.reject(rejected_id)

    assert (await matching.pairs(buyer))[far_seller.listing_id] == (match_id, "proposed")
    assert await matching.proposed(buyer) == {near[1].listing_id, far_seller.listing_id}
