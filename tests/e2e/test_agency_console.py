"""The investment agency's reviewer works a day in the browser (Debian's Chromium, Playwright):
signs in, narrows the queue to Belarusian elevators for Russian buyers, approves one pair and
rejects another by keyboard, takes a third decision back with undo, verifies a new enterprise,
suspends a squatter whose company is emailed the reason, and downloads the queue and the
dashboard as CSV files that hold what the pages show."""

from __future__ import annotations

import csv
import io
import re
import time

import pytest
from playwright.async_api import expect

from tests.e2e.browser import chromium, screenshot, watch_for_errors
from tests.e2e.console_story import (
    close_listings,
    enterprise_profile,
    registered,
    three_elevator_pairs,
)

AGENCY = ("agency@demo.local", "demo-agency")


def _match(gateway, agency, match_id: str) -> dict:
    return gateway.get(f"/api/v1/matches/{match_id}", headers=agency).json()


def _await_status(gateway, agency, match_id: str, status: str, *, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = _match(gateway, agency, match_id)
        if match["status"] == status:
            return match
        time.sleep(0.3)
    raise AssertionError(
        f"match {match_id} is {match['status']}, not {status}, after {timeout:.0f}s"
    )


def _pair_row(page, need_title: str, offer_title: str):
    """The queue row of this need and this offer: other tests' offers may be paired with the need
    too, so the need's title alone can name several rows; the offer's title is matched whole, as
    one title may begin another ("… 0fb270" and "… 0fb270-3")."""
    offer_link = page.locator("a.match-link", has_text=re.compile(f"^{re.escape(offer_title)}$"))
    return page.locator("tr.queue-row", has_text=need_title).filter(has=offer_link)


async def _move_to(page, title: str, offer_title: str) -> None:
    """Presses j until the current row is this need's pair with this offer (a bounded walk down the
    page): the row is told by its match id, since one title may contain another."""
    wanted = await _pair_row(page, title, offer_title).get_attribute("data-match-id")
    rows = await page.locator("tr.queue-row").count()
    for _ in range(rows):
        await page.keyboard.press("k")  # up to the first row
    for _ in range(rows + 1):
        current = page.locator("tr.queue-row.current")
        if await current.get_attribute("data-match-id") == wanted:
            return
        await page.keyboard.press("j")
    raise AssertionError(f"no row titled {title!r} in the queue")


@pytest.fixture
def elevator_pairs(gateway, open_company, agency):
    pairs = three_elevator_pairs(gateway, open_company, agency)
    yield pairs
    close_listings(gateway, agency, pairs.listings)


async def test_a_reviewer_works_the_queue_and_the_verification_queue_by_keyboard(
    platform, gateway, agency, open_company, mailbox, elevator_pairs, tmp_path
):
    marker, (to_approve, to_reject, to_undo), titles = (
        elevator_pairs.marker,
        elevator_pairs.matches,
        elevator_pairs.need_titles,
    )
    pending_profile = enterprise_profile(
        marker, name="Вяземский машзавод", city="Вязьма", sectors=["machine_tools"]
    )
    pending = registered(gateway, open_company, pending_profile)
    squatter_profile = enterprise_profile(marker, name="Сквоттер", city="Гомель", sectors=["flax"])
    squatter = registered(gateway, open_company, squatter_profile)

    async with chromium() as browser:
        context = await browser.new_context(
            accept_downloads=True, viewport={"width": 1280, "height": 900}
        )
        page = await context.new_page()
        errors = watch_for_errors(page)

        # The console asks for a sign-in first, then opens where the reviewer was going.
        await page.goto(platform.web_url + "/console/queue")
        assert "/sign-in" in page.url
        await page.get_by_label("Электронная почта").fill(AGENCY[0])
        await page.get_by_label("Пароль").fill(AGENCY[1])
        await page.get_by_role("button", name="Войти").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Очередь на рассмотрение")

        # Belarusian elevators for Russian buyers, newest first: the filters stay in the address.
        await page.get_by_label("Отрасль").select_option("elevators")
        await page.get_by_label("Страны (поставщик → покупатель)").select_option("BY-RU")
        await page.locator("#f-sort").select_option("newest")
        await page.get_by_role("button", name="Показать").click()
        await page.wait_for_url("**/console/queue?*")
        assert "sector=elevators" in page.url and "country_pair=BY-RU" in page.url
        shared_view = page.url
        offer_title = f"Запчасти для лифтов {marker}"
        for title in titles:
            await expect(_pair_row(page, title, offer_title)).to_be_visible()
        row = _pair_row(page, titles[0], offer_title)
        await expect(row).to_contain_text("Лифтмаш Могилёв")
        await expect(row).to_contain_text("Могилёв")
        await screenshot(page, "console-queue-filtered")

        # a approves the first pair; the decision is sent when the undo time has passed.
        await _move_to(page, titles[0], offer_title)
        await page.keyboard.press("a")
        await expect(page.locator("#undo-bar")).to_be_visible()
        # r asks for a reason for the second; an empty reason is refused in the dialog.
        await _move_to(page, titles[1], offer_title)
        await page.keyboard.press("r")
        dialog = page.locator("#reject-dialog")
        await expect(dialog).to_be_visible()
        await page.get_by_role("button", name="Отклонить").click()
        await expect(page.locator("#reject-reason-error")).to_be_visible()
        await page.get_by_label("Причина (видна в истории пары)").fill(
            "Покупатель уже заключил договор с другим поставщиком"
        )
        await page.get_by_role("button", name="Отклонить").click()
        await expect(dialog).to_be_hidden()
        # a on the third, then u: nothing is sent for it.
        await _move_to(page, titles[2], offer_title)
        await page.keyboard.press("a")
        await page.keyboard.press("u")

        approved = _await_status(gateway, agency, to_approve["id"], "approved")
        rejected = _await_status(gateway, agency, to_reject["id"], "rejected")
        assert any("другим поставщиком" in (h.get("note") or "") for h in rejected["history"])
        await expect(
            _pair_row(page, titles[0], offer_title).locator('[data-role="status"]')
        ).to_have_text("Одобрено")
        time.sleep(1)
        assert _match(gateway, agency, to_undo["id"])["status"] == "proposed"
        assert approved["history"][-1]["to_status"] == "approved"

        # The match page names the reviewer, not an account id.
        await page.goto(f"{platform.web_url}/console/matches/{to_approve['id']}")
        history = page.locator("table.history")
        await expect(history).to_contain_text("Одобрено")
        reviewer = gateway.get("/api/v1/auth/me", headers=agency).json()
        assert reviewer["id"] not in await history.inner_text()
        await screenshot(page, "console-match")

        # The CSV of the shared view holds the rows shown, readable by Excel (a BOM) and safe.
        await page.goto(shared_view)
        async with page.expect_download() as waiting:
            await page.get_by_role("link", name="Скачать CSV").click()
        queue_csv = (await (await waiting.value).path()).read_bytes()
        assert queue_csv.startswith(b"\xef\xbb\xbf")
        table = list(csv.reader(io.StringIO(queue_csv.decode("utf-8-sig"))))
        assert len(table[0]) == 14 and all(len(row) == 14 for row in table)
        exported = {row[0]: row for row in table[1:]}
        assert to_undo["id"] in exported  # still proposed, so still in the view
        assert to_approve["id"] not in exported  # approved: no longer in the proposed view

        # Verification: the new enterprise is verified, the squatter suspended with a reason.
        await page.goto(platform.web_url + "/console/verification")
        card = page.locator(f'article[data-enterprise-id="{pending}"]')
        await expect(card).to_be_visible()
        await card.get_by_role("button", name="Подтвердить").click()
        await expect(page.locator(".notice")).to_be_visible()
        assert gateway.get(f"/api/v1/enterprises/{pending}").json()["status"] == "verified"
        card = page.locator(f'article[data-enterprise-id="{squatter}"]')
        await card.get_by_label("Причина приостановки (компания получит её по почте)").fill(
            "УНП принадлежит другой организации"
        )
        await card.get_by_role("button", name="Приостановить").click()
        await expect(page.locator(".notice")).to_be_visible()
        assert (
            gateway.get(f"/api/v1/enterprises/{squatter}", headers=agency).json()["status"]
            == "suspended"
        )
        told = _mail_saying(
            mailbox, squatter_profile["email"], "УНП принадлежит другой организации"
        )
        assert told

        # The dashboard's sector table downloads as the CSV of the numbers it shows.
        await page.goto(platform.web_url + "/console/dashboard")
        await expect(page.locator('.stage-count[data-stage="approved"]')).to_be_visible()
        shown = await page.locator("#table-sector tbody tr").all_inner_texts()
        async with page.expect_download() as waiting:
            await page.locator("#table-sector + p a").click()
        sector_csv = list(
            csv.reader(
                io.StringIO((await (await waiting.value).path()).read_text(encoding="utf-8-sig"))
            )
        )
        assert len(sector_csv) - 1 == len(shown)
        elevators = next(row for row in sector_csv[1:] if row[0].startswith("Лифты"))
        assert int(elevators[2]) >= 1  # approved today, at least the one above
        await screenshot(page, "console-dashboard")

        # The buyer of the pair left proposed closes its need: the pair is withdrawn, and its page
        # says why in the reviewer's words, not in matching's English.
        close_listings(gateway, agency, [elevator_pairs.listings[3]])
        _await_status(gateway, agency, to_undo["id"], "withdrawn")
        await page.goto(f"{platform.web_url}/console/matches/{to_undo['id']}")
        await expect(page.locator("table.history tbody tr").last).to_contain_text(
            "Потребность закрыта."
        )

        assert errors == []
        await context.close()


def _mail_saying(mailbox, address: str, words: str, *, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for summary in mailbox.messages_to(address):
            message = mailbox.message(summary["ID"])
            if words in message["Text"]:
                return message
        time.sleep(0.3)
    raise AssertionError(f"no email to {address} saying «{words}» within {timeout:.0f}s")
