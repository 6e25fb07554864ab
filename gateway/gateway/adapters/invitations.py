"""The invitation email of a staff account, for the notifications service: the gateway signs the
one-time set-password link, the notifications service writes and sends the email
(`POST /emails/account-invitation`, asked as the admin who sent the invitation)."""

from __future__ import annotations

import uuid

from gateway.adapters.tokens import PasswordLinks
from gateway.domain.account_emails import PendingEmail
from gateway.domain.accounts import MAX_NAME_LENGTH, Account, Role

INVITATION_PATH = "/emails/account-invitation"
LANGUAGE = "ru"


class Invitations:
    def __init__(self, *, links: PasswordLinks, web_base_url: str) -> None:
        self._links = links
        self._web_base_url = web_base_url.rstrip("/")

    def link_for(self, account: Account) -> str:
        return f"{self._web_base_url}/set-password?token={self._links.issue_for(account)}"

    def invitation(self, account: Account, *, sent_by: str) -> PendingEmail:
        """The request for an email with a fresh link, asked for by the admin `sent_by`."""
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
        return PendingEmail(
            id=invitation_id,
            path=INVITATION_PATH,
            body=body,
            caller_account_id=sent_by,
            caller_role=Role.ADMIN.value,
        )
