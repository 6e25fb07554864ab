from __future__ import annotations

import uuid
from dataclasses import asdict

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from matching.adapters.orm import enterprises, processed_events
from matching.domain.read_model import KnownEnterprise


class EnterpriseReadModel:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, enterprise_id: uuid.UUID) -> KnownEnterprise | None:
        row = (await self._session.execute(select(enterprises).where(enterprises.c.id == enterprise_id))).first()
        if row is None:
            return None
        values = dict(row._mapping)
        values.pop("updated_at")
        return KnownEnterprise(**values)

    async def put(self, enterprise: KnownEnterprise) -> None:
        values = asdict(enterprise)
        statement = insert(enterprises).values(values)
        update_values = {k: statement.excluded[k] for k in values if k != "id"} | {"updated_at": func.now()}
        await self._session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=update_values))

    async def count(self) -> int:
        return await self._session.scalar(select(func.count()).select_from(enterprises)) or 0


class ProcessedEvents:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, event_id, event_type: str) -> bool:
        statement = insert(processed_events).values(event_id=event_id, event_type=event_type).on_conflict_do_nothing()
        return (await self._session.execute(statement)).rowcount == 1
