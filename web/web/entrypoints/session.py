"""The signed-in person's session, kept in one signed HttpOnly cookie, and CSRF protection.

The cookie holds the API's tokens; page scripts can never read it (HttpOnly) and other sites'
forms never carry it on a POST (SameSite=Lax). Every form carries a CSRF token that must equal
the one in a second HttpOnly cookie, and the JSON calls of the console's script send it as a
header: a request forged from another origin has neither."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from fastapi import HTTPException, Request

from servicekit.caller import STAFF_ROLES

SESSION_COOKIE = "um_session"
CSRF_COOKIE = "um_csrf"
_ISSUED_CSRF_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_COOKIE_DATA = 64 * 1024  # what a signed cookie may unpack to


@dataclass
class Session:
    access_token: str
    refresh_token: str
    role: str
    email: str
    name: str = ""

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class CookieSigner:
    """HMAC-SHA256 over the cookie's payload: a changed cookie is no session at all. Cookies are
    signed with `secret`; while it is rotated, those signed with one of `previous_secrets` are
    read too."""

    def __init__(self, secret: str, previous_secrets: Sequence[str] = ()) -> None:
        self._key, *self._previous_keys = (
            hashlib.sha256(("union-match-web:" + key).encode()).digest()
            for key in (secret, *previous_secrets)
        )

    def dumps(self, session: Session) -> str:
        return self.sign(asdict(session))

    def loads(self, value: str | None) -> Session | None:
        data = self.unsign(value)
        try:
            return Session(**data) if data is not None else None
        except TypeError:
            return None

    def sign(self, data: dict) -> str:
        # Compressed: a browser keeps a cookie of at most 4 KB, and Cyrillic answers are long.
        packed = zlib.compress(
            json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode(), 9
        )
        payload = base64.urlsafe_b64encode(packed).decode().rstrip("=")
        return f"{payload}.{self._sign(payload, self._key)}"

    def unsign(self, value: str | None) -> dict | None:
        if not value or value.count(".") != 1:
            return None
        payload, signature = value.split(".")
        if not any(
            same_secret(signature, self._sign(payload, key))
            for key in (self._key, *self._previous_keys)
        ):
            return None
        try:
            packed = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
            data = json.loads(zlib.decompressobj().decompress(packed, MAX_COOKIE_DATA))
        except (ValueError, zlib.error):
            return None
        return data if isinstance(data, dict) else None

    @staticmethod
    def _sign(payload: str, key: bytes) -> str:
        return (
            base64.urlsafe_b64encode(hmac.new(key, payload.encode(), hashlib.sha256).digest())
            .decode()
            .rstrip("=")
        )


@dataclass
class RequestState:
    """What a request carries in and what it changes on the way out."""

    session: Session | None
    csrf_token: str
    session_changed: bool = False
    csrf_is_new: bool = False

    def sign_in(self, session: Session) -> None:
        self.session = session
        self.session_changed = True
        self.rotate_csrf()

    def sign_out(self) -> None:
        self.session = None
        self.session_changed = True
        self.rotate_csrf()

    def rotate_csrf(self) -> None:
        self.csrf_token = new_csrf_token()
        self.csrf_is_new = True


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_token_of(cookie: str | None) -> str | None:
    """The CSRF token a browser brought back, when it has the shape of one this app issues; any
    other cookie (made up, cut, letters no token has) is replaced by a fresh token."""
    return cookie if cookie is not None and _ISSUED_CSRF_TOKEN.fullmatch(cookie) else None


def same_secret(given: str, expected: str) -> bool:
    """Compared in constant time as bytes: `hmac.compare_digest` raises on a text with letters
    beyond ASCII, which a cookie or a form field may hold."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def state_of(request: Request) -> RequestState:
    return request.state.web


async def require_csrf(request: Request) -> None:
    """A FastAPI dependency for every state-changing route."""
    expected = state_of(request).csrf_token
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get(CSRF_FIELD)
    if not sent or not isinstance(sent, str) or not same_secret(sent, expected):
        raise HTTPException(403, "csrf")
