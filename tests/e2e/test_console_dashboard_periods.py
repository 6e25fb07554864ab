"""A reviewer types the dashboard's dates by hand: a period the platform does not serve (before its
calendar, longer than five years, ending on the calendar's first day) shows the last 90 days and
says a date was not understood, instead of an error page; its CSV downloads the same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import DEMO_AGENCY
from tests.e2e.test_web_forms_refuse_hostile_input import signed_in_web

NOT_UNDERSTOOD = "Дата не распознана, поэтому показаны последние 90 дней."


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [("1800-01-01", "2026-06-30"), ("2001-01-01", "2026-06-30"), ("", "0001-01-01")],
    ids=["before-the-calendar", "longer-than-served", "on-the-first-day"],
)
def test_a_period_the_platform_does_not_serve_shows_the_last_90_days(
    platform, date_from: str, date_to: str
):
    today = datetime.now(UTC).date()
    period = {"date_from": date_from, "date_to": date_to}

    with signed_in_web(platform.web_url, *DEMO_AGENCY) as web:
        page = web.get("/console/dashboard", params=period)
        table = web.get("/console/dashboard/sector.csv", params=period)

    assert page.status_code == 200 and NOT_UNDERSTOOD in page.text
    assert f'value="{(today - timedelta(days=89)).isoformat()}"' in page.text
    assert f'value="{today.isoformat()}"' in page.text
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")


def test_a_period_it_serves_is_shown_as_asked(platform):
    with signed_in_web(platform.web_url, *DEMO_AGENCY) as web:
        page = web.get(
            "/console/dashboard", params={"date_from": "2026-01-01", "date_to": "2026-03-31"}
        )

    assert page.status_code == 200 and NOT_UNDERSTOOD not in page.text
    assert 'value="2026-01-01"' in page.text and 'value="2026-03-31"' in page.text
