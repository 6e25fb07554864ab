"""The invitation email of a staff account, handed to the notifications service: the gateway
signs the one-time set-password link, the notifications service writes and sends the email."""

from __future__ import annotations

import json
import uuid

import structlog

from gateway.adapters.tokens import PasswordLinks
from gateway.adapters.upstream import Upstream
from gateway.domain.accounts import MAX_NAME_LENGTH, Account, Role
from gateway.domain.caller import Caller

log = structlog.get_logger(__name__)

INVITATION_PATH = "/emails/account-invitation"
LANGUAGE = "ru"


class Invitations:
    def __init__(self, *, notifications: Upstream, links: PasswordLinks, web_base_url: str) -> None:
        self._notifications = notifications
        self._links = links
        self._web_base_url = web_base_url.rstrip("/")

    def link_for(self, account: Account) -> str:
        token = self._links.issue(account_id=account.id, stamp=account.password_stamp)
        return f"{self._web_base_url}/set-password?token={token}"

    async def send(self, account: Account, *, sent_by: str) -> bool:
        """Asks the notifications service to email a fresh link; says whether it accepted. Never
        raises: the account exists either way, and the admin can send the link again."""
        invitation_id = str(uuid.uuid4())  # the notifications service's idempotency key
        # An account opened on the command line may have no name; the greeting then uses the address.
        body = {"invitation_id": invitation_id, "email": account.email, "name": (account.name or account.email)[:MAX_NAME_LENGTH],
                "role": str(account.role), "link": self.link_for(account), "language": LANGUAGE}
        try:
            reply = await self._notifications.call(
                "POST", INVITATION_PATH, caller=Caller(account_id=sent_by, role=Role.ADMIN.value), headers=[],
                content=json.dumps(body, ensure_ascii=False).encode(),
            )
        except Exception as error:  # unreachable, breaker open, or any other failure on the way
            log.warning("invitation_not_sent", account_id=account.id, invitation_id=invitation_id, error=str(error))
            return False
        if not 200 <= reply.status_code < 300:
            log.warning("invitation_refused", account_id=account.id, invitation_id=invitation_id, status=reply.status_code,
                        detail=reply.content[:300].decode("utf-8", "replace"))
            return False
        log.info("invitation_sent", account_id=account.id, invitation_id=invitation_id)
        return True
