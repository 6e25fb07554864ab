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
