from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.adapters.orm import deliveries, processed_events
from notifications.domain.deliveries import Delivery, DeliveryStatus

_FIELDS = [c.name for c in deliveries.columns if c.name not in ("claimed_at", "created_at")]


def _to_domain(row) -> Delivery:
    values = {name: row._mapping[name] for name in [*_FIELDS, "created_at"]}
    values["status"] = DeliveryStatus(values["status"])
    return Delivery(**values)


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_unless_known(self, delivery: Delivery) -> bool:
        """False when a delivery with this idempotency key already exists."""
        values = {name: getattr(delivery, name) for name in _FIELDS}
        statement = insert(deliveries).values(values).on_conflict_do_nothing(index_elements=["idempotency_key"])
        result = await self._session.execute(statement)
        return result.rowcount == 1

    async def claim_due(self, *, now: datetime, lease: timedelta, limit: int) -> list[Delivery]:
        """Takes the deliveries due now (and those whose sender vanished mid-send) and marks them sending."""
        due = or_(
            deliveries.c.status == DeliveryStatus.QUEUED,
            and_(deliveries.c.status == DeliveryStatus.FAILED, deliveries.c.next_attempt_at <= now),
            and_(deliveries.c.status == DeliveryStatus.SENDING, deliveries.c.claimed_at <= now - lease),
        )
        ids = select(deliveries.c.id).where(due).order_by(deliveries.c.created_at).limit(limit).with_for_update(skip_locked=True)
        rows = await self._session.execute(
            update(deliveries)
            .where(deliveries.c.id.in_(ids.scalar_subquery()))
            .values(status=DeliveryStatus.SENDING, claimed_at=now, attempts=deliveries.c.attempts + 1)
            .returning(*deliveries.columns)
        )
        return [_to_domain(row) for row in rows]

    async def save(self, delivery: Delivery) -> None:
        values = {name: getattr(delivery, name) for name in _FIELDS if name != "id"}
        await self._session.execute(update(deliveries).where(deliveries.c.id == delivery.id).values(values))

    async def list(self, *, limit: int, offset: int, status: str | None, template: str | None, enterprise_id=None) -> list[Delivery]:
        conditions = []
        if status:
            conditions.append(deliveries.c.status == status)
        if template:
            conditions.append(deliveries.c.template == template)
        if enterprise_id:
            conditions.append(deliveries.c.enterprise_id == enterprise_id)
        query = select(deliveries).where(*conditions).order_by(deliveries.c.created_at.desc()).limit(limit).offset(offset)
        return [_to_domain(row) for row in await self._session.execute(query)]


class ProcessedEvents:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, event_id, event_type: str) -> bool:
        """False when the event was applied before."""
        statement = insert(processed_events).values(event_id=event_id, event_type=event_type).on_conflict_do_nothing()
        return (await self._session.execute(statement)).rowcount == 1
