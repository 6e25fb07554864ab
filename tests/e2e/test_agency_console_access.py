"""Who may open the console: a company account gets a refusal page on every console address and
none of the agency's data; nobody signed in is sent to sign in; a form sent without its CSRF
token, or from another site, changes nothing; the session cookie is out of scripts' reach."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import uuid
import zlib

import httpx
import pytest

from tests.identifiers import fresh_inn

PASSWORD = "a long passphrase"
MATCH = "00000000-0000-4000-8000-000000000001"
CONSOLE_PAGES = [
    "/console",
    "/console/queue",
    "/console/queue?sector=elevators",
    "/console/queue.csv",
    f"/console/matches/{MATCH}",
    "/console/verification",
    "/console/verification?status=suspended",
    "/console/dashboard",
    "/console/dashboard/sector.csv",
    "/console/deliveries",
    "/console/accounts",
]
CONSOLE_FORMS = [
    f"/console/matches/{MATCH}/approve",
    f"/console/matches/{MATCH}/reject",
    f"/console/matches/{MATCH}/close",
    f"/console/enterprises/{MATCH}/verify",
    f"/console/enterprises/{MATCH}/suspend",
    "/console/deliveries/resend-dead",
    "/console/accounts",
    f"/console/accounts/{MATCH}/disable",
]


def _csrf(page: httpx.Response) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)


def _signed_in(web_url: str, email: str, password: str) -> httpx.Client:
    """A client that signed in through the web's own form; the caller closes it."""
    client = httpx.Client(base_url=web_url, timeout=30)
    form = client.get("/sign-in")
    answer = client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": _csrf(form)}
    )
    assert answer.status_code == 303, answer.text[:500]
    return client


@pytest.fixture
def company_browser(platform, gateway):
    email = f"company-{uuid.uuid4().hex[:10]}@example.ru"
    assert (
        gateway.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
        ).status_code
        == 202
    )
    client = _signed_in(platform.web_url, email, PASSWORD)
    yield client
    client.close()


def test_a_company_account_gets_a_refusal_page_on_every_console_address(company_browser):
    for path in CONSOLE_PAGES:
        page = company_browser.get(path, follow_redirects=True)
        assert page.status_code == 403, path
        assert page.headers["content-type"].startswith("text/html") and "<h1>" in page.text, path
        assert "agency@demo.local" not in page.text and "queue-row" not in page.text, path
    token = _csrf(company_browser.get("/"))
    for path in CONSOLE_FORMS:
        refused = company_browser.post(
            path, data={"csrf_token": token, "reason": "x", "email": "x@example.ru", "name": "x"}
        )
        assert refused.status_code == 403, path


def test_nobody_signed_in_is_sent_to_sign_in_and_comes_back_where_it_was_going(platform):
    with httpx.Client(base_url=platform.web_url, timeout=30) as anonymous:
        for path in CONSOLE_PAGES:
            answer = anonymous.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/sign-in?next=%2Fconsole"), path


def test_forms_without_their_csrf_token_change_nothing_and_the_session_is_out_of_scripts_reach(
    platform, gateway, agency
):
    reviewer = _signed_in(platform.web_url, "agency@demo.local", "demo-agency")
    with contextlib.closing(reviewer):
        session_cookie = next(c for c in reviewer.cookies.jar if c.name == "um_session")
        assert (
            session_cookie.has_nonstandard_attr("HttpOnly")
            and session_cookie.get_nonstandard_attr("SameSite", "").lower() == "lax"
        )
        target = gateway.post(
            "/api/v1/enterprises",
            headers=agency,
            json={
                "name": f"ООО «Цель» {uuid.uuid4().hex[:6]}",
                "country": "RU",
                "region": "smolensk_oblast",
                "city": "Смоленск",
                "inn": fresh_inn(),
                "sectors": ["flax"],
                "contact_person": "И. И.",
                "email": f"target-{uuid.uuid4().hex[:6]}@example.ru",
                "personal_data_consent": True,
            },
        ).json()["id"]
        for sent in ({}, {"csrf_token": "forged"}):
            assert (
                reviewer.post(f"/console/enterprises/{target}/verify", data=sent).status_code == 403
            )
        assert (
            reviewer.post(
                f"/console/enterprises/{target}/verify", headers={"X-CSRF-Token": "forged"}
            ).status_code
            == 403
        )
        assert gateway.get(f"/api/v1/enterprises/{target}").json()["status"] == "pending"
        # With its token the same form works: the refusal above was the missing token, nothing else.
        token = _csrf(reviewer.get("/console/verification"))
        assert (
            reviewer.post(
                f"/console/enterprises/{target}/verify", data={"csrf_token": token}
            ).status_code
            == 303
        )
        assert gateway.get(f"/api/v1/enterprises/{target}").json()["status"] == "verified"


def test_signing_out_ends_the_session_and_revokes_its_refresh_token(platform, gateway):
    reviewer = _signed_in(platform.web_url, "agency@demo.local", "demo-agency")
    with contextlib.closing(reviewer):
        payload = reviewer.cookies["um_session"].split(".")[0]
        packed = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        refresh_token = json.loads(zlib.decompress(packed))[
            "refresh_token"
        ]  # readable by its holder, never by scripts
        assert reviewer.get("/console/queue").status_code == 200
        assert (
            reviewer.post(
                "/sign-out", data={"csrf_token": _csrf(reviewer.get("/console/queue"))}
            ).status_code
            == 303
        )
        assert "um_session" not in reviewer.cookies
        assert reviewer.get("/console/queue").status_code == 303
    # Whoever copied the cookie before sign-out cannot renew its tokens any more.
    assert (
        gateway.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token}).status_code
        == 401
    )
