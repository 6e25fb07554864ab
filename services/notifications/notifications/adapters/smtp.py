"""Sends rendered emails through one SMTP connection, reused across messages."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from notifications.adapters.rendering import RenderedEmail


class SendFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool, server_unavailable: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent
        # The server, not this message, is the problem: the next message would fail the same way.
        self.server_unavailable = server_unavailable


class SmtpMailer:
    def __init__(self, *, host: str, port: int, sender: str, starttls: bool, username: str | None, password: str | None, timeout: float) -> None:
        self._sender = sender
        self._client = aiosmtplib.SMTP(hostname=host, port=port, start_tls=starttls, username=username, password=password, timeout=timeout)
        self._lock = asyncio.Lock()

    async def send(self, *, recipient: str, message_id: str, email: RenderedEmail) -> str:
        """Returns the server's acceptance reply; raises SendFailed, marked permanent for 5xx refusals."""
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = recipient
        message["Subject"] = email.subject
        message["Message-ID"] = message_id
        message["Date"] = formatdate(localtime=False)
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        async with self._lock:
            try:
                if not self._client.is_connected:
                    await self._client.connect()
                errors, reply = await self._client.send_message(message)
            except aiosmtplib.SMTPRecipientsRefused as error:
                raise SendFailed(f"recipient refused: {error.recipients[0]}", permanent=_permanent(error.recipients[0].code)) from error
            except aiosmtplib.SMTPNotSupported as error:
                # e.g. a non-ASCII mailbox and a server without SMTPUTF8: this server will never take it.
                await self._reset()
                raise SendFailed(f"address refused: {error}", permanent=True) from error
            except aiosmtplib.SMTPResponseException as error:
                await self._reset()
                raise SendFailed(f"SMTP {error.code}: {error.message}", permanent=_permanent(error.code)) from error
            except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as error:
                await self._reset()
                raise SendFailed(f"SMTP unavailable: {error}", permanent=False, server_unavailable=True) from error
        return reply

    async def close(self) -> None:
        async with self._lock:
            await self._reset()

    async def _reset(self) -> None:
        if self._client.is_connected:
            try:
                await self._client.quit()
            except (aiosmtplib.SMTPException, OSError):
                self._client.close()


def _permanent(code: int) -> bool:
    return 500 <= code < 600
