"""A verified company that corrects its enterprise's name sees on its enterprise page, in plain
words, that the agency checks it again and that partners come once it is verified; the agency's
reviewer sees in the verification queue why it is there again."""

from __future__ import annotations

import uuid

from tests.e2e.browser import chromium
from tests.e2e.console_story import registered, verify
from tests.e2e.profiles import enterprise_profile

PASSWORD = "a long passphrase"


async def test_a_renamed_enterprise_is_shown_as_checked_again_on_its_page(
    platform, gateway, open_company, sign_in, agency
):
    email, marker = f"recheck-{uuid.uuid4().hex[:8]}@example.by", uuid.uuid4().hex[:6]
    profile = enterprise_profile(
        marker, name="Оршанский льнокомбинат", city="Орша", sectors=["flax"]
    )
    enterprise_id = registered(gateway, lambda: open_company(email, PASSWORD), profile)
    verify(gateway, agency, enterprise_id)
    version = gateway.get(f"/api/v1/enterprises/{enterprise_id}").json()["version"]
    renamed = gateway.patch(
        f"/api/v1/enterprises/{enterprise_id}",
        headers=sign_in(email, PASSWORD),
        json={"name": f"ОАО «Оршанский льнокомбинат» {marker}", "version": version},
    )
    assert renamed.status_code == 200, renamed.text

    async with chromium() as browser:
        context = await browser.new_context()
        await context.add_cookies([{"name": "um_lang", "value": "en", "url": platform.web_url}])
        page = await context.new_page()
        await page.goto(platform.web_url + "/sign-in?next=/my/enterprise")
        await page.locator("#email").fill(email)
        await page.locator("#password").fill(PASSWORD)
        await page.locator("form.stack button[type=submit]").click()
        await page.wait_for_url("**/my/enterprise")
        status = await page.locator("section[aria-labelledby=status-heading]").inner_text()
        await context.close()
        reviewer = await browser.new_context()
        await reviewer.add_cookies([{"name": "um_lang", "value": "en", "url": platform.web_url}])
        page = await reviewer.new_page()
        await page.goto(platform.web_url + "/sign-in?next=/console/verification")
        await page.locator("#email").fill("agency@demo.local")
        await page.locator("#password").fill("demo-agency")
        await page.locator("form.stack button[type=submit]").click()
        await page.wait_for_url("**/console/verification")
        card = page.locator(f'article[data-enterprise-id="{enterprise_id}"]')
        for _ in range(50):  # the queue is oldest first, a page at a time
            if await card.count() or not await page.locator("a[rel=next]").count():
                break
            await page.locator("a[rel=next]").click()
            await page.wait_for_load_state()
        in_queue = await card.inner_text() if await card.count() else ""
        await reviewer.close()

    assert "waiting for the agency's check" in status
    assert "You changed what identifies the enterprise, so the agency checks it again" in status
    assert "Verified before; checked again because the company changed: the name" in " ".join(
        in_queue.split()
    )
