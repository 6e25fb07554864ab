"""The Mailer port over SMTP: rendered emails through one connection, reused across messages."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, parseaddr

import aiosmtplib

from notifications.service_layer.ports import RenderedEmail, SendFailed

# A URL has no space to fold at, and the standard library would turn a long one into encoded words
# that no mail client reads as an address; one line of up to 998 characters is allowed (RFC 5322).
_UNFOLDED = frozenset({"list-unsubscribe"})


class _SubjectInEncodedWords(EmailPolicy):
    """The standard library folds a long non-ASCII subject between two encoded words, so the space
    that stood there is folding whitespace, which RFC 2047 decoders drop («Червячныередукторы»).
    `Header` splits inside the encoded words instead, each space kept in the text it encodes."""

    def fold(self, name: str, value) -> str:
        if name.lower() == "subject":
            return (
                self._wrapped(name, str(value))
                if str(value).isascii()
                else self._encoded(name, str(value))
            )
        if name.lower() in _UNFOLDED:
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name: str, value) -> bytes:
        if name.lower() == "subject" or name.lower() in _UNFOLDED:
            return self.fold(name, value).encode("ascii")
        return super().fold_binary(name, value)

    def _wrapped(self, name: str, value: str) -> str:
        # A plain subject folds at its own spaces, never right after the colon: the standard
        # library moves a subject that does not fit the first line whole to the next one, and
        # some readers then keep the folding space in front of it.
        lines, line = [], f"{name}: "
        for index, word in enumerate(value.split(" ")):
            if index and len(line) + 1 + len(word) > self.max_line_length and line.strip():
                lines.append(line)
                line = f" {word}"
            else:
                line += f" {word}" if index else word
        return self.linesep.join([*lines, line]) + self.linesep

    def _encoded(self, name: str, value: str) -> str:
        # 76: a continuation line's leading space and an encoded word of at most 75 (RFC 2047
        # section 2).
        words = Header(value, "utf-8", maxlinelen=76, header_name=name).encode(linesep=self.linesep)
        return f"{name}: {words}{self.linesep}"


MAIL_POLICY = _SubjectInEncodedWords(linesep="\r\n")


def build_message(
    *, sender: str, recipient: str, message_id: str, email: RenderedEmail, date: str | None = None
) -> EmailMessage:
    """The whole message as it leaves: a plain-text and an HTML alternative, and, for bulk mail,
    the one-click unsubscribe of RFC 8058 that mail providers show beside the sender."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = email.subject
    message["Message-ID"] = message_id
    message["Date"] = date or format_datetime(datetime.now(UTC))
    if email.list_unsubscribe:
        message["List-Unsubscribe"] = f"<{email.list_unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


def flatten(message: EmailMessage, *, utf8: bool = False, eight_bit: bool = True) -> bytes:
    """The bytes on the wire; without 8BITMIME the bodies are re-encoded to 7 bits."""
    policy = message.policy.clone(utf8=utf8, cte_type="8bit" if eight_bit else "7bit")
    return message.as_bytes(policy=policy)


class SmtpMailer:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        starttls: bool,
        username: str | None,
        password: str | None,
        timeout: float,
    ) -> None:
        self._sender = sender
        self._client = aiosmtplib.SMTP(
            hostname=host,
            port=port,
            start_tls=starttls,
            username=username,
            password=password,
            timeout=timeout,
        )
        self._lock = asyncio.Lock()

    async def send(self, *, recipient: str, message_id: str, email: RenderedEmail) -> str:
        """Returns the server's acceptance reply; raises SendFailed, marked permanent for 5xx
        refusals."""
        message = build_message(
            sender=self._sender, recipient=recipient, message_id=message_id, email=email
        )
        async with self._lock:
            try:
                if not self._client.is_connected:
                    await self._client.connect()
                errors, reply = await self._transmit(message, recipient=recipient)
            except aiosmtplib.SMTPRecipientsRefused as error:
                raise SendFailed(
                    f"recipient refused: {error.recipients[0]}",
                    permanent=_permanent(error.recipients[0].code),
                ) from error
            except aiosmtplib.SMTPNotSupported as error:
                # e.g. a non-ASCII mailbox and a server without SMTPUTF8: this server will never
                # take it.
                await self._reset()
                raise SendFailed(f"address refused: {error}", permanent=True) from error
            except aiosmtplib.SMTPResponseException as error:
                await self._reset()
                raise SendFailed(
                    f"SMTP {error.code}: {error.message}", permanent=_permanent(error.code)
                ) from error
            except (TimeoutError, aiosmtplib.SMTPException, OSError) as error:
                await self._reset()
                raise SendFailed(
                    f"SMTP unavailable: {error}", permanent=False, server_unavailable=True
                ) from error
        return reply

    async def _transmit(self, message: EmailMessage, *, recipient: str):
        """aiosmtplib's send_message would flatten with its own policy and undo the subject's
        encoding, so the message is flattened here with the same SMTPUTF8/8BITMIME choices."""
        if self._client.is_ehlo_or_helo_needed:
            await self._client.ehlo()
        options = []
        utf8 = not (parseaddr(self._sender)[1] + recipient).isascii()
        if utf8:
            if not self._client.supports_extension("smtputf8"):
                raise aiosmtplib.SMTPNotSupported(
                    "a non-ASCII address and a server without SMTPUTF8"
                )
            options.append("SMTPUTF8")
        eight_bit = self._client.supports_extension("8bitmime")
        if eight_bit:
            options.append("BODY=8BITMIME")
        return await self._client.sendmail(
            self._sender,
            [recipient],
            flatten(message, utf8=utf8, eight_bit=eight_bit),
            mail_options=options,
        )

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
