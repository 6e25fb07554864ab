"""The Mailer port over SMTP: rendered emails through a small pool of connections, each reused
across messages."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, parseaddr

import aiosmtplib
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings
from aiosmtplib.status import SMTPStatus

from notifications.service_layer.ports import RenderedEmail, SendFailed

# A URL has no space to fold at, and the standard library would turn a long one into encoded words
# that no mail client reads as an address; one line of up to 998 characters is allowed (RFC 5322).
_UNFOLDED = frozenset({"list-unsubscribe"})


class _SubjectInEncodedWords(EmailPolicy):
    """The standard library folds a long non-ASCII subject between two encoded words, so the space
    that stood there is folding whitespace, which RFC 2047 decoders drop («Червячныередукторы»).
    `Header` splits inside the encoded words instead, each space kept in the text it encodes."""

    def header_store_parse(self, name: str, value) -> tuple[str, str]:
        if isinstance(value, str) and not hasattr(value, "name"):
            return name, _parsed_header(self, name, value)
        return super().header_store_parse(name, value)

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
        return _folded(self, name, _Same(value))

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
        return _encoded_words(name, value, self.linesep)


@functools.lru_cache(maxsize=128)
def _encoded_words(name: str, value: str, linesep: str) -> str:
    """A subject's encoded words, made once for the subjects that repeat (one partner suggested to
    many). 76: a continuation line's leading space and an encoded word of at most 75 (RFC 2047
    section 2)."""
    words = Header(value, "utf-8", maxlinelen=76, header_name=name).encode(linesep=linesep)
    return f"{name}: {words}{linesep}"


@dataclass(frozen=True, eq=False)
class _Same:
    """A parsed header as a cache key by identity: a header's fold depends on the text it was parsed
    from, which two headers that read the same may not share. The key holds the header, so no other
    takes its identity while it is cached."""

    header: object

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.header is self.header

    def __hash__(self) -> int:
        return id(self.header)


@functools.lru_cache(maxsize=128)
def _folded(policy: EmailPolicy, name: str, same: _Same) -> bytes:
    """A header parsed once (_parsed_header) is folded once for each wire policy (_wire_policy)."""
    return EmailPolicy.fold_binary(policy, name, same.header)


@functools.lru_cache(maxsize=128)
def _parsed_header(policy: EmailPolicy, name: str, value: str):
    """Most headers repeat from one email to the next (the sender, the MIME parts' headers), and
    parsing one is most of the cost of building a message, so each is parsed once (the parsed
    headers are immutable); the LRU lets the one-off values (subject, recipient) pass through."""
    return EmailPolicy.header_store_parse(policy, name, value)[1]


class _HeaderClasses(HeaderRegistry):
    """The standard library's registry makes a new class each time it parses a header or counts how
    many of one a message may have, a tenth of building a message; here each name's is made once."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if (header_class := self._classes.get(key)) is None:
            header_class = self._classes[key] = super().__getitem__(name)
        return header_class


MAIL_POLICY = _SubjectInEncodedWords(linesep="\r\n", header_factory=_HeaderClasses())


def _random_boundary() -> str:
    """A MIME boundary of the shape the standard library gives its own."""
    return "=" * 15 + f"{random.randrange(sys.maxsize):019d}" + "=="


# One boundary for the messages this process builds, unless a body contains it: left to the
# standard library, each message's fresh one costs a compiled regular expression and a parse of its
# Content-Type, where a repeated header is parsed once (_parsed_header).
_BOUNDARY = _random_boundary()


def _boundary_outside(*bodies: str) -> str:
    boundary = _BOUNDARY
    while any(boundary in body for body in bodies):
        boundary = _random_boundary()
    return boundary


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
    message.make_alternative(boundary=_boundary_outside(email.text, email.html))
    message.add_alternative(email.html, subtype="html")
    return message


def flatten(message: EmailMessage, *, utf8: bool = False, eight_bit: bool = True) -> bytes:
    """The bytes on the wire; without 8BITMIME the bodies are re-encoded to 7 bits."""
    return message.as_bytes(policy=_wire_policy(message.policy, utf8=utf8, eight_bit=eight_bit))


@functools.cache
def _wire_policy(policy: EmailPolicy, *, utf8: bool, eight_bit: bool) -> EmailPolicy:
    """Made once for each choice rather than for each message, so a header's fold can be kept."""
    return policy.clone(utf8=utf8, cte_type="8bit" if eight_bit else "7bit")


class SmtpMailer:
    """A small pool of SMTP connections, each opened on first use and kept open for the next
    message, so several emails are on their way at once. An email is staged (envelope and content
    sent, all but the final dot) on a free connection, and accepted by the server only when the
    caller delivers it: the caller decides when a message becomes the server's."""

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
        connections: int = 1,
    ) -> None:
        self._sender = sender
        self._timeout = timeout
        login = {"username": username, "password": password}
        self._clients = [
            aiosmtplib.SMTP(hostname=host, port=port, start_tls=starttls, timeout=timeout, **login)
            for _ in range(connections)
        ]
        # The connection used last is taken first: it is the one most likely still open.
        self._free: asyncio.LifoQueue[aiosmtplib.SMTP] = asyncio.LifoQueue()
        for client in self._clients:
            self._free.put_nowait(client)

    @contextlib.asynccontextmanager
    async def staged(
        self, *, recipient: str, message_id: str, email: RenderedEmail
    ) -> AsyncIterator[_StagedEmail]:
        """Raises SendFailed, marked permanent for 5xx refusals; an email left undelivered is
        dropped with its connection, which the server then forgets."""
        try:
            message = build_message(
                sender=self._sender, recipient=recipient, message_id=message_id, email=email
            )
        except Exception as error:  # e.g. a header the email library refuses: it will next time too
            raise SendFailed(f"cannot build the message: {error!r}", permanent=True) from error
        client = await self._free.get()
        try:
            with _as_send_failed(client):
                await self._stage(client, message, recipient=recipient)
            staged = _StagedEmail(client, timeout=self._timeout)
            try:
                yield staged
            finally:
                if not staged.accepted:
                    client.close()
        finally:
            self._free.put_nowait(client)

    async def send(self, *, recipient: str, message_id: str, email: RenderedEmail) -> str:
        """One email staged and accepted at once; returns the server's acceptance reply."""
        async with self.staged(recipient=recipient, message_id=message_id, email=email) as staged:
            return await staged.deliver()

    async def _stage(self, client: aiosmtplib.SMTP, message: EmailMessage, *, recipient: str):
        """aiosmtplib's send_message would flatten with its own policy and undo the subject's
        encoding, so the message is flattened here with the same SMTPUTF8/8BITMIME choices; its
        DATA is written without the final dot (quoted and line-ended as aiosmtplib's data())."""
        if not client.is_connected:
            await client.connect()
        if client.is_ehlo_or_helo_needed:
            await client.ehlo()
        utf8 = not (parseaddr(self._sender)[1] + recipient).isascii()
        if utf8 and not client.supports_extension("smtputf8"):
            raise aiosmtplib.SMTPNotSupported("a non-ASCII address and a server without SMTPUTF8")
        eight_bit = client.supports_extension("8bitmime")
        options = ["SMTPUTF8"] * utf8 + ["BODY=8BITMIME"] * eight_bit
        encoding = "utf-8" if utf8 else "ascii"
        await client.mail(self._sender, options=options, encoding=encoding)
        await client.rcpt(recipient, encoding=encoding)
        started = await client.execute_command(b"DATA")
        if started.code != SMTPStatus.start_input:
            raise aiosmtplib.SMTPDataError(started.code, started.message)
        content = normalize_message_line_endings(flatten(message, utf8=utf8, eight_bit=eight_bit))
        client.protocol.write(PERIOD_REGEX.sub(b"..", content))

    async def close(self) -> None:
        for client in self._clients:
            await _quit(client)


