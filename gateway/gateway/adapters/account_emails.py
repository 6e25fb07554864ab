"""The emails the gateway has the notifications service send about an account: the link that
confirms a new company account's address (at sign-up, to that address) and the one-time link of a
forgotten password. The gateway signs the links; the notifications service writes and sends the
emails (`POST /emails/account-confirmation`, `POST /emails/password-reset`)."""

from __future__ import annotations

import json
import uuid

import structlog

from gateway.adapters.tokens import ConfirmationLinks, PasswordLinks
from gateway.adapters.upstream import Upstream
from gateway.domain.accounts import Account
from servicekit.internal_token import Caller

log = structlog.get_logger(__name__)

CONFIRMATION_PATH = "/emails/account-confirmation"
PASSWORD_RESET_PATH = "/emails/password-reset"
ACCOUNT_EXISTS_PATH = "/emails/account-exists"
# The role of the internal token when the gateway asks on its own behalf: no account holds it.
GATEWAY_ROLE = "gateway"


async def hand_over(
    notifications: Upstream, path: str, body: dict, *, caller: Caller, **context
) -> bool:
    """Posts an email request to the notifications service; says whether it accepted. Never
    raises: whatever asked for the email has happened either way, and it can be asked again."""
    try:
        reply = await notifications.call(
            "POST",
            path,
            caller=caller,
            headers=[],
            content=json.dumps(body, ensure_ascii=False).encode(),
        )
    except Exception as error:  # unreachable, breaker open, or any other failure on the way
        log.warning("email_not_sent", path=path, error=str(error), **context)
        return False
    if not 200 <= reply.status_code < 300:
        # Not the answer's body: a refusal may quote the address or the link it was given.
        log.warning("email_refused", path=path, status=reply.status_code, **context)
        return False
    log.info("email_handed_over", path=path, **context)
    return True


class AccountEmails:
    def __init__(
        self,
        *,
        notifications: Upstream,
        confirmation_links: ConfirmationLinks,
        reset_links: PasswordLinks,
        web_base_url: str,
    ) -> None:
        self._notifications = notifications
        self._confirmation_links = confirmation_links
        self._reset_links = reset_links
        self._web_base_url = web_base_url.rstrip("/")

    def confirmation_link(self, account: Account) -> str:
        token = self._confirmation_links.issue(account_id=account.id, email=account.email)
        return f"{self._web_base_url}/confirm?token={token}"

    def reset_link(self, account: Account) -> str:
        return f"{self._web_base_url}/reset-password?token={self._reset_links.issue_for(account)}"

    async def send_confirmation(self, account: Account, *, language: str) -> bool:
        return await self._send(
            CONFIRMATION_PATH, account, self.confirmation_link(account), language
        )

    async def send_password_reset(self, account: Account, *, language: str) -> bool:
        return await self._send(PASSWORD_RESET_PATH, account, self.reset_link(account), language)

    async def send_account_exists(self, account: Account, *, language: str) -> bool:
        """Someone tried to register with the account's address: its owner learns it, with the way
        to a new password in case it was them (the one who tried is told nothing)."""
        return await self._send(
            ACCOUNT_EXISTS_PATH, account, f"{self._web_base_url}/forgot-password", language
        )

    async def _send(self, path: str, account: Account, link: str, language: str) -> bool:
        request_id = str(uuid.uuid4())  # the notifications service's idempotency key
        body = {
            "request_id": request_id,
            "email": account.email,
            "link": link,
            "language": language,
        }
        caller = Caller(account_id=account.id, role=GATEWAY_ROLE)
        return await hand_over(
            self._notifications,
            path,
            body,
            caller=caller,
            account_id=account.id,
            request_id=request_id,
        )
