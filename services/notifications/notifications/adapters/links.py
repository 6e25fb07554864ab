"""The links an email carries; the ones that act without signing in carry a token signed with the
internal secret, which the gateway shares (HS256, pyjwt). Each opens one of the gateway's web pages
(/confirm, /unsubscribe), whose script calls the API (/api/v1/auth/confirm, /api/v1/unsubscribe)
and tells the company in Russian what happened, rather than a browser showing the API's JSON."""

from __future__ import annotations

import time
import uuid

import jwt

ISSUER = "notifications"
# The gateway's /auth/confirm reads {"purpose": "confirm-email", "sub": <account id>}.
ACCOUNT_CONFIRMATION = "confirm-email"
# Without the owning account (an event from before accounts), the link names the enterprise's address.
ENTERPRISE_CONFIRMATION = "confirm-enterprise-email"
UNSUBSCRIBE_AUDIENCE = "unsubscribe"
CONFIRM_TTL = 14 * 24 * 3600
# An unsubscribe link must keep working long after the email was read.
UNSUBSCRIBE_TTL = 2 * 365 * 24 * 3600


class InvalidLinkToken(Exception):
    pass


class SignedLinks:
    def __init__(self, *, public_base_url: str, secret: str) -> None:
        self._base = public_base_url.rstrip("/")
        self._secret = secret

    def answer(self, match_id: str) -> str:
        return f"{self._base}/suggestions/{match_id}"

    def confirm_email(self, enterprise_id: uuid.UUID, email: str, account_id: str | None) -> str:
        if account_id:
            token = self._sign(None, account_id, CONFIRM_TTL, purpose=ACCOUNT_CONFIRMATION)
        else:
            token = self._sign(None, str(enterprise_id), CONFIRM_TTL, purpose=ENTERPRISE_CONFIRMATION, email=email)
        return f"{self._base}/confirm?token={token}"

    def unsubscribe(self, enterprise_id: uuid.UUID) -> str:
        return f"{self._base}/unsubscribe?token={self.unsubscribe_token(enterprise_id)}"

    def unsubscribe_token(self, enterprise_id: uuid.UUID) -> str:
        return self._sign(UNSUBSCRIBE_AUDIENCE, str(enterprise_id), UNSUBSCRIBE_TTL)

    def unsubscribing_enterprise(self, token: str) -> uuid.UUID:
        try:
            claims = jwt.decode(token, self._secret, algorithms=["HS256"], audience=UNSUBSCRIBE_AUDIENCE, issuer=ISSUER)
            return uuid.UUID(claims["sub"])
        except (jwt.PyJWTError, KeyError, ValueError) as error:
            raise InvalidLinkToken(str(error)) from error

    def _sign(self, audience: str | None, subject: str, ttl: int, **claims) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "sub": subject, "iat": now, "exp": now + ttl, **claims}
        if audience:
            payload["aud"] = audience
        return jwt.encode(payload, self._secret, algorithm="HS256")
