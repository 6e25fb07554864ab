"""An SMTP sink that keeps every message it receives and serves them over HTTP in the shape of
Mailpit's read API, so tests read mail the same way here and against Mailpit in docker-compose.
Its address itself (`GET /`) is an inbox where a person reads the emails as recipients would.

    python -m devstack.smtp_sink --smtp-port 1025 --http-port 8025 --store .cache/run/mail.jsonl

Messages are appended to the store file, with their raw bytes, so a restarted sink still knows
what it received.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

import uvicorn
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI, HTTPException, Response
from fastapi.responses import HTMLResponse

from devstack.inbox import INBOX_POLICY, MESSAGE_POLICY, framed, inbox_page


class MailStore:
    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._messages: list[dict] = []
        if path and path.exists():
            self._messages = [
                json.loads(line) for line in path.read_text().splitlines() if line.strip()
            ]

    def add(self, raw: bytes, envelope_from: str, envelope_to: list[str]) -> dict:
        record = _summarise(raw, envelope_from, envelope_to)
        self._messages.append(record)
        if self._path:
            with self._path.open("a") as store:
                store.write(json.dumps(record, ensure_ascii=False) + "\n")
        return record

    def newest_first(self) -> list[dict]:
        return list(reversed(self._messages))

    def get(self, message_id: str) -> dict | None:
        return next((m for m in self._messages if m["ID"] == message_id), None)

    def raw(self, message_id: str) -> bytes | None:
        message = self.get(message_id)
        return base64.b64decode(message[_RAW]) if message and _RAW in message else None

    def clear(self) -> None:
        self._messages.clear()
        if self._path:
            self._path.write_text("")


def _addresses(values: list[str]) -> list[dict]:
    return [{"Name": name, "Address": address} for name, address in getaddresses(values) if address]


def _summarise(raw: bytes, envelope_from: str, envelope_to: list[str]) -> dict:
    message: EmailMessage = message_from_bytes(raw, policy=policy.default)  # type: ignore[assignment]
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    text = text_part.get_content() if text_part else ""
    sender = _addresses([message.get("From", envelope_from)])
    return {
        "ID": uuid.uuid4().hex,
        "MessageID": (message.get("Message-ID") or "").strip("<>"),
        "From": sender[0] if sender else {"Name": "", "Address": envelope_from},
        "To": _addresses(message.get_all("To", [])) or _addresses(envelope_to),
        "Cc": _addresses(message.get_all("Cc", [])),
        "Subject": str(message.get("Subject", "")),
        "Created": datetime.now(UTC).isoformat(),
        "Date": str(message.get("Date", "")),
        "Size": len(raw),
        "Snippet": " ".join(text.split())[:200],
        "Text": text,
        "HTML": html_part.get_content() if html_part else "",
        "Headers": {
            key: [str(v) for v in message.get_all(key, [])] for key in dict.fromkeys(message.keys())
        },
        "Envelope": {"From": envelope_from, "To": envelope_to},
        _RAW: base64.b64encode(raw).decode("ascii"),
    }


# The bytes as received, kept in the store and served only by /raw (Mailpit's message JSON has
# none).
_RAW = "_raw"


_SUMMARY_FIELDS = ("ID", "MessageID", "From", "To", "Cc", "Subject", "Created", "Size", "Snippet")


def http_api(store: MailStore) -> FastAPI:
    app = FastAPI(title="SMTP sink (Mailpit-compatible read API)")

    @app.get("/api/v1/messages")
    def list_messages(start: int = 0, limit: int = 50) -> dict:
        everything = store.newest_first()
        page = everything[start : start + limit]
        return {
            "total": len(everything),
            "unread": 0,
            "count": len(page),
            "messages_count": len(everything),
            "start": start,
            "messages": [{field: m[field] for field in _SUMMARY_FIELDS} for m in page],
        }

    def found(message_id: str) -> dict:
        message = store.get(message_id)
        if message is None:
            raise HTTPException(404, "message not found")
        return message

    @app.get("/api/v1/message/{message_id}")
    def get_message(message_id: str) -> dict:
        return {key: value for key, value in found(message_id).items() if key != _RAW}

    @app.get("/api/v1/message/{message_id}/raw")
    def raw_message(message_id: str) -> Response:
        """The message exactly as the SMTP server received it, as Mailpit serves it."""
        raw = store.raw(found(message_id)["ID"])
        if raw is None:
            raise HTTPException(404, "this message was stored without its raw bytes")
        return Response(
            raw,
            media_type="text/plain; charset=utf-8",
            headers={"X-Content-Type-Options": "nosniff"},
        )

    @app.get("/api/v1/message/{message_id}/html")
    def html_message(message_id: str) -> Response:
        """The HTML alternative for the inbox's frame: no script, no request leaves the page, and a
        sandbox even when opened on its own."""
        return HTMLResponse(
            framed(found(message_id)["HTML"]),
            headers={
                "Content-Security-Policy": MESSAGE_POLICY,
                "X-Content-Type-Options": "nosniff",
            },
        )

    @app.get("/", response_class=HTMLResponse)
    def inbox(id: str | None = None) -> HTMLResponse:
        return HTMLResponse(
            inbox_page(store.newest_first(), store.get(id) if id else None),
            headers={"Content-Security-Policy": INBOX_POLICY, "X-Content-Type-Options": "nosniff"},
        )

    @app.delete("/api/v1/messages")
    def delete_all() -> dict:
        store.clear()
        return {"deleted": True}

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok"}

    return app


class _KeepingHandler:
    def __init__(self, store: MailStore) -> None:
        self._store = store

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode()
        self._store.add(raw, envelope.mail_from or "", list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


async def serve(*, host: str, smtp_port: int, http_port: int, store_path: Path | None) -> None:
    store = MailStore(store_path)
    loop = asyncio.get_running_loop()
    handler = _KeepingHandler(store)
    smtp_server = await loop.create_server(
        lambda: SMTP(handler, hostname="unionmatch-sink", ident="Union Match SMTP sink"),
        host,
        smtp_port,
    )
    http_server = uvicorn.Server(
        uvicorn.Config(http_api(store), host=host, port=http_port, log_level="warning")
    )
    try:
        await http_server.serve()
    finally:
        smtp_server.close()
        await smtp_server.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    parser.add_argument(
        "--store", type=Path, default=None, help="JSON-lines file that keeps the messages"
    )
    args = parser.parse_args()
    asyncio.run(
        serve(
            host=args.host,
            smtp_port=args.smtp_port,
            http_port=args.http_port,
            store_path=args.store,
        )
    )


if __name__ == "__main__":
    main()
