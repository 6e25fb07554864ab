"""The emails the gateway has the notifications service send about an account: the link that
confirms a new company account's address (at sign-up, to that address), the one-time link of a
forgotten password, and the note that someone tried to register with an address that has an
account. The gateway signs the links; the notifications service writes and sends the emails
(`POST /emails/account-confirmation`, `POST /emails/password-reset`, `POST /emails/account-exists`).

`AccountEmails` only composes each request (a PendingEmail the use case keeps in its transaction);
`NotificationsDoor` hands a kept request over, for the sender (service_layer/email_outbox.py)."""

from __future__ import annotations

import json
import uuid

import structlog

from gateway.adapters.tokens import ConfirmationLinks, PasswordLinks
from gateway.adapters.upstream import Upstream
from gateway.domain.account_emails import HandOver, PendingEmail, hand_over_outcome
from gateway.domain.accounts import Account
from servicekit.internal_token import Caller

log = structlog.get_logger(__name__)

CONFIRMATION_PATH = "/emails/account-confirmation"
PASSWORD_RESET_PATH = "/emails/password-reset"
ACCOUNT_EXISTS_PATH = "/emails/account-exists"
# The role of the internal token when the gateway asks on its own behalf: no account holds it.
GATEWAY_ROLE = "gateway"


class NotificationsDoor:
    """Posts a kept email request to the notifications service, as the caller the request names,
    with its own id as the idempotency key: sending one again (after a crash between the post and
    the row's deletion) asks for the email it already has."""

    def __init__(self, notifications: Upstream) -> None:
        self._notifications = notifications

    async def hand_over(self, email: PendingEmail) -> HandOver:
        """Never raises, and never logs the body: it holds the link, a secret."""
        context = {"path": email.path, "email_id": email.id, "attempt": email.attempts}
        try:
            reply = await self._notifications.call(
                "POST",
                email.path,
                caller=Caller(account_id=email.caller_account_id, role=email.caller_role),
                headers=[],
                content=json.dumps(email.body, ensure_ascii=False).encode(),
            )
        except Exception as error:  # unreachable, breaker open, or any other failure on the way
            log.warning("email_not_handed_over", error=str(error), **context)
            return HandOver.UNAVAILABLE
        outcome = hand_over_outcome(reply.status_code)
        if outcome is HandOver.ACCEPTED:
            log.info("email_handed_over", **context)
        else:
            # Not the answer's body: a refusal may quote the address or the link it was given.
            log.warning(f"email_{outcome}", status=reply.status_code, **context)
        return outcome


class AccountEmails:
    def __init__(
        self,
        *,
        confirmation_links: ConfirmationLinks,
        reset_links: PasswordLinks,
        web_base_url: str,
    ) -> None:
        self._confirmation_links = confirmation_links
        self._reset_links = reset_links
        self._web_base_url = web_base_url.rstrip("/")

    def confirmation_link(self, account: Account) -> str:
        token = self._confirmation_links.issue(account_id=account.id, email=account.email)
        return f"{self._web_base_url}/confirm?token={token}"

    def reset_link(self, account: Account) -> str:
        return f"{self._web_base_url}/reset-password?token={self._reset_links.issue_for(account)}"

    def confirmation(self, account: Account, *, language: str) -> PendingEmail:
        return _account_email(CONFIRMATION_PATH, account, self.confirmation_link(account), language)

    def password_reset(self, account: Account, *, language: str) -> PendingEmail:
        return _account_email(PASSWORD_RESET_PATH, account, self.reset_link(account), language)

    def account_exists(self, account: Account, *, language: str) -> PendingEmail:
        """Someone tried to register with the account's address: its owner learns it, with the way
        to a new password in case it was them (the one who tried is told nothing)."""
        link = f"{self._web_base_url}/forgot-password"
        return _account_email(ACCOUNT_EXISTS_PATH, account, link, language)


def _account_email(path: str, account: Account, link: str, language: str) -> PendingEmail:
    request_id = str(uuid.uuid4())  # the notifications service's idempotency key
    return PendingEmail(
        id=request_id,
        path=path,
        body={"request_id": request_id, "email": account.email, "link": link, "language": language},
        caller_account_id=account.id,
        caller_role=GATEWAY_ROLE,
    )
