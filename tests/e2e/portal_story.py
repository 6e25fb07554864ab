"""What a company does in the portal, step by step in the browser, for the portal's story tests:
open an account and confirm its address, register through the wizard, publish a listing."""

from __future__ import annotations

import re
import time
import uuid

from tests.e2e.browser import check_each_page, page_in_language, watch_for_errors
from tests.e2e.console_story import registered
from tests.e2e.profiles import enterprise_profile
from tests.identifiers import fresh_marker

# The password of the portal stories' company accounts.
PASSWORD = "a long passphrase"


def emailed_link(mailbox, address: str, path: str, *, timeout: float = 30) -> str:
    """The first link to `path` in an email to `address` (waits for it to arrive)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for summary in mailbox.messages_to(address):
            found = re.search(
                rf"https?://\S+{re.escape(path)}\?token=[\w.\-]+",
                mailbox.message(summary["ID"])["Text"],
            )
            if found:
                return found.group(0)
        time.sleep(0.3)
    raise AssertionError(f"no email with a {path} link reached {address} within {timeout:.0f}s")


async def press_continue(page) -> None:
    await page.locator("form.stack button[type=submit]").click()
    await page.wait_for_load_state()


async def sign_up_and_confirm(
    page, web_url: str, mailbox, *, login: str, password: str, language: str
) -> None:
    await page.goto(web_url + "/sign-up")
    await page.locator(f'.language-switch button[value="{language}"]').click()
    await page.locator("#email").fill(login)
    await page.locator("#password").fill(password)
    await page.locator("#repeated").fill(password)
    await press_continue(page)
    await page.goto(emailed_link(mailbox, login, "/confirm"))
    await page.locator("main form button[type=submit]").click()
    await page.locator("#message").wait_for()


async def sign_in(page, web_url: str, *, login: str, password: str, then: str) -> None:
    await page.goto(f"{web_url}/sign-in?next={then}")
    await page.locator("#email").fill(login)
    await page.locator("#password").fill(password)
    await page.locator("form.stack button[type=submit]").click()
    await page.wait_for_load_state()


async def signed_in_page(
    browser, web_url: str, *, login: str, password: str, then: str, language: str = "en"
):
    """A page in `language`, watched for script errors from the start, signed in as the company
    and landed on `then`; returns the context (to close), the page and its errors."""
    context, page = await page_in_language(browser, web_url, language)
    errors = watch_for_errors(page)
    await sign_in(page, web_url, login=login, password=password, then=then)
    await page.wait_for_url(f"**{then}")
    return context, page, errors


async def problems_of_each_page_in_each_language(
    browser,
    web_url: str,
    paths: list[str],
    *,
    login: str,
    password: str,
    then: str,
    languages: tuple[str, ...] = ("ru", "be", "en"),
    widths: tuple[int, ...] = (360, 1280),
    shot_prefix: str = "",
) -> list[str]:
    """Signed in afresh in each language, every page at every width (browser.check_each_page):
    the web's three languages, a phone's width and a laptop's, unless told otherwise;
    returns what axe-core, the widths and the pages' scripts found wrong, to be asserted empty."""
    problems: list[str] = []
    for language in languages:
        context, page, errors = await signed_in_page(
            browser, web_url, login=login, password=password, then=then, language=language
        )
        await check_each_page(
            page,
            web_url,
            paths,
            language=language,
            widths=widths,
            problems=problems,
            shot_prefix=shot_prefix,
        )
        problems += [f"{language}: {e}" for e in errors]
        await context.close()
    return problems


def company_with_enterprise(gateway, open_company, sign_in_by_api, **profile) -> dict:
    """A company account (its login a new address, its password PASSWORD) with its enterprise
    (`profile` as profiles.enterprise_profile takes it), signed in again so its token names the
    enterprise."""
    marker = fresh_marker(6)
    login = f"company-{uuid.uuid4().hex[:8]}@example.ru"
    enterprise_id = registered(
        gateway, lambda: open_company(login, PASSWORD), enterprise_profile(marker, **profile)
    )
    return {
        "email": login,
        "enterprise_id": enterprise_id,
        "marker": marker,
        "headers": sign_in_by_api(login, PASSWORD),
    }


async def register_through_wizard(page, web_url: str, profile: dict) -> str:
    """Answers every question of the wizard from `profile`; returns the new enterprise's id."""
    await page.goto(web_url + "/my/register/country")
    await page.locator(f"#country-{profile['country'].lower()}").check()
    await press_continue(page)
    field = "unp" if profile["country"] == "BY" else "inn"
    await page.locator(f"#{field}").fill(profile[field])
    await press_continue(page)
    await page.locator("#name").fill(profile["name"])
    await press_continue(page)
    await page.locator("#region").select_option(profile["region"])
    await page.locator("#city").fill(profile["city"])
    await press_continue(page)
    for sector in profile["sectors"]:
        await page.locator(f"#sector-{sector}").check()
    await press_continue(page)
    await page.locator("#description").fill(profile["description"])
    await press_continue(page)
    await page.locator("#contact_person").fill(profile["contact_person"])
    await page.locator("#email").fill(profile["email"])
    await page.locator("#phone").fill(profile["phone"])
    await press_continue(page)
    await page.locator("#consent-yes").check()
    await press_continue(page)
    await press_continue(page)  # check your answers: register
    await page.wait_for_url("**/my/enterprise?*")
    return re.search(r"enterprise=([0-9a-f-]{36})", page.url).group(1)


async def publish(page, web_url: str, *, side: str, listing: dict) -> None:
    await page.goto(f"{web_url}/my/listings/new?side={side}")
    await page.locator("#title").fill(listing["title"])
    await page.locator("#description").fill(listing["description"])
    await page.locator("#sector").select_option(listing["sector"])
    await page.locator("#product_codes").fill(listing["product_codes"])
    await page.locator("#quantity").fill(str(listing["quantity"]))
    await page.locator("#unit").select_option(listing["unit"])
    await page.locator("form.stack button[type=submit]").click()
    await page.wait_for_url("**/my/listings*")
