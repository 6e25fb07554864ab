"""Debian's Chromium driven by Playwright (never a downloaded browser), with what the page tests
share: a console that fails the test on script errors, axe-core, the sign-in form, and
screenshots."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page, async_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-output" / "screenshots"


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    assert CHROMIUM.exists(), "Debian's chromium is not installed: run `make browser`"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


def watch_for_errors(page: Page) -> list[str]:
    """Script errors, CSP refusals and failed requests of the page, to be asserted empty."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and errors.append(message.text)
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 500 and errors.append(f"{response.status} {response.url}")
        ),
    )
    return errors


async def sign_in(
    page: Page, web_url: str, email: str, password: str, *, path: str = "/sign-in"
) -> None:
    await page.goto(web_url + path)
    await page.get_by_label("Электронная почта").fill(email)
    await page.get_by_label("Пароль").fill(password)
    await page.get_by_role("button", name="Войти").click()
    await page.wait_for_load_state()


async def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core's findings of impact serious or critical. Evaluated through the DevTools protocol,
    so the page's own CSP (scripts from itself only) stays as users get it."""
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    result = await page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def scrolls_sideways(page: Page) -> bool:
    return await page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"
    )


async def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9_.-]+', '-', name.lower())}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def page_in_language(
    browser: Browser, web_url: str, language: str, *, width: int = 1280
) -> tuple[BrowserContext, Page]:
    """A page of a new browser context that asks the web for `language` (its um_lang cookie)."""
    context = await browser.new_context(viewport={"width": width, "height": 900})
    await context.add_cookies([{"name": "um_lang", "value": language, "url": web_url}])
    return context, await context.new_page()


async def check_at_a_phone(page: Page, name: str, problems: list[str]) -> None:
    """axe-core on the page as it is, and the same page at 360 px must not scroll sideways; the
    phone's screenshot is kept. Problems are added to `problems`, for one assertion at the end."""
    problems += [f"{name}: {v}" for v in await serious_accessibility_violations(page)]
    await page.set_viewport_size({"width": 360, "height": 800})
    if await scrolls_sideways(page):
        problems.append(f"{name}: scrolls sideways at 360 px")
    await screenshot(page, f"portal-{name}-360")
    await page.set_viewport_size({"width": 1280, "height": 900})


async def check_each_page(
    page: Page,
    web_url: str,
    paths: list[str],
    *,
    language: str,
    widths: tuple[int, ...],
    problems: list[str],
    shot_prefix: str = "",
) -> None:
    """Each page at each width: it speaks `language`, does not scroll sideways and leaves a
    screenshot; axe-core runs on each. Problems are added to `problems`."""
    for path in paths:
        for width in widths:
            await page.set_viewport_size({"width": width, "height": 900})
            await page.goto(web_url + path)
            assert await page.get_attribute("html", "lang") == language, path
            if await scrolls_sideways(page):
                problems.append(f"{language} {width}px {path}: scrolls sideways")
            name = path.strip("/").replace("/", "-")[:60] or "home"
            await screenshot(page, f"{shot_prefix}{language}-{width}-{name}")
        problems += [
            f"{language} {path}: {v}" for v in await serious_accessibility_violations(page)
        ]
