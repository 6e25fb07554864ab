"""Pending account emails in and out of PostgreSQL; the only place that knows their rows."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.adapters.orm import pending_emails
from gateway.domain.account_emails import PendingEmail


def _to_domain(row) -> PendingEmail:
    return PendingEmail(
        id=str(row.id),
        path=row.path,
        body=row.body,
        caller_account_id=row.caller_account_id,
        caller_role=row.caller_role,
        attempts=row.attempts,
    )


class PendingEmailRepository:
    """`queued`: how many emails this unit of work added (its commit wakes the sender then)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.queued = 0

    async def add(self, email: PendingEmail) -> None:
        await self._session.execute(
            insert(pending_emails).values(
                id=uuid.UUID(email.id),
                path=email.path,
                body=email.body,
                caller_account_id=email.caller_account_id,
                caller_role=email.caller_role,
            )
        )
        self.queued += 1

    async def get(self, email_id: str) -> PendingEmail | None:
        row = (
            await self._session.execute(
                select(pending_emails).where(pending_emails.c.id == uuid.UUID(email_id))
            )
        ).first()
        return _to_domain(row) if row else None

    async def claim_due(self, *, now: datetime, lease: timedelta, limit: int) -> list[PendingEmail]:
        """Takes the emails due now, oldest first, counting the attempt and holding them for
        `lease` (the time one pass may take): rows another sender holds locked are skipped, and
        rows a sender took and then vanished with come due again when their lease runs out."""
        due_at = pending_emails.c.next_attempt_at
        due = select(pending_emails.c.id).where(due_at <= now).order_by(due_at).limit(limit)
        taken = due.with_for_update(skip_locked=True).scalar_subquery()
        rows = await self._session.execute(
            update(pending_emails)
            .where(pending_emails.c.id.in_(taken))
            .values(attempts=pending_emails.c.attempts + 1, next_attempt_at=now + lease)
            .returning(*pending_emails.columns)
        )
        return [_to_domain(row) for row in sorted(rows, key=lambda row: row.created_at)]

    async def delete(self, email_ids: list[str]) -> None:
        if email_ids:
            await self._session.execute(
                delete(pending_emails).where(
                    pending_emails.c.id.in_([uuid.UUID(i) for i in email_ids])
                )
            )

    async def retry_at(self, email_id: str, at: datetime) -> None:
        await self._session.execute(
            update(pending_emails)
            .where(pending_emails.c.id == uuid.UUID(email_id))
            .values(next_attempt_at=at)
        )
