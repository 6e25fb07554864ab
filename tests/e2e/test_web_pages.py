"""The links of the emails open the web application's pages in a real browser (Debian's Chromium
driven by Playwright): the buyer follows its partner suggestion, signs in, reads who the partner is
and why, and answers «Интересно»; the welcome email's profile link shows the enterprise without its
contacts; the welcome email's confirmation link and a suggestion's unsubscribe link say in Russian
what they did, and a forged, expired or incomplete link says why it did nothing."""

from __future__ import annotations

import re
import time
import uuid

import httpx
import jwt
import pytest
from playwright.async_api import expect

from tests.e2e.browser import CHROMIUM, chromium, watch_for_errors
from tests.e2e.console_story import approve, proposed_lift_pair, registered_company
from tests.e2e.profiles import lift_maker_profile
from tests.identifiers import fresh_marker

PASSWORD = "a long passphrase"


@pytest.fixture(autouse=True)
def _chromium_is_installed():
    # `make test` installs it (make browser); a run without it must fail, not pass by skipping.
    assert CHROMIUM.exists(), "Debian's chromium is not installed: run `make browser`"


def _email_with(mailbox, address: str, subject_part: str, *, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in mailbox.messages_to(address) if subject_part in m["Subject"]]
        if found:
            return mailbox.message(found[0]["ID"])
        time.sleep(0.2)
    raise AssertionError(f"no email «{subject_part}» reached {address} within {timeout:.0f}s")


def _link(text: str, path: str) -> str:
    [url] = set(re.findall(rf"https?://\S+{re.escape(path)}", text))
    return url


def _approved_suggestion(
    gateway, open_company, agency, buyer_profile: dict, buyer_email: str
) -> tuple[str, dict, str]:
    """A Mogilev lift maker and a Smolensk housing operator, both verified, paired and approved.
    Returns the match id, the lift maker's profile and the buyer's enterprise id."""
    marker = fresh_marker(6)
    lift_maker = lift_maker_profile(
        certifications=["ТР ТС 011/2011"], description="Производим и монтируем пассажирские лифты."
    )
    seller = registered_company(gateway, open_company, lift_maker)
    buyer = registered_company(gateway, open_company, buyer_profile, buyer_email, PASSWORD)
    certified = {"certifications": ["ТР ТС 011/2011"]}
    _, _, match = proposed_lift_pair(
        gateway,
        agency,
        seller=seller,
        buyer=buyer,
        offer_title=f"Пассажирские лифты {marker}",
        need_title=f"Замена пассажирских лифтов {marker}, 120 шт.",
        offer_changes={
            "description": "Пассажирские лифты для жилых домов, до 200 шт. в год",
            **certified,
        },
        need_changes=certified,
    )
    approve(gateway, agency, match["id"])
    return match["id"], lift_maker, buyer[0]


async def test_a_housing_operator_follows_its_suggestion_email_and_answers_interested(
    gateway, mailbox, open_company, agency, smolensk_housing_operator
):
    buyer = smolensk_housing_operator
    buyer_login = f"buyer-{uuid.uuid4().hex[:10]}@example.ru"
    match_id, lift_maker, buyer_id = _approved_suggestion(
        gateway, open_company, agency, buyer, buyer_login
    )
    suggestion_url = _link(
        _email_with(mailbox, buyer["email"], "Предложение о партнёрстве")["Text"],
        f"/suggestions/{match_id}",
    )
    profile_url = _link(
        _email_with(mailbox, buyer["email"], "Добро пожаловать")["Text"], f"/enterprises/{buyer_id}"
    )

    async with chromium() as browser:
        page = await browser.new_page()
        script_errors = watch_for_errors(page)

        await page.goto(suggestion_url)
        assert await page.get_attribute("html", "lang") == "ru"
        await page.get_by_label("Электронная почта").fill(buyer_login)
        await page.get_by_label("Пароль").fill(PASSWORD)
        await page.get_by_role("button", name="Войти").click()

        await expect(page.locator("#partner")).to_contain_text(lift_maker["name"])
        await expect(page.locator("#reasons li").first).to_be_visible()
        assert any(
            reason.startswith("Могилёв — Смоленск")
            for reason in await page.locator("#reasons li").all_text_contents()
        )
        assert lift_maker["email"] not in await page.content()

        await page.get_by_role("button", name="Интересно", exact=True).click()
        await expect(page.locator("#answer-result")).to_contain_text("«Интересно» записан")
        assert "/sign-in" not in page.url
        await expect(page.locator("#my-answer")).to_have_text("Интересно")

        await page.goto(profile_url)
        await expect(page.get_by_role("heading", level=1)).to_have_text(buyer["name"])
        await expect(page.locator("#city")).to_have_text(buyer["city"])
        body = await page.locator(
            "main"
        ).inner_text()  # the header names the signed-in account itself
        assert buyer["email"] not in body and "@" not in body and buyer["phone"] not in body
        assert script_errors == []

    stored = gateway.get(f"/api/v1/matches/{match_id}", headers=agency).json()
    assert stored["need_answer"] == "interested" and stored["offer_answer"] is None
    assert any(
        entry["event"] == "match.responded" and entry["note"] == "need: interested"
        for entry in stored["history"]
    )


