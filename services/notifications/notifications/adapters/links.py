"""The links an email carries; the ones that act without signing in carry a token signed with the
internal secret, which the gateway shares (HS256, pyjwt). The unsubscribe link opens the gateway's
/unsubscribe page, whose script calls the API (/api/v1/unsubscribe) and tells the company what
happened, rather than a browser showing the API's JSON; the List-Unsubscribe header of bulk mail
carries the API's one-click address instead (RFC 8058: the mail provider POSTs to it, no page, no
sign-in), with the same token. The link that confirms an account's address
is the gateway's own (signed by the gateway, sent at sign-up to that address), never written
here."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import jwt

from notifications.domain.plans import CONTACT_CONFIRMATION_VALID_DAYS
from notifications.service_layer.ports import InvalidLinkToken
from servicekit.internal_token import decode_signed_by_any

ISSUER = "notifications"
UNSUBSCRIBE_AUDIENCE = "unsubscribe"
# An unsubscribe link must keep working long after the email was read.
UNSUBSCRIBE_TTL = 2 * 365 * 24 * 3600
CONTACT_CONFIRMATION_AUDIENCE = "contact-confirmation"


class SignedLinks:
    def __init__(
        self,
        *,
        public_base_url: str,
        secret: str,
        public_api_url: str | None = None,
        previous_secrets: Sequence[str] = (),
    ) -> None:
        self._base = public_base_url.rstrip("/")
        # Where the public API answers; by default beside the pages, as behind one proxy.
        self._api = (public_api_url or f"{self._base}/api/v1").rstrip("/")
        self._secret = secret
        # Links signed before a rotation of the secret keep working while it is still accepted.
        self._secrets = [secret, *previous_secrets]

    def answer(self, match_id: str) -> str:
        return f"{self._base}/suggestions/{match_id}"

    def unsubscribe(self, enterprise_id: uuid.UUID) -> str:
        return f"{self._base}/unsubscribe?token={self.unsubscribe_token(enterprise_id)}"

    def one_click_unsubscribe(self, enterprise_id: uuid.UUID) -> str:
        return f"{self._api}/unsubscribe?token={self.unsubscribe_token(enterprise_id)}"

    def unsubscribe_token(self, enterprise_id: uuid.UUID) -> str:
        return self._sign(UNSUBSCRIBE_AUDIENCE, str(enterprise_id), UNSUBSCRIBE_TTL)

    def unsubscribing_enterprise(self, token: str) -> uuid.UUID:
        with _invalid_unless_read():
            return uuid.UUID(self._verify(token, UNSUBSCRIBE_AUDIENCE)["sub"])

    def confirm_contact(self, enterprise_id: uuid.UUID, email: str) -> str:
        """The page that confirms the enterprise's address: it asks for a click before it confirms,
        so a mail scanner that opens links confirms nothing."""
        token = self._sign(
            CONTACT_CONFIRMATION_AUDIENCE,
            str(enterprise_id),
            CONTACT_CONFIRMATION_VALID_DAYS * 24 * 3600,
            email=email,
        )
        return f"{self._base}/confirm-contact?token={token}"

    def confirming_contact(self, token: str) -> tuple[uuid.UUID, str]:
        """The enterprise and the address a confirmation link was sent to."""
        with _invalid_unless_read():
            claims = self._verify(token, CONTACT_CONFIRMATION_AUDIENCE)
            return uuid.UUID(claims["sub"]), str(claims["email"])

    def _verify(self, token: str, audience: str) -> dict:
        return decode_signed_by_any(token, self._secrets, audience=audience, issuer=ISSUER)

    def _sign(self, audience: str | None, subject: str, ttl: int, **claims) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "sub": subject, "iat": now, "exp": now + ttl, **claims}
        if audience:
            payload["aud"] = audience
        return jwt.encode(payload, self._secret, algorithm="HS256")


@contextmanager
def _invalid_unless_read() -> Iterator[None]:
    """A token that is forged, expired, for another purpose or missing a claim is
    InvalidLinkToken."""
    try:
        yield
    except (jwt.PyJWTError, KeyError, ValueError) as error:
        raise InvalidLinkToken(str(error)) from error
