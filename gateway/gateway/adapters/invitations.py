"""The invitation email of a staff account, handed to the notifications service: the gateway
signs the one-time set-password link, the notifications service writes and sends the email."""

from __future__ import annotations

import uuid

from gateway.adapters.account_emails import hand_over
from gateway.adapters.tokens import PasswordLinks
from gateway.adapters.upstream import Upstream
from gateway.domain.accounts import MAX_NAME_LENGTH, Account, Role
from servicekit.internal_token import Caller

INVITATION_PATH = "/emails/account-invitation"
LANGUAGE = "ru"


class Invitations:
    def __init__(self, *, notifications: Upstream, links: PasswordLinks, web_base_url: str) -> None:
        self._notifications = notifications
        self._links = links
        self._web_base_url = web_base_url.rstrip("/")

    def link_for(self, account: Account) -> str:
        return f"{self._web_base_url}/set-password?token={self._links.issue_for(account)}"

    async def send(self, account: Account, *, sent_by: str) -> bool:
        """Asks the notifications service to email a fresh link; says whether it accepted. Never
        raises: the account exists either way, and the admin can send the link again."""
        invitation_id = str(uuid.uuid4())  # the notifications service's idempotency key
        # An account opened on the command line may have no name; the greeting then uses the
        # address.
        body = {
            "invitation_id": invitation_id,
            "email": account.email,
            "name": (account.name or account.email)[:MAX_NAME_LENGTH],
            "role": str(account.role),
            "link": self.link_for(account),
            "language": LANGUAGE,
        }
        return await hand_over(
            self._notifications,
            INVITATION_PATH,
            body,
            caller=Caller(account_id=sent_by, role=Role.ADMIN.value),
            account_id=account.id,
            invitation_id=invitation_id,
        )
