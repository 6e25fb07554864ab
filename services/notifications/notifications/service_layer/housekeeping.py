"""The sender's periodic passes: reminders for suggestions left unanswered, and the daily digests
for the enterprises that asked for one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from notifications.domain.plans import digest, reminder
from notifications.service_layer.unit_of_work import UnitOfWork


async def remind_unanswered(*, uow: UnitOfWork, waited: timedelta, batch: int = 100) -> int:
    """Queues one reminder for each suggestion that has waited longer than `waited` for its
    answer."""
    now = datetime.now(UTC)
    async with uow:
        due = await uow.suggestions.claim_unanswered(
            approved_before=now - waited, now=now, limit=batch
        )
        queued = sum(
            [await uow.deliveries.add_unless_known(reminder(suggestion)) for suggestion in due]
        )
        await uow.commit()
    return queued


async def bundle_digests(*, uow: UnitOfWork, hour: int, batch: int = 50) -> int:
    """Turns the suggestions held for each enterprise whose digest is due into one digest email."""
    now = datetime.now(UTC)
    async with uow:
        enterprises = await uow.deliveries.get_enterprise_ids_with_held(limit=batch)
    return sum(
        [
            await _bundle_digest(uow=uow, enterprise_id=enterprise_id, now=now, hour=hour)
            for enterprise_id in enterprises
        ]
    )


async def _bundle_digest(
    *, uow: UnitOfWork, enterprise_id: uuid.UUID, now: datetime, hour: int
) -> int:
    async with uow:
        preference = await uow.preferences.get(enterprise_id, for_update=True)
        held = await uow.deliveries.get_all_held_by_enterprise(enterprise_id)
        if not held or not preference.digest_due(now=now, hour=hour):
            return 0
        daily = digest(enterprise_id, on=now.date(), held=held)
        await uow.deliveries.add_unless_known(daily)
        await uow.deliveries.bundle(held, into=daily.id)
        preference.last_digest_on = now.date()
        await uow.preferences.save(preference)
        await uow.commit()
    return 1