async def test_a_wrong_password_and_someone_elses_suggestion_are_told_in_plain_russian(
    gateway, platform, open_company
):
    stranger_login = f"stranger-{uuid.uuid4().hex[:10]}@example.ru"
    open_company(stranger_login, PASSWORD)
    async with chromium() as browser:
        page = await browser.new_page()
        await page.goto(f"{platform.web_url}/suggestions/{uuid.uuid4()}")
        await page.get_by_label("Электронная почта").fill(stranger_login)
        await page.get_by_label("Пароль").fill("not the password at all")
        await page.get_by_role("button", name="Войти").click()
        summary = page.locator(".error-summary")
        await expect(summary).to_contain_text("Неверный адрес почты или пароль")
        await expect(summary).to_be_focused()  # the reader is taken to what went wrong
        await summary.get_by_role("link").click()
        await expect(page.get_by_label("Электронная почта")).to_be_focused()

        await page.get_by_label("Пароль").fill(PASSWORD)
        await page.get_by_role("button", name="Войти").click()
        await expect(page.locator("#message")).to_contain_text(
            "Предложение не найдено или отправлено другой компании"
        )
        assert await page.locator("#partner").count() == 0
        assert await page.get_by_role(
            "button", name="Войти"
        ).is_visible()  # to sign in as the right company


def _expired(platform, **claims) -> str:
    """A token signed with the platform's real secret whose time has passed."""
    issued = int(time.time()) - 3 * 24 * 3600
    return jwt.encode(
        {"iss": "notifications", "iat": issued, "exp": issued + 3600, **claims},
        platform.config.internal_token_secret,
        algorithm="HS256",
    )


def _tampered(token: str) -> str:
    head, payload, signature = token.split(".")
    return f"{head}.{payload}.{signature[:-4]}{'abcd' if signature[-4:] != 'abcd' else 'wxyz'}"


def test_the_email_link_pages_are_the_webs_not_the_gateways(platform, gateway):
    paths = gateway.get("/openapi.json").json()["paths"]
    assert "/confirm" not in paths and "/unsubscribe" not in paths
    assert {"/api/v1/auth/confirm", "/api/v1/unsubscribe"} <= set(paths)  # API clients keep them
    assert (
        gateway.get("/confirm").status_code == 404
        and gateway.get("/suggestions/x").status_code == 404
    )

    hostile = 'a"><script>alert(1)</script>'
    for page in ("/confirm", "/unsubscribe"):
        response = httpx.get(platform.web_url + page, params={"token": hostile})
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "text/html"
        )
        assert response.headers["content-security-policy"].startswith(
            "default-src 'self'; script-src 'self'"
        )
        assert response.headers["cache-control"] == "no-store"
        assert "<script>alert" not in response.text
    assert (
        'value="a&#34;&gt;&lt;script&gt;'
        in httpx.get(platform.web_url + "/unsubscribe", params={"token": hostile}).text
    )