class _StagedEmail:
    def __init__(self, client: aiosmtplib.SMTP, *, timeout: float) -> None:
        self._client = client
        self._timeout = timeout
        self.accepted = False

    async def deliver(self) -> str:
        """The final dot: the server accepts the message now. Returns its acceptance reply."""
        with _as_send_failed(self._client):
            if self._client.protocol is None:
                raise aiosmtplib.SMTPServerDisconnected("connection lost while staged")
            self._client.protocol.write(b".\r\n")
            reply = await self._client.protocol.read_response(timeout=self._timeout)
            if reply.code != SMTPStatus.completed:
                raise aiosmtplib.SMTPDataError(reply.code, reply.message)
        self.accepted = True
        return reply.message


@contextlib.contextmanager
def _as_send_failed(client: aiosmtplib.SMTP) -> Iterator[None]:
    """SMTP errors as SendFailed; the connection is dropped after any of them, so the next message
    starts on a fresh one rather than in the middle of a failed conversation."""
    try:
        yield
    except aiosmtplib.SMTPRecipientRefused as error:
        client.close()
        raise SendFailed(f"recipient refused: {error}", permanent=_permanent(error.code)) from error
    except aiosmtplib.SMTPNotSupported as error:
        # e.g. a non-ASCII mailbox and a server without SMTPUTF8: this server will never take it.
        client.close()
        raise SendFailed(f"address refused: {error}", permanent=True) from error
    except aiosmtplib.SMTPResponseException as error:
        client.close()
        raise SendFailed(
            f"SMTP {error.code}: {error.message}", permanent=_permanent(error.code)
        ) from error
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as error:
        client.close()
        raise SendFailed(
            f"SMTP unavailable: {error}", permanent=False, server_unavailable=True
        ) from error


async def _quit(client: aiosmtplib.SMTP) -> None:
    if client.is_connected:
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError):
            client.close()


def _permanent(code: int) -> bool:
    return 500 <= code < 600
