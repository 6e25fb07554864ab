"""What the registry's integration stories register and publish: companies of their own (over the
forms of tests/registration_forms.py), the housing operator's lift need, the callers who act, and
the outbox read back."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from eventkit.contracts import decode
from registry.adapters.orm import outbox
from registry.domain.actors import Caller
from tests.identifiers import fresh_marker
from tests.registration_forms import mogilev_lift_maker, smolensk_housing_operator

AGENCY = Caller(account_id="reviewer-1", role="agency")
OWNER = Caller(account_id="owner-1", role="company")


def fresh_phone() -> str:
    digits = str(uuid.uuid4().int)[:6]  # a Smolensk number: code 4812 and six digits
    return f"+7 (4812) {digits[:2]}-{digits[2:4]}-{digits[4:]}"


async def outbox_rows(sessions, *, key=None, topic: str | None = None) -> list:
    """The outbox's rows in the order they were written, for one key (an enterprise) or topic."""
    query = select(outbox).order_by(outbox.c.id)
    if key is not None:
        query = query.where(outbox.c.key == str(key))
    if topic is not None:
        query = query.where(outbox.c.topic == topic)
    async with sessions() as session:
        return (await session.execute(query)).all()


async def outbox_events(sessions, *, key=None, topic: str | None = None) -> list[tuple]:
    """The outbox's events (envelope, payload) decoded, in the order they were written."""
    return [
        decode(row.envelope.encode()) for row in await outbox_rows(sessions, key=key, topic=topic)
    ]


async def count(sessions, table) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(table))


async def events_of(sessions, enterprise_id) -> list[tuple[str, str, dict]]:
    """(topic, event type, payload as JSON) of each event the outbox holds for an enterprise."""
    rows = await outbox_rows(sessions, key=enterprise_id)
    return [(row.topic, *_type_and_payload(row.envelope)) for row in rows]


def _type_and_payload(raw: str) -> tuple[str, dict]:
    envelope, payload = decode(raw.encode())
    return envelope.type, payload.model_dump(mode="json")


def smolensk_company(**changes) -> dict:
    """A Smolensk company of its own name, address and phone: one no other test registers."""
    marker = fresh_marker(8)
    own = dict(
        name=f"ООО «Смоленский завод {marker}»",
        description="",
        email=f"office@{marker}.example.ru",
        phone=fresh_phone(),
    )
    return smolensk_housing_operator(**own | changes)


def vitebsk_company(**changes) -> dict:
    """A Vitebsk company of its own name, address and phone: one no other test registers."""
    marker = fresh_marker(8)
    own = dict(
        name=f"ОАО «Витебский завод {marker}»",
        region="vitebsk_oblast",
        city="Витебск",
        sectors=["construction"],
        description="",
        certifications=[],
        email=f"sales@{marker}.example.by",
        phone=fresh_phone(),
    )
    return mogilev_lift_maker(**own | changes)
