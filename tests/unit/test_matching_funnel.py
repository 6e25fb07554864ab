"""The funnel's rules: which transitions mark each stage, the date range it counts, and how its rows
are laid out."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from matching.domain.errors import InvalidInput
from matching.domain.funnel import STAGES, FunnelRange, FunnelRow, arranged, period_keys
from matching.domain.match import Match
from tests.matching_listings import proposed_match

TODAY = date(2026, 12, 2)


def stages_marked_by(match: Match) -> list[str]:
    """The stages a match's recorded transitions mark, as the repository's SQL filters read them."""
    found = []
    for transition in match.pending:
        for stage, mark in STAGES.items():
            if (
                transition.event_type == mark.event_type
                and mark.to_status in (None, transition.to_status)
                and (not mark.created or transition.from_status is None)
            ):
                found.append(stage)
    return found


def test_a_match_that_goes_all_the_way_marks_every_stage_but_rejected_once_per_side():
    match = proposed_match()
    match.approve(actor="reviewer")
    match.respond(side="need", answer="interested", actor="buyer")
    match.respond(side="offer", answer="interested", actor="seller")
    match.close(actor="reviewer", outcome="contract")

    assert stages_marked_by(match) == [
        "proposed",
        "approved",
        "interested",
        "interested",
        "introduced",
        "closed",
    ]


def test_a_declined_answer_is_not_interest_and_a_rejection_is_its_own_stage():
    declined, rejected = proposed_match(), proposed_match()
    declined.approve(actor="reviewer")
    declined.respond(side="need", answer="declined", actor="buyer")
    rejected.reject(actor="reviewer", reason="already contracted")

    assert stages_marked_by(declined) == ["proposed", "approved"]
    assert stages_marked_by(rejected) == ["proposed", "rejected"]


def test_a_withdrawn_pair_proposed_again_is_not_counted_as_created_twice():
    match = proposed_match()
    match.withdraw(reason="the offer closed")
    match.repropose(score=0.7, components=[], reasons_ru=[], reasons_en=[])

    assert stages_marked_by(match) == ["proposed"]


def test_by_default_the_funnel_counts_the_last_90_days_up_to_today_in_utc_days():
    funnel_range = FunnelRange.of(date_from=None, date_to=None, today=TODAY)

    assert (funnel_range.date_from, funnel_range.date_to) == (date(2026, 9, 3), TODAY)
    assert funnel_range.start == datetime(2026, 9, 3, tzinfo=UTC)
    assert funnel_range.end == datetime(2026, 12, 3, tzinfo=UTC)  # date_to is inclusive


@pytest.mark.parametrize(
    ("date_from", "date_to", "field"),
    [
        (date(2026, 12, 3), date(2026, 12, 2), "date_from"),
        (date(2020, 1, 1), date(2026, 12, 2), "date_to"),
    ],
)
def test_a_backwards_or_too_long_range_is_invalid_input(date_from, date_to, field):
    with pytest.raises(InvalidInput) as raised:
        FunnelRange.of(date_from=date_from, date_to=date_to, today=TODAY)

    assert raised.value.errors[0].field == field


def test_weeks_start_on_monday_and_months_on_the_first_and_every_period_of_the_range_is_listed():
    funnel_range = FunnelRange(date(2026, 11, 18), date(2026, 12, 2))

    assert period_keys(funnel_range, "week") == ["2026-11-16", "2026-11-23", "2026-11-30"]
    assert period_keys(FunnelRange(date(2026, 11, 30), date(2027, 2, 1)), "month") == [
        "2026-11-01",
        "2026-12-01",
        "2027-01-01",
        "2027-02-01",
    ]


def test_rows_are_laid_out_by_period_in_time_order_or_by_proposed_then_key():
    funnel_range = FunnelRange(date(2026, 11, 18), date(2026, 12, 2))
    weekly = arranged(
        [FunnelRow("2026-11-30", proposed=1), FunnelRow("2026-11-16", proposed=4, approved=2)],
        group_by="week",
        funnel_range=funnel_range,
    )
    by_sector = arranged(
        [
            FunnelRow("wood", proposed=2),
            FunnelRow("elevators", proposed=5),
            FunnelRow("chemicals", proposed=2),
        ],
        group_by="sector",
        funnel_range=funnel_range,
    )

    assert weekly == [
        FunnelRow("2026-11-16", proposed=4, approved=2),
        FunnelRow("2026-11-23"),
        FunnelRow("2026-11-30", proposed=1),
    ]
    assert [row.key for row in by_sector] == ["elevators", "chemicals", "wood"]
    assert arranged([], group_by="none", funnel_range=funnel_range) == [FunnelRow("all")]
