"""An admin opens an account for a new reviewer in the console; the reviewer sets a password
through the emailed link (no password ever travels on a command line) and signs in; the admin
disables the account and the reviewer is refused; the invitation shows in the delivery log."""

from __future__ import annotations

import re
import time
import uuid

from playwright.async_api import expect

from tests.e2e.browser import chromium, sign_in, watch_for_errors

NEW_PASSWORD = "ровно восемь слов не нужно"


def _invitation_link(mailbox, address: str, *, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for summary in mailbox.messages_to(address):
            found = re.search(
                r"https?://\S+/set-password\?token=[\w.\-]+", mailbox.message(summary["ID"])["Text"]
            )
            if found:
                return found.group(0)
        time.sleep(0.3)
    raise AssertionError(f"no invitation reached {address} within {timeout:.0f}s")


async def test_an_admin_opens_a_reviewers_account_who_sets_a_password_and_is_later_disabled(
    platform, mailbox
):
    newcomer = f"reviewer-{uuid.uuid4().hex[:8]}@agency.example.ru"
    async with chromium() as browser:
        admin_page = await browser.new_page()
        errors = watch_for_errors(admin_page)
        await sign_in(
            admin_page,
            platform.web_url,
            "admin@demo.local",
            "demo-admin",
            path="/sign-in?next=/console/accounts",
        )
        await expect(admin_page.get_by_role("heading", level=1)).to_be_visible()

        # A form sent half-filled says what is missing, next to the field.
        await admin_page.get_by_role("button", name="Открыть учётную запись").click()
        await expect(admin_page.locator(".error-summary")).to_be_visible()
        await expect(admin_page.locator("#name-error")).to_be_visible()

        await admin_page.get_by_label("Имя").fill("Вера Соколова")
        await admin_page.get_by_label("Электронная почта").fill(newcomer)
        await admin_page.locator("#role-agency").check()
        await admin_page.get_by_role("button", name="Открыть учётную запись").click()
        row = admin_page.locator("table.accounts tr", has_text=newcomer)
        await expect(row).to_contain_text("Вера Соколова")

        # The newcomer follows the emailed link and chooses a password.
        link = _invitation_link(mailbox, newcomer)
        assert link.startswith(platform.web_url + "/set-password?token=")
        reviewer = await (await browser.new_context()).new_page()
        await reviewer.goto(link)
        await reviewer.get_by_label("Новый пароль").fill(NEW_PASSWORD)
        await reviewer.get_by_label("Пароль ещё раз").fill(NEW_PASSWORD + " не тот")
        await reviewer.get_by_role("button", name="Задать пароль").click()
        await expect(reviewer.locator("#repeated-error")).to_be_visible()
        await reviewer.get_by_label("Новый пароль").fill(NEW_PASSWORD)
        await reviewer.get_by_label("Пароль ещё раз").fill(NEW_PASSWORD)
        await reviewer.get_by_role("button", name="Задать пароль").click()
        await expect(reviewer.get_by_role("heading", level=1)).not_to_have_text("Задайте пароль")
        await sign_in(reviewer, platform.web_url, newcomer, NEW_PASSWORD)
        await expect(reviewer.locator("h1")).to_have_text("Очередь на рассмотрение")
        # The same link does not work twice.
        await reviewer.goto(link)
        await reviewer.get_by_label("Новый пароль").fill(NEW_PASSWORD)
        await reviewer.get_by_label("Пароль ещё раз").fill(NEW_PASSWORD)
        await reviewer.get_by_role("button", name="Задать пароль").click()
        await expect(reviewer.locator(".notice.error")).to_be_visible()

        # Disabled, the reviewer can no longer sign in.
        await admin_page.goto(platform.web_url + "/console/accounts")
        await (
            admin_page.locator("table.accounts tr", has_text=newcomer)
            .get_by_role("button", name="Отключить")
            .click()
        )
        await expect(
            admin_page.locator("table.accounts tr", has_text=newcomer).get_by_role(
                "button", name="Включить"
            )
        ).to_be_visible()
        stranger = await (await browser.new_context()).new_page()
        await sign_in(stranger, platform.web_url, newcomer, NEW_PASSWORD)
        await expect(stranger.locator(".error-summary")).to_be_visible()
        assert "/sign-in" in stranger.url

        # The invitation is in the delivery log, sent.
        await admin_page.goto(platform.web_url + "/console/deliveries?template=account_invitation")
        await expect(admin_page.locator("table.deliveries tr", has_text=newcomer)).to_be_visible()
        assert errors == []
