"""Every email the platform sends, in Russian, Belarusian and English, leaves through the mailer to
the SMTP sink and is scored there, byte for byte as received, by SpamAssassin (Debian's package,
local rules only: `spamassassin -t -L`): each scores under 3 of the 5 that mark spam."""

from __future__ import annotations

import email
import mailbox
import re
import shutil
import subprocess
import uuid

import httpx
import pytest

from notifications.adapters.rendering import TemplateRenderer
from notifications.adapters.smtp import SmtpMailer
from tests.email_samples import context, every_email
from tests.integration.smtp_sink import sink_mailer_settings

LIMIT = 3.0


@pytest.fixture(scope="module")
async def received(infra, tmp_path_factory) -> dict[tuple[str, str], bytes]:
    """Each template and language's raw message as the sink received it."""
    mailer = SmtpMailer(**sink_mailer_settings(infra.config.smtp_port) | {"timeout": 10})
    renderer, sent = TemplateRenderer(), {}
    try:
        for template, language in every_email():
            message_id = f"<{uuid.uuid4()}@unionmatch.local>"
            await mailer.send(
                recipient=f"spam-check-{uuid.uuid4().hex[:8]}@example.ru",
                message_id=message_id,
                email=renderer.render(template, language, context(template, language)),
            )
            sent[message_id.strip("<>")] = (template, language)
    finally:
        await mailer.close()
    async with httpx.AsyncClient(base_url=infra.mail_api_url) as sink:
        listing = (await sink.get("/api/v1/messages", params={"limit": 10_000})).json()["messages"]
        ids = {m["MessageID"]: m["ID"] for m in listing if m["MessageID"] in sent}
        return {
            sent[message_id]: (await sink.get(f"/api/v1/message/{ids[message_id]}/raw")).content
            for message_id in sent
        }


def spam_reports(raw_messages: dict, home) -> dict:
    """SpamAssassin's score and report of each message, in one run over an mbox of them all."""
    assert shutil.which("spamassassin"), (
        "SpamAssassin is missing: apt-get install -y spamassassin (make test installs it)"
    )
    box = mailbox.mbox(home / "sent.mbox")
    for raw in raw_messages.values():
        box.add(raw.replace(b"\r\n", b"\n"))
    box.flush()
    by_id = {
        email.message_from_bytes(raw)["Message-ID"]: sample for sample, raw in raw_messages.items()
    }
    # Its own HOME: no user preferences or Bayes database of this machine's user take part.
    done = subprocess.run(
        ["spamassassin", "-t", "-L", "--mbox"],
        stdin=(home / "sent.mbox").open("rb"),
        capture_output=True,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        timeout=300,
        check=True,
    )
    (home / "scored.mbox").write_bytes(done.stdout)
    scored = list(mailbox.mbox(home / "scored.mbox"))
    reports = {}
    for message in scored:
        status = " ".join(message["X-Spam-Status"].split())
        text = message.as_string()
        reports[by_id[message["Message-ID"]]] = (
            float(re.search(r"score=(-?[\d.]+)", status).group(1)),
            text[text.find("Content analysis details") :][:1500],
        )
    assert len(reports) == len(raw_messages)
    return reports


def test_every_email_in_every_language_scores_under_3_in_spamassassin(received, tmp_path):
    reports = spam_reports(received, tmp_path)

    assert set(reports) == set(every_email())
    too_high = {
        f"{template}.{language}": f"{score}\n{report}"
        for (template, language), (score, report) in reports.items()
        if score >= LIMIT
    }
    assert not too_high, "\n".join(f"{name}: {report}" for name, report in too_high.items())


SPAM = b"""From: WINNER <winner@lottery.example>\r
To: maria@example.ru\r
Subject: FREE MONEY!!! CLAIM YOUR PRIZE NOW!!!\r
Message-ID: <spam-sample@lottery.example>\r
MIME-Version: 1.0\r
Content-Type: text/html; charset=us-ascii\r
\r
<html><body><font size=7 color=red>100% FREE!!! Click here to claim your $1,000,000 CASH PRIZE!!!\r
Act now, limited time, no credit check, risk free, order now!!!\r
<a href="http://192.0.2.7/claim">CLICK HERE</a></font></body></html>\r
"""


def test_the_filter_is_armed_a_spammers_message_scores_over_the_limit(tmp_path):
    """The check above means something only if these rules do score: a lottery message without a
    date or plain text, shouting in capitals, does."""
    [(score, report)] = spam_reports({("spam", "en"): SPAM}, tmp_path).values()

    assert score >= LIMIT, report
