"""When the gateway says "too many requests, come back in N seconds", a page that needed it says
"busy" with the same Retry-After, so a browser's script or a crawler knows when to come back; a
Retry-After that is not a number of seconds is not passed on."""

from __future__ import annotations

import pytest

from tests.unit.web_app import FakeGateway, ask, started_web

ENTERPRISE_PAGE = "http://web/enterprises/0b7c9b3e-6f2a-4d55-9d4e-2f1f7d0f6a10"


async def test_a_busy_gateway_makes_a_busy_page_that_says_when_to_come_back():
    async with started_web(FakeGateway(busy_retry_after="7")) as app:
        page = await ask(app, "GET", ENTERPRISE_PAGE)

    assert page.status_code == 429
    assert page.headers["retry-after"] == "7"
    assert "text/html" in page.headers["content-type"]


@pytest.mark.parametrize(
    "said", ["Wed, 21 Oct 2026 07:28:00 GMT", "-1", "1.5", "٣", "99999999", "7\r\nX-Evil: 1"]
)
async def test_a_retry_after_that_is_not_whole_seconds_is_not_passed_on(said: str):
    async with started_web(FakeGateway(busy_retry_after=said)) as app:
        page = await ask(app, "GET", ENTERPRISE_PAGE)

    assert page.status_code == 429
    assert "retry-after" not in page.headers
    assert "x-evil" not in page.headers
