"""A listing holding K proposed matches gives up its weakest one for a better pair, whether the
better pair is new or coming back (its listing reopened, its enterprise verified again): a pair
that merely came first does not keep a better one from the agency."""

from __future__ import annotations

from matching.domain.match import weakest_outscored_by
from tests.matching_listings import proposed_match


def test_the_weakest_proposal_is_given_up_for_a_pair_that_scores_higher():
    held = [proposed_match(score=s) for s in (0.81, 0.77, 0.79)]

    assert weakest_outscored_by(0.83, held) is held[1]


def test_a_pair_scoring_no_higher_than_the_weakest_waits_for_room():
    held = [proposed_match(score=s) for s in (0.81, 0.77)]

    assert weakest_outscored_by(0.77, held) is None
    assert weakest_outscored_by(0.70, held) is None


def test_only_unreviewed_proposals_are_given_up():
    approved, withdrawn, proposed = (proposed_match(score=s) for s in (0.5, 0.6, 0.8))
    approved.approve(actor="reviewer-1")
    withdrawn.withdraw(reason="the offer was closed")

    assert weakest_outscored_by(0.9, [approved, withdrawn, proposed]) is proposed
    assert weakest_outscored_by(0.9, [approved, withdrawn]) is None
