"""The console's plain rules: CSV files Excel opens and cannot run, the queue's view kept in the
address, the funnel's conversion rates, reasons in the reader's language, and a session cookie
that cannot be forged."""

from __future__ import annotations

import csv
import io
from datetime import date

from web.domain.csv_export import neutralised, to_csv
from web.domain.funnel import bar_widths, chosen_period, conversion, stages_of
from web.domain.queue_view import QueueView
from web.domain.reasons import reasons_in
from web.entrypoints.session import CookieSigner, Session


def test_a_csv_starts_with_a_bom_and_keeps_cyrillic_and_commas():
    text = to_csv(["Пара", "Покупатель"], [["m-1", "ООО «Лифт, сервис»"]])
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]))) == [
        ["Пара", "Покупатель"],
        ["m-1", "ООО «Лифт, сервис»"],
    ]


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_kept_as_text():
    for formula in ('=HYPERLINK("http://x")', "+7 481 2", "-1+1", "@SUM(A1)", "\t=1", "\r=1"):
        assert neutralised(formula) == "'" + formula
    assert (
        neutralised("Смоленск") == "Смоленск"
        and neutralised(None) == ""
        and neutralised(0.5) == "0.5"
    )
    assert to_csv(["h"], [["=1+1"]]).splitlines()[1] == "'=1+1"


def test_the_queue_view_round_trips_through_the_address_and_drops_what_it_cannot_read():
    view = QueueView.from_query(
        {
            "status": "proposed",
            "sector": "elevators",
            "country_pair": "BY-RU",
            "min_score": "0.6",
            "older_than_days": "7",
            "verification": "verified",
            "sort": "newest",
            "page": "3",
        }
    )
    assert QueueView.from_query(dict(pair.split("=") for pair in view.query().split("&"))) == view
    params = view.api_params(today=date(2026, 12, 2))
    assert params == {
        "status": "proposed",
        "sector": "elevators",
        "country_pair": "BY-RU",
        "min_score": "0.6",
        "verification": "verified",
        "sort": "newest",
        "limit": 25,
        "cursor": "50",
        "created_until": "2026-11-25",
    }
    hostile = QueueView.from_query(
        {
            "sector": "x' OR 1=1",
            "country_pair": "US-RU",
            "min_score": "7",
            "page": "-1",
            "sort": "drop",
        }
    )
    assert set(hostile.rejected_values) == {"sector", "country_pair", "min_score", "sort"}
    assert hostile.api_params(today=date(2026, 12, 2)) == {
        "status": "proposed",
        "sort": "score",
        "limit": 25,
        "cursor": "0",
    }


def test_any_status_asks_the_api_for_every_status_and_defaults_stay_out_of_the_address():
    assert "status" not in QueueView.from_query({"status": "any"}).api_params(
        today=date(2026, 1, 1)
    )
    assert QueueView().query() == ""
    assert QueueView().query(page=2) == "page=2"


def test_the_funnel_tells_each_stage_and_the_share_that_reached_it():
    stages = stages_of(
        {"proposed": 200, "approved": 50, "interested": 20, "introduced": 10, "closed": 0}
    )
    assert [(s.name, s.count) for s in stages] == [
        ("proposed", 200),
        ("approved", 50),
        ("interested", 20),
        ("introduced", 10),
        ("closed", 0),
    ]
    assert [s.rate_from_previous for s in stages] == [None, 0.25, 0.4, 0.5, 0.0]
    assert (
        stages_of({})[1].rate_from_previous is None
    )  # nothing proposed: no rate, not a division by zero
    assert (
        conversion({"approved": 4, "introduced": 1}, into="introduced", out_of="approved") == 0.25
    )
    assert conversion({}, into="introduced", out_of="approved") is None
    assert (
        bar_widths([5, 10, 0]) == [50.0, 100.0, 0.0]
        and bar_widths([]) == []
        and bar_widths([0]) == [0.0]
    )


def test_the_dashboard_shows_the_last_90_days_unless_the_reviewer_chose_readable_dates():
    today = date(2026, 12, 4)

    assert chosen_period("", "", today=today) == (date(2026, 9, 6), today, [])
    assert chosen_period("2026-01-01", "2026-03-31", today=today) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        [],
    )
    assert chosen_period("2026-02-30", "сегодня", today=today) == (
        date(2026, 9, 6),
        today,
        ["date_to", "date_from"],
    )
    assert chosen_period("2026-12-01", "2026-11-01", today=today) == (
        date(2026, 8, 4),
        date(2026, 11, 1),
        ["date_from"],
    )


def test_a_period_ending_near_the_calendars_first_day_starts_on_it():
    """Ninety days before 3 January of year 1 is no date: the period starts on the first day."""
    today = date(2026, 12, 4)

    assert chosen_period("", "0001-01-03", today=today) == (date.min, date(1, 1, 3), [])
    assert chosen_period("2026-01-01", "0001-01-03", today=today) == (
        date.min,
        date(1, 1, 3),
        ["date_from"],
    )
    assert chosen_period("", "0001-03-31", today=today) == (date.min, date(1, 3, 31), [])
    assert chosen_period("", "0001-04-01", today=today) == (date(1, 1, 2), date(1, 4, 1), [])
    assert chosen_period("0001-01-01", "9999-12-31", today=today) == (date.min, date.max, [])


def test_a_session_cookie_changed_by_its_holder_is_no_session():
    signer = CookieSigner("s" * 40)
    session = Session("a.b.c", "r", "agency", "agency@demo.local", name="Анна")
    cookie = signer.dumps(session)
    assert signer.loads(cookie) == session
    payload, signature = cookie.split(".")
    promoted = (
        CookieSigner("s" * 40)
        .dumps(Session("a.b.c", "r", "admin", "agency@demo.local"))
        .split(".")[0]
    )
    assert signer.loads(f"{promoted}.{signature}") is None
    assert CookieSigner("another secret of enough length!!!").loads(cookie) is None
    for garbage in (None, "", "abc", "a.b.c", f"{payload}.", "%%%.%%%"):
        assert signer.loads(garbage) is None


def test_a_reviewer_reads_reasons_in_the_pages_language_and_russian_when_belarusian_is_missing():
    match = {
        "reasons": {
            "ru": ["Оба в секторе «Лифты»"],
            "be": ["Абодва ў сектары «Ліфты»"],
            "en": ["Both in the sector “Lifts”"],
        }
    }
    assert reasons_in(match, "be") == ["Абодва ў сектары «Ліфты»"]
    assert reasons_in(match, "en") == ["Both in the sector “Lifts”"]
    assert reasons_in(match, "ru") == ["Оба в секторе «Лифты»"]
    assert reasons_in({"reasons": {"ru": ["Оба в секторе «Лифты»"], "be": [], "en": []}}, "be") == [
        "Оба в секторе «Лифты»"
    ]
    assert reasons_in({}, "be") == []
