from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.envelope import Envelope
from eventkit.outbox import outbox_row
from notifications.adapters.orm import (
    deliveries,
    outbox,
    preferences,
    recipients,
    suggestions,
)
from notifications.domain.deliveries import Delivery, DeliveryFilter, DeliveryStatus
from notifications.domain.recipients import Preferences, Recipient, SuggestionMode

_FIELDS = [c.name for c in deliveries.columns if c.name not in ("claimed_at", "created_at")]


def _to_domain(row) -> Delivery:
    values = {name: row._mapping[name] for name in [*_FIELDS, "created_at"]}
    values["status"] = DeliveryStatus(values["status"])
    return Delivery(**values)


# Each criterion of a DeliveryFilter as a condition on the log; a criterion left out selects all.
_CRITERIA = {
    "status": lambda value: deliveries.c.status == value,
    "template": lambda value: deliveries.c.template == value,
    "enterprise_id": lambda value: deliveries.c.enterprise_id == value,
    "created_from": lambda value: deliveries.c.created_at >= value,
    "created_until": lambda value: deliveries.c.created_at < value,
}


def _conditions(selection: DeliveryFilter) -> list:
    return [
        condition(value)
        for name, condition in _CRITERIA.items()
        if (value := getattr(selection, name))
    ]


# The statements written for every email, built once with their values bound at each execution:
# building and looking up a statement with a dozen values was a large part of recording an email.
_ADD_UNLESS_KNOWN = insert(deliveries).on_conflict_do_nothing(index_elements=["idempotency_key"])
# Several rows at once, in one round trip (SQLAlchemy's "insertmanyvalues"): the ids returned are
# those of the rows added.
_ADD_ALL_UNLESS_KNOWN = _ADD_UNLESS_KNOWN.returning(deliveries.c.id)
_SAVE = update(deliveries).where(deliveries.c.id == bindparam("saved_id"))


