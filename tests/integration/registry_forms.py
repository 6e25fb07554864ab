"""What the registry's integration stories register and publish: the registration forms of the
Smolensk housing operator and the Mogilev lift maker (fresh legal ids, so registrations never
collide), the housing operator's lift need, the callers who act, and the outbox read back."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select

from eventkit.contracts import decode
from registry.adapters.orm import outbox
from registry.domain.actors import Caller
from tests.identifiers import fresh_inn, fresh_unp

AGENCY = Caller(account_id="reviewer-1", role="agency")
OWNER = Caller(account_id="owner-1", role="company")


def fresh_phone() -> str:
    digits = str(uuid.uuid4().int)[:6]  # a Smolensk number: code 4812 and six digits
    return f"+7 (4812) {digits[:2]}-{digits[2:4]}-{digits[4:]}"


def smolensk_housing_operator(**changes) -> dict:
    fields = dict(
        name="МУП «Смоленскжилсервис»",
        country="RU",
        region="smolensk_oblast",
        city="Смоленск",
        inn=fresh_inn(),
        ogrn=None,
        unp=None,
        sectors=["construction"],
        description="Управляем многоквартирными домами Смоленска.",
        languages=["ru"],
        size="medium",
        certifications=[],
        contact_person="Мария Иванова",
        email="housing@example.ru",
        phone="+74812000000",
        personal_data_consent=True,
    )
    return fields | changes


def mogilev_lift_maker(**changes) -> dict:
    fields = dict(
        name="ОАО «Могилёвлифтмаш»",
        country="BY",
        region="mogilev_oblast",
        city="Могилёв",
        inn=None,
        ogrn=None,
        unp=fresh_unp(),
        sectors=["elevators"],
        description="Пассажирские и грузовые лифты.",
        languages=["ru", "be"],
        size="large",
        certifications=["ISO 9001", "EAC"],
        contact_person="Иван Петров",
        email="sales@liftmash.example.by",
        phone="+375222000000",
        personal_data_consent=True,
    )
    return fields | changes


def lift_need(**changes) -> dict:
    fields = dict(
        kind="goods",
        title="Нужна замена 120 пассажирских лифтов",
        description="Замена лифтов в многоквартирных домах Смоленска в 2027 году; "
        "грузоподъёмность 400 и 630 кг.",
        sector="elevators",
        product_codes=["842810"],
        quantity=120,
        unit="шт.",
        regions=["smolensk_oblast"],
        certifications=["EAC"],
        valid_until=date(2030, 12, 31),
    )
    return fields | changes


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
    marker = uuid.uuid4().hex[:8]
    own = dict(
        name=f"ООО «Смоленский завод {marker}»",
        description="",
        email=f"office@{marker}.example.ru",
        phone=fresh_phone(),
    )
    return smolensk_housing_operator(**own | changes)


def vitebsk_company(**changes) -> dict:
    """A Vitebsk company of its own name, address and phone: one no other test registers."""
    marker = uuid.uuid4().hex[:8]
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
