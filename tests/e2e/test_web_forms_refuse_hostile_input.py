"""An attacker on the web pages, sending what a browser's forms send: every form a signed-in
company's pages show (its listings, its enterprise, its email preferences, each step of the
registration wizard) is sent with each field in turn replaced by hostile text: a NUL or another
control character, a "%" that reads like a format, markup, numbers out of range, the calendar's
first and last days, text longer than any column. The agency's filters get the same in their
query. No answer is a 5xx, and a page that refuses a form says why in its error summary.

Forms that act on other people's data (the agency's verify, suspend, approve) or that count
against this address's limits for everyone (sign-in, sign-up, a forgotten password) are left to
the API's own hostile-input suite."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx
import pytest

from tests.e2e.conftest import DEMO_AGENCY
from tests.e2e.portal_story import PASSWORD, company_with_enterprise

HOSTILE = [
    "a\x00b",
    "\x1b[31m",
    "%FF %s %(name)s {0}",
    "<script>alert(1)</script>",
    "1e309",
    "-9223372036854775809",
    "Ж" * 6000,
    "",
    "0001-01-01",  # the calendar's edges: a day before or 90 days before the first is no date
    "9999-12-31",
]
# Bodies no browser sends: invalid UTF-8, a broken escape, a field with no name, repeated fields.
RAW_BODIES = [b"\xff\xfe=\xff", b"title=%FF%FE", b"a=%zz", b"=" * 500, b"sectors=a&sectors=b" * 200]
COMPANY_PAGES = [
    "/my/listings/new",
    "/my/enterprise/edit",
    "/my/notifications",
    *(
        f"/my/register/{step}"
        for step in ("country", "legal-id", "name", "place", "sectors", "about", "contact")
    ),
]
AGENCY_PAGES = [
    "/console/queue",
    "/console/verification",
    "/console/dashboard",
    "/console/deliveries",
]
SENT = {"requests": 0, "waits": 0}
# This suite sends one account's forms faster than the gateway's per-account limit refills on a
# fast machine; a "busy" page is waited out as its Retry-After says, so every value is still sent.
BUSY_WAITS_PER_REQUEST = 5
LONGEST_WAIT_SECONDS = 10.0


class _Forms(HTMLParser):
    """The forms of a page, each with its method, action and the fields a browser would send."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self._open = {
                "method": (attributes.get("method") or "get").lower(),
                "action": attributes.get("action") or "",
                "fields": {},
            }
            self.forms.append(self._open)
        elif tag in ("input", "select", "textarea") and self._open and attributes.get("name"):
            self._open["fields"].setdefault(attributes["name"], attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def forms_of(page: httpx.Response) -> list[dict]:
    parser = _Forms()
    parser.feed(page.text)
    for form in parser.forms:
        form["action"] = urljoin(str(page.url), form["action"] or str(page.url))
    return parser.forms


@contextmanager
def signed_in_web(web_url: str, email: str, password: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web_url, timeout=60) as web:
        (form,) = [f for f in forms_of(web.get("/sign-in")) if "password" in f["fields"]]
        answer = web.post(
            form["action"], data=form["fields"] | {"email": email, "password": password}
        )
        assert answer.status_code == 303 and "/sign-in" not in answer.headers["location"], (
            answer.text
        )
        yield web


def sent(web: httpx.Client, method: str, url: str, **request) -> httpx.Response:
    for _ in range(BUSY_WAITS_PER_REQUEST):
        SENT["requests"] += 1
        response = web.request(method, url, follow_redirects=False, **request)
        if response.status_code != 429:
            return response
        SENT["waits"] += 1
        time.sleep(min(float(response.headers.get("retry-after", "1")), LONGEST_WAIT_SECONDS))
    return response


def assert_answered(response: httpx.Response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:500]}"
    assert response.status_code != 429, f"{what}: still busy after {BUSY_WAITS_PER_REQUEST} waits"
    if response.status_code == 422 and "text/html" in response.headers["content-type"]:
        assert 'class="error-summary"' in response.text or "notice error" in response.text, what


def attack_form(web: httpx.Client, form: dict) -> None:
    method, action, fields = form["method"].upper(), form["action"], form["fields"]
    carried = "data" if method == "POST" else "params"
    for name in fields:
        if name == "csrf_token":
            continue
        for hostile in HOSTILE:
            if carried == "params" and len(hostile) > 1000:
                continue  # a URL that long is refused by the client before it is sent
            response = sent(web, method, action, **{carried: fields | {name: hostile}})
            assert_answered(response, f"{method} {action} {name}={hostile[:24]!r}")
    if method == "POST":
        for raw in RAW_BODIES:
            response = sent(
                web,
                method,
                action,
                content=raw,
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
            assert_answered(response, f"{method} {action} body {raw[:24]!r}")


@pytest.fixture(scope="module", autouse=True)
def count_requests():
    yield
    print(
        f"\nhostile requests sent to the web pages' forms: {SENT['requests']} (any 5xx fails), "
        f"busy pages waited out: {SENT['waits']}"
    )


@pytest.fixture(scope="module")
def company_web(platform, gateway, open_company, sign_in):
    company = company_with_enterprise(
        gateway, open_company, sign_in, name="Смоленсклифт", city="Смоленск", sectors=["elevators"]
    )
    with signed_in_web(platform.web_url, company["email"], PASSWORD) as web:
        yield web


@pytest.mark.parametrize("page", COMPANY_PAGES)
def test_no_hostile_field_of_a_company_form_gets_a_server_error(company_web, page):
    shown = sent(company_web, "GET", page)
    assert shown.status_code == 200, shown.text[:300]
    forms = [f for f in forms_of(shown) if not f["action"].endswith(("/sign-out", "/language"))]
    assert forms, f"{page} shows no form to attack"
    for form in forms:
        attack_form(company_web, form)


@pytest.mark.parametrize("page", AGENCY_PAGES)
def test_no_hostile_filter_of_the_agency_console_gets_a_server_error(platform, page):
    with signed_in_web(platform.web_url, *DEMO_AGENCY) as web:
        shown = sent(web, "GET", page)
        assert shown.status_code == 200, shown.text[:300]
        filters = [f for f in forms_of(shown) if f["method"] == "get"]
        assert filters or page != "/console/queue", f"{page} shows no filter"
        for form in filters:
            attack_form(web, form)


def test_a_listing_refused_for_a_code_that_looks_like_a_format_says_why(company_web):
    """A field's error may quote what was typed: "%FF" in it is shown, not read as a format."""
    (form,) = [
        f for f in forms_of(company_web.get("/my/listings/new")) if "/my/listings" in f["action"]
    ]
    response = sent(
        company_web,
        "POST",
        form["action"],
        data=form["fields"] | {"title": "Лифты", "product_codes": "%FF"},
    )
    assert response.status_code == 422, response.text[:300]
    assert 'class="error-summary"' in response.text
    assert 'href="#product_codes"' in response.text
