"""A match's lifecycle: the agency reviews it, both sides answer, the agency closes it."""

from __future__ import annotations

import uuid

import pytest

from matching.domain.errors import Forbidden, InvalidInput, InvalidTransition
from matching.domain.match import Match, side_owned_by
from tests.matching_listings import proposed_match


def proposed() -> Match:
    return proposed_match(reasons_ru=["Оба в секторе"], reasons_en=["Both"])


def test_a_match_goes_from_proposal_to_introduction_to_closing():
    match = proposed()
    match.approve(actor="reviewer-1")
    match.respond(side="need", answer="interested", actor="buyer")
    assert match.status == "approved"
    match.respond(side="offer", answer="interested", actor="seller")
    assert match.status == "introduced"
    match.close(actor="reviewer-1", outcome="contract signed")

    assert match.status == "closed" and match.outcome == "contract signed"
    assert [(t.from_status, t.to_status, t.actor, t.side) for t in match.pending] == [
        (None, "proposed", "matcher", None),
        ("proposed", "approved", "reviewer-1", None),
        ("approved", "approved", "buyer", "need"),  # the history says which side answered
        ("approved", "approved", "seller", "offer"),
        ("approved", "introduced", "seller", None),
        ("introduced", "closed", "reviewer-1", None),
    ]
    assert [t.event_type for t in match.pending] == [
        "match.proposed",
        "match.approved",
        "match.responded",
        "match.responded",
        "match.introduced",
        "match.closed",
    ]


def test_approving_a_rejected_match_is_refused():
    match = proposed()
    match.reject(actor="reviewer-1", reason="the buyer already has a supplier")

    with pytest.raises(InvalidTransition):
        match.approve(actor="reviewer-2")
    assert match.status == "rejected" and match.review_note == "the buyer already has a supplier"


def test_a_rejection_needs_a_reason():
    with pytest.raises(InvalidInput):
        proposed().reject(actor="reviewer-1", reason="  ")


def test_one_side_declining_ends_the_suggestion():
    match = proposed()
    match.approve(actor="reviewer-1")
    match.respond(side="offer", answer="declined", actor="seller")

    assert match.status == "declined"
    assert (match.pending[-1].side, match.pending[-1].note) == ("offer", "offer: declined")
    with pytest.raises(InvalidTransition):
        match.respond(side="need", answer="interested", actor="buyer")


def test_a_side_answers_once_and_only_an_approved_match():
    match = proposed()
    with pytest.raises(InvalidTransition):
        match.respond(side="need", answer="interested", actor="buyer")
    match.approve(actor="reviewer-1")
    match.respond(side="need", answer="interested", actor="buyer")
    with pytest.raises(InvalidTransition):
        match.respond(side="need", answer="declined", actor="buyer")
    with pytest.raises(InvalidInput):
        match.respond(side="offer", answer="maybe", actor="seller")


def test_only_an_introduced_match_is_closed_and_with_an_outcome():
    match = proposed()
    with pytest.raises(InvalidTransition):
        match.close(actor="reviewer-1", outcome="nothing")
    match.approve(actor="r")
    match.respond(side="need", answer="interested", actor="b")
    match.respond(side="offer", answer="interested", actor="s")
    with pytest.raises(InvalidInput):
        match.close(actor="reviewer-1", outcome="")


def test_withdrawing_is_only_for_open_matches():
    match = proposed()
    match.withdraw(reason="the need was closed")
    assert match.status == "withdrawn"
    with pytest.raises(InvalidTransition):
        match.withdraw(reason="again")


def test_a_company_answers_only_for_the_side_it_owns():
    match = proposed()
    buyer = {str(match.need_enterprise_id)}

    assert side_owned_by(match, buyer, None) == "need"
    with pytest.raises(Forbidden):
        side_owned_by(match, buyer, "offer")
    with pytest.raises(Forbidden):
        side_owned_by(match, {str(uuid.uuid4())}, None)
