"""Matching pairs only the listings of enterprises the agency has verified: the others wait in the
read model, and an enterprise sent back to pending withdraws its proposed pairs, not its approved
ones."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matching.service_layer.reconcile import (
    _ended_by,
    _kept_while_rechecked,
    _why_withdrawn,
    _withdrawal_cause,
)
from tests.matching_listings import housing_need, lift_maker, proposed_match


@pytest.mark.parametrize(
    "status, active, waits",
    [
        ("verified", True, False),
        ("pending", False, True),
        (None, False, True),
        ("suspended", False, False),
    ],
)
def test_only_a_verified_enterprises_active_listing_takes_part(status, active, waits):
    listing = lift_maker(enterprise_status=status)

    assert listing.is_active is active
    assert listing.awaits_verification is waits
    assert replace(listing, status="closed").is_active is False


def test_a_pending_or_unknown_enterprises_listing_is_not_a_candidate_and_finds_no_partner(index):
    verified_need = housing_need()
    index.put(verified_need)
    pending_offer, unknown_offer = (
        lift_maker(enterprise_status="pending"),
        lift_maker(enterprise_status=None),
    )
    index.put(pending_offer)
    index.put(unknown_offer)

    assert pending_offer.id not in index and unknown_offer.id not in index
    assert [c.listing.id for c in index.match(lift_maker(), threshold=0.5, limit=5)] == [
        verified_need.id
    ]  # the verified sides pair
    assert (
        index.match(housing_need(), threshold=0.5, limit=5) == []
    )  # no pending offer is offered to a need


def test_once_verified_the_waiting_listing_is_filed_and_paired(index):
    need = housing_need()
    index.put(need)
    waiting = lift_maker(enterprise_status="pending")
    index.put(waiting)

    verified = replace(waiting, enterprise_status="verified")
    index.put(verified)

    assert verified.id in index
    assert [c.listing.id for c in index.match(verified, threshold=0.5, limit=5)] == [need.id]


def test_an_enterprise_back_to_pending_withdraws_proposed_pairs_but_keeps_approved_suggestions():
    offer, need = lift_maker(enterprise_status="pending"), housing_need()
    proposed, approved = proposed_match(offer, need), proposed_match(offer, need)
    approved.approve(actor="reviewer-1")

    assert not _kept_while_rechecked(proposed, offer, need)
    assert _kept_while_rechecked(approved, offer, need)
    assert _kept_while_rechecked(approved, need, offer)  # seen from the verified partner's side too
    assert not _kept_while_rechecked(
        approved, replace(offer, status="closed"), need
    )  # closing still ends it
    assert not _kept_while_rechecked(
        approved, replace(offer, enterprise_status="suspended"), need
    )  # so does a suspension


def test_a_withdrawal_names_the_enterprise_awaiting_verification_and_its_side():
    offer, need = lift_maker(), housing_need(enterprise_status="pending")

    ended = _ended_by(offer, need)  # seen from the verified offer, the pending buyer ended it

    assert ended is need
    assert _withdrawal_cause(ended) == "enterprise_unverified"
    assert (
        _why_withdrawn(ended) == "the enterprise behind the need awaits the agency's verification"
    )
    assert _withdrawal_cause(lift_maker(enterprise_status="suspended")) == "enterprise_suspended"
    assert (
        _withdrawal_cause(lift_maker(status="closed", enterprise_status="pending"))
        == "listing_closed"
    )
    assert _withdrawal_cause(lift_maker()) == "no_longer_scores"