async def test_a_company_confirms_its_address_by_the_emailed_link_and_a_forged_one_changes_nothing(
    platform, gateway, mailbox, sign_in, open_company, new_housing_operator
):
    profile, login = new_housing_operator(), f"owner-{uuid.uuid4().hex[:10]}@example.ru"
    owner = open_company(login, PASSWORD)
    assert gateway.post("/api/v1/enterprises", json=profile, headers=owner).status_code == 201
    # The enterprise's address is only welcomed: the link that confirms goes to the account's own
    # address.
    assert "/confirm" not in _email_with(mailbox, profile["email"], "Добро пожаловать")["Text"]
    confirm_url = re.search(
        r"https?://\S+/confirm\?token=\S+", _email_with(mailbox, login, "Подтвердите адрес")["Text"]
    ).group(0)
    assert confirm_url.startswith(f"{platform.web_url}/confirm?token=")
    stranger_login = f"stranger-{uuid.uuid4().hex[:10]}@example.ru"
    stranger = open_company(stranger_login, PASSWORD)
    stranger_id = gateway.get("/api/v1/auth/me", headers=stranger).json()["id"]
    forged = jwt.encode(
        {"purpose": "confirm-email", "sub": stranger_id, "email": stranger_login},
        "f" * 40,
        algorithm="HS256",
    )
    expired = _expired(platform, purpose="confirm-email", sub=stranger_id, email=stranger_login)
    # Signed with the real secret, but it names an address that is not the stranger account's.
    elsewhere = jwt.encode(
        {"purpose": "confirm-email", "sub": stranger_id, "email": login},
        platform.config.internal_token_secret,
        algorithm="HS256",
    )
    assert gateway.get("/api/v1/auth/me", headers=owner).json()["confirmed"] is False

    async with chromium() as browser:
        page = await browser.new_page()
        errors = watch_for_errors(page)
        await page.goto(confirm_url)
        # Opening the link confirms nothing (a mail scanner opens links too); the button does.
        assert gateway.get("/api/v1/auth/me", headers=owner).json()["confirmed"] is False
        await page.locator("main form button[type=submit]").click()
        await expect(page.locator("#message")).to_have_text(
            f"Адрес электронной почты {login} подтверждён."
        )
        await expect(page.locator("#next")).to_be_visible()
        assert errors == []

        refused = await browser.new_page()
        errors = watch_for_errors(refused)
        for token in (forged, expired, elsewhere, _tampered(confirm_url.split("?token=")[1])):
            await refused.goto(f"{platform.web_url}/confirm?token={token}")
            await refused.locator("main form button[type=submit]").click()
            await expect(refused.locator("#message")).to_contain_text(
                "Ссылка недействительна или устарела"
            )
            assert await refused.locator("#next").count() == 0
        await refused.goto(f"{platform.web_url}/confirm")
        await expect(refused.locator("#message")).to_contain_text("Ссылка неполная")
        assert errors == []

    assert (
        gateway.get("/api/v1/auth/me", headers=sign_in(login, PASSWORD)).json()["confirmed"] is True
    )
    assert gateway.get("/api/v1/auth/me", headers=stranger).json()["confirmed"] is False


async def test_a_company_unsubscribes_by_its_suggestion_email_link_and_a_forged_one_changes_nothing(
    platform, gateway, mailbox, sign_in, open_company, agency, smolensk_housing_operator
):
    buyer = smolensk_housing_operator
    buyer_login = f"buyer-{uuid.uuid4().hex[:10]}@example.ru"
    _, _, buyer_id = _approved_suggestion(gateway, open_company, agency, buyer, buyer_login)
    suggestion = _email_with(mailbox, buyer["email"], "Предложение о партнёрстве")["Text"]
    unsubscribe_url = re.search(r"https?://\S+/unsubscribe\?token=\S+", suggestion).group(0)
    assert unsubscribe_url.startswith(f"{platform.web_url}/unsubscribe?token=")
    token = unsubscribe_url.split("?token=")[1]
    preferences = f"/api/v1/enterprises/{buyer_id}/notification-preferences"
    owner = sign_in(buyer_login, PASSWORD)

    # A mail scanner fetches every link: opening it alone unsubscribes nobody; the button does.
    assert httpx.get(unsubscribe_url).status_code == 200
    assert gateway.get(preferences, headers=owner).json()["unsubscribed"] is False

    async with chromium() as browser:
        refused = await browser.new_page()
        errors = watch_for_errors(refused)
        expired = _expired(platform, aud="unsubscribe", sub=buyer_id)
        for bad in (_tampered(token), expired):
            await refused.goto(f"{platform.web_url}/unsubscribe?token={bad}")
            await refused.get_by_role("button", name="Отписаться").click()
            await expect(refused.locator("#message")).to_contain_text(
                "Ссылка недействительна или устарела"
            )
        await refused.goto(f"{platform.web_url}/unsubscribe?token=")
        await expect(refused.locator("#message")).to_contain_text("Ссылка неполная")
        assert errors == []
        assert gateway.get(preferences, headers=owner).json()["unsubscribed"] is False

        page = await browser.new_page()
        errors = watch_for_errors(page)
        await page.goto(unsubscribe_url)
        await page.get_by_role("button", name="Отписаться").click()
        await expect(page.locator("#message")).to_contain_text(
            "Ваше предприятие больше не будет получать предложения партнёров по почте"
        )
        assert errors == []

    after = gateway.get(preferences, headers=owner).json()
    assert after["unsubscribed"] is True and after["unsubscribed_at"] is not None