def _saved_values(delivery: Delivery) -> dict:
    values = {name: getattr(delivery, name) for name in _FIELDS if name != "id"}
    return values | {"saved_id": delivery.id}


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_unless_known(self, delivery: Delivery) -> bool:
        """False when a delivery with this idempotency key already exists."""
        values = {name: getattr(delivery, name) for name in _FIELDS}
        result = await self._session.execute(_ADD_UNLESS_KNOWN, values)
        return result.rowcount == 1

    async def add_all_unless_known(self, planned: list[Delivery]) -> int:
        """Adds those whose idempotency key is not known yet; returns how many."""
        if not planned:
            return 0
        rows = [{name: getattr(delivery, name) for name in _FIELDS} for delivery in planned]
        return len((await self._session.execute(_ADD_ALL_UNLESS_KNOWN, rows)).all())

    async def get_by_idempotency_key(self, key: str) -> Delivery | None:
        row = (
            await self._session.execute(
                select(deliveries).where(deliveries.c.idempotency_key == key)
            )
        ).first()
        return _to_domain(row) if row else None

    async def claim_due(self, *, now: datetime, lease: timedelta, limit: int) -> list[Delivery]:
        """Takes the deliveries due now (and those whose sender vanished mid-send) and marks them
        sending."""
        due = or_(
            and_(
                deliveries.c.status == DeliveryStatus.QUEUED,
                or_(deliveries.c.next_attempt_at.is_(None), deliveries.c.next_attempt_at <= now),
            ),
            and_(deliveries.c.status == DeliveryStatus.FAILED, deliveries.c.next_attempt_at <= now),
            and_(
                deliveries.c.status == DeliveryStatus.SENDING,
                deliveries.c.claimed_at <= now - lease,
            ),
        )
        ids = (
            select(deliveries.c.id)
            .where(due)
            .order_by(deliveries.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = await self._session.execute(
            update(deliveries)
            .where(deliveries.c.id.in_(ids.scalar_subquery()))
            .values(
                status=DeliveryStatus.SENDING, claimed_at=now, attempts=deliveries.c.attempts + 1
            )
            .returning(*deliveries.columns)
        )
        return sorted((_to_domain(row) for row in rows), key=lambda d: d.created_at)

    async def save(self, delivery: Delivery) -> None:
        await self._session.execute(_SAVE, _saved_values(delivery))

    async def save_all(self, saved: list[Delivery]) -> None:
        """Several records in one round trip (the driver's executemany)."""
        await self._session.execute(_SAVE, [_saved_values(delivery) for delivery in saved])

    async def wake_waiting_for(self, enterprise_id: uuid.UUID, *, now: datetime) -> None:
        """The recipient (or partner) just became known: the emails waiting for it go out now."""
        waiting = and_(
            deliveries.c.status == DeliveryStatus.QUEUED,
            deliveries.c.next_attempt_at > now,
            or_(
                deliveries.c.enterprise_id == enterprise_id,
                deliveries.c.partner_id == enterprise_id,
            ),
        )
        await self._session.execute(update(deliveries).where(waiting).values(next_attempt_at=now))

    async def release_unconfirmed(self, enterprise_id: uuid.UUID, *, now: datetime) -> int:
        """The emails kept while the enterprise's address was unconfirmed go to the sender now
        (which sends them, or skips them when the enterprise was deleted meanwhile)."""
        kept = and_(
            deliveries.c.status == DeliveryStatus.UNCONFIRMED,
            deliveries.c.enterprise_id == enterprise_id,
        )
        result = await self._session.execute(
            update(deliveries).where(kept).values(status=DeliveryStatus.QUEUED, next_attempt_at=now)
        )
        return result.rowcount

    async def get_all_held_by_enterprise(self, enterprise_id: uuid.UUID) -> list[Delivery]:
        query = (
            select(deliveries)
            .where(
                deliveries.c.enterprise_id == enterprise_id,
                deliveries.c.status == DeliveryStatus.HELD,
            )
            .order_by(deliveries.c.created_at)
            .with_for_update()
        )
        return [_to_domain(row) for row in await self._session.execute(query)]

    async def get_enterprise_ids_with_held(self, *, limit: int) -> list[uuid.UUID]:
        query = (
            select(deliveries.c.enterprise_id)
            .where(deliveries.c.status == DeliveryStatus.HELD)
            .distinct()
            .limit(limit)
        )
        return list(await self._session.scalars(query))

    async def bundle(self, held: list[Delivery], *, into: uuid.UUID) -> None:
        await self._session.execute(
            update(deliveries)
            .where(deliveries.c.id.in_([d.id for d in held]))
            .values(status=DeliveryStatus.BUNDLED, bundled_into=into)
        )

    async def resend_dead(self, selection: DeliveryFilter) -> int:
        """Dead deliveries go back to the queue with a fresh allowance of attempts."""
        statement = (
            update(deliveries)
            .where(deliveries.c.status == DeliveryStatus.DEAD, *_conditions(selection))
            .values(status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=None, claimed_at=None)
        )
        return (await self._session.execute(statement)).rowcount

    async def get_page(
        self, selection: DeliveryFilter, *, limit: int, offset: int
    ) -> tuple[list[Delivery], int]:
        conditions = _conditions(selection)
        query = (
            select(deliveries)
            .where(*conditions)
            .order_by(deliveries.c.created_at.desc(), deliveries.c.id)
            .limit(limit)
            .offset(offset)
        )
        total = await self._session.scalar(
            select(func.count()).select_from(deliveries).where(*conditions)
        )
        return [_to_domain(row) for row in await self._session.execute(query)], total

    async def count_by_status(self) -> dict[str, int]:
        rows = await self._session.execute(
            select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
        )
        return {status: count for status, count in rows}


class RecipientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put_if_newer(self, recipient: Recipient) -> bool:
        """Applies a change unless a later one is already known (events may be re-read after a
        rebalance)."""
        values = {
            c.name: getattr(recipient, c.name)
            for c in recipients.columns
            if c.name != "confirmed_email"
        }
        statement = insert(recipients).values(values)
        # A confirmation holds for the address confirmed: a new address (or none, once deleted)
        # forgets it.
        still_confirmed = case(
            (
                func.lower(recipients.c.confirmed_email) == func.lower(statement.excluded.email),
                recipients.c.confirmed_email,
            )
        )
        statement = statement.on_conflict_do_update(
            index_elements=["enterprise_id"],
            set_={name: statement.excluded[name] for name in values if name != "enterprise_id"}
            | {"confirmed_email": still_confirmed},
            where=recipients.c.changed_at <= statement.excluded.changed_at,
        )
        return (await self._session.execute(statement)).rowcount == 1

    async def get(self, enterprise_id: uuid.UUID, *, for_update: bool = False) -> Recipient | None:
        query = select(recipients).where(recipients.c.enterprise_id == enterprise_id)
        row = (
            await self._session.execute(query.with_for_update() if for_update else query)
        ).first()
        return Recipient(**row._mapping) if row else None

    async def save_confirmation(self, recipient: Recipient) -> None:
        # Only while the address is still the one confirmed: a profile event may have changed it
        # meanwhile.
        await self._session.execute(
            update(recipients)
            .where(
                recipients.c.enterprise_id == recipient.enterprise_id,
                func.lower(recipients.c.email) == func.lower(recipient.confirmed_email),
            )
            .values(confirmed_email=recipient.confirmed_email)
        )

    async def set_status(self, enterprise_id: uuid.UUID, status: str, *, at: datetime) -> None:
        await self._session.execute(
            update(recipients)
            .where(recipients.c.enterprise_id == enterprise_id, recipients.c.changed_at <= at)
            .values(status=status, changed_at=at)
        )

    async def get_by_enterprise_ids(
        self, enterprise_ids: set[uuid.UUID]
    ) -> dict[uuid.UUID, Recipient]:
        if not enterprise_ids:
            return {}
        rows = await self._session.execute(
            select(recipients).where(recipients.c.enterprise_id.in_(enterprise_ids))
        )
        return {row.enterprise_id: Recipient(**row._mapping) for row in rows}


class SuggestionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open(self, rows: list[dict]) -> None:
        await self._session.execute(insert(suggestions).values(rows).on_conflict_do_nothing())

    async def mark_answered(
        self, match_id: uuid.UUID, enterprise_id: uuid.UUID, *, at: datetime
    ) -> None:
        await self._session.execute(
            update(suggestions)
            .where(
                suggestions.c.match_id == match_id,
                suggestions.c.enterprise_id == enterprise_id,
                suggestions.c.answered_at.is_(None),
            )
            .values(answered_at=at)
        )

    async def close(self, match_id: uuid.UUID, *, at: datetime) -> None:
        await self._session.execute(
            update(suggestions)
            .where(suggestions.c.match_id == match_id, suggestions.c.closed_at.is_(None))
            .values(closed_at=at)
        )

    async def claim_unanswered(
        self, *, approved_before: datetime, now: datetime, limit: int
    ) -> list:
        """The suggestions that waited too long, each claimed for its one reminder."""
        due = and_(
            suggestions.c.answered_at.is_(None),
            suggestions.c.closed_at.is_(None),
            suggestions.c.reminded_at.is_(None),
            suggestions.c.approved_at <= approved_before,
        )
        keys = (
            select(suggestions.c.match_id, suggestions.c.enterprise_id)
            .where(due)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte()
        )
        statement = (
            update(suggestions)
            .where(
                suggestions.c.match_id == keys.c.match_id,
                suggestions.c.enterprise_id == keys.c.enterprise_id,
            )
            .values(reminded_at=now)
            .returning(*suggestions.columns)
        )
        return list(await self._session.execute(statement))


class PreferenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, enterprise_id: uuid.UUID, *, for_update: bool = False) -> Preferences:
        query = select(preferences).where(preferences.c.enterprise_id == enterprise_id)
        row = (
            await self._session.execute(query.with_for_update() if for_update else query)
        ).first()
        return _preferences(row) if row else Preferences(enterprise_id=enterprise_id)

    async def get_by_enterprise_ids(
        self, enterprise_ids: set[uuid.UUID]
    ) -> dict[uuid.UUID, Preferences]:
        rows = (
            await self._session.execute(
                select(preferences).where(preferences.c.enterprise_id.in_(enterprise_ids))
            )
            if enterprise_ids
            else []
        )
        found = {row.enterprise_id: _preferences(row) for row in rows}
        return {e: found.get(e, Preferences(enterprise_id=e)) for e in enterprise_ids}

    async def save(self, preference: Preferences) -> None:
        values = {
            "enterprise_id": preference.enterprise_id,
            "suggestions": str(preference.suggestions),
            "unsubscribed_at": preference.unsubscribed_at,
            "last_digest_on": preference.last_digest_on,
            "language": preference.language,
            "reminders": preference.reminders,
            "updated_at": func.now(),
        }
        statement = insert(preferences).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["enterprise_id"],
                set_={k: statement.excluded[k] for k in values if k != "enterprise_id"},
            )
        )


_PREFERENCE_FIELDS = [field.name for field in dataclasses.fields(Preferences)]


def _preferences(row) -> Preferences:
    values = {name: row._mapping[name] for name in _PREFERENCE_FIELDS}
    return Preferences(**values | {"suggestions": SuggestionMode(values["suggestions"])})


class Outbox:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, envelope: Envelope, *, topic: str) -> None:
        await self._session.execute(insert(outbox).values(outbox_row(envelope, topic=topic)))
