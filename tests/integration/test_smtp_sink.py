"""The SMTP sink keeps what it receives and serves it in Mailpit's shape."""

from __future__ import annotations

import uuid
from email.message import EmailMessage

import aiosmtplib
import httpx


async def test_a_sent_email_can_be_read_back_through_the_mailpit_shaped_api(infra):
    recipient = f"reader-{uuid.uuid4().hex[:8]}@example.by"
    message = EmailMessage()
    message["From"] = "Union Match <noreply@unionmatch.local>"
    message["To"] = recipient
    message["Subject"] = "Предложение партнёра: лифты"
    message["Message-ID"] = "<sink-test@unionmatch.local>"
    message.set_content("Могилёв — Смоленск, 190 км")
    message.add_alternative("<p>Могилёв — Смоленск, 190 км</p>", subtype="html")

    await aiosmtplib.send(message, hostname="127.0.0.1", port=infra.config.smtp_port)

    async with httpx.AsyncClient(base_url=infra.mail_api_url) as client:
        listing = (await client.get("/api/v1/messages")).json()
        [summary] = [m for m in listing["messages"] if m["To"][0]["Address"] == recipient]
        full = (await client.get(f"/api/v1/message/{summary['ID']}")).json()
        missing = await client.get("/api/v1/message/no-such-id")
    assert listing["total"] >= 1 and listing["messages_count"] == listing["total"]
    assert summary["Subject"] == "Предложение партнёра: лифты"
    assert summary["From"]["Address"] == "noreply@unionmatch.local"
    assert summary["MessageID"] == "sink-test@unionmatch.local"
    assert "190 км" in summary["Snippet"]
    assert full["Text"].strip() == "Могилёв — Смоленск, 190 км"
    assert "<p>" in full["HTML"]
    assert missing.status_code == 404


def _hostile_email(recipient: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Union Match <noreply@unionmatch.local>"
    message["To"] = recipient
    message["Subject"] = "<script>alert('subject')</script> Предложение о партнёрстве"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@unionmatch.local>"
    message["Date"] = "Wed, 02 Dec 2026 10:00:00 +0000"
    message.set_content("Текст <b>не</b> разметка & не скрипт")
    message.add_alternative(
        "<html><head><title>x</title></head><body><p>Письмо</p><script>alert('html')</script>"
        '<a href="https://unionmatch.example.org/suggestions/1">Ответить</a></body></html>',
        subtype="html",
    )
    return message


async def _sent(infra, message: EmailMessage) -> tuple[bytes, dict]:
    """Sends the message's exact bytes and returns them with the sink's summary of them."""
    raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    await aiosmtplib.send(
        raw,
        sender="noreply@unionmatch.local",
        recipients=[message["To"]],
        hostname="127.0.0.1",
        port=infra.config.smtp_port,
    )
    async with httpx.AsyncClient(base_url=infra.mail_api_url) as client:
        listing = (await client.get("/api/v1/messages")).json()
    [summary] = [m for m in listing["messages"] if m["To"][0]["Address"] == message["To"]]
    return raw, summary


async def test_the_sink_serves_each_message_as_the_bytes_it_received(infra):
    raw, summary = await _sent(infra, _hostile_email(f"raw-{uuid.uuid4().hex[:8]}@example.by"))

    async with httpx.AsyncClient(base_url=infra.mail_api_url) as client:
        served = await client.get(f"/api/v1/message/{summary['ID']}/raw")
        full = (await client.get(f"/api/v1/message/{summary['ID']}")).json()
        missing = await client.get("/api/v1/message/no-such-id/raw")
    assert served.status_code == 200
    assert served.content == raw
    assert served.headers["content-type"].startswith("text/plain")
    assert "_raw" not in full and full["Subject"] == summary["Subject"]
    assert missing.status_code == 404


async def test_a_person_reads_the_inbox_with_each_emails_html_sandboxed_and_none_of_it_runs(
    infra,
):
    recipient = f"inbox-{uuid.uuid4().hex[:8]}@example.by"
    _, summary = await _sent(infra, _hostile_email(recipient))

    async with httpx.AsyncClient(base_url=infra.mail_api_url) as client:
        inbox = await client.get("/")
        opened = await client.get("/", params={"id": summary["ID"]})
        frame = await client.get(f"/api/v1/message/{summary['ID']}/html")

    assert inbox.status_code == 200 and inbox.headers["content-type"].startswith("text/html")
    assert recipient in inbox.text
    assert (
        "&lt;script&gt;alert(&#x27;subject&#x27;)&lt;/script&gt; Предложение о партнёрстве"
        in inbox.text
    )
    assert "<script" not in inbox.text and "<script" not in opened.text
    assert "default-src 'none'" in inbox.headers["content-security-policy"]
    # The opened email: its HTML only in a sandboxed frame without scripts, its plain text escaped.
    assert (
        '<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" title="the email\'s '
        f'HTML" src="/api/v1/message/{summary["ID"]}/html">' in opened.text
    )
    assert "Текст &lt;b&gt;не&lt;/b&gt; разметка &amp; не скрипт" in opened.text
    assert f'href="/api/v1/message/{summary["ID"]}/raw"' in opened.text
    policy = frame.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "script-src" not in policy
    assert '<base target="_blank">' in frame.text and "<p>Письмо</p>" in frame.text


def test_a_restarted_sink_still_has_the_raw_bytes_of_what_it_received(tmp_path):
    from devstack.smtp_sink import MailStore

    raw = _hostile_email("kept@example.by").as_bytes(
        policy=EmailMessage().policy.clone(linesep="\r\n")
    )
    kept = MailStore(tmp_path / "mail.jsonl").add(
        raw, "noreply@unionmatch.local", ["kept@example.by"]
    )

    assert MailStore(tmp_path / "mail.jsonl").raw(kept["ID"]) == raw
