"""Erasing what notifications keeps about a deleted enterprise (152-FZ, GDPR).

The deliveries stay for the audit (which email went out, when, and how it went) without whom they
were addressed to or what they said about whom: a delivery's context holds the names, contacts and
links it was rendered with, so only the facts that name no one are kept."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import and_, bindparam, cast, delete, func, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from notifications.adapters.orm import deliveries, outbox, recipients
from notifications.domain.deliveries import DeliveryStatus

# Facts of a context that name no person and carry no link: what the audit keeps of an erased
# delivery.
IMPERSONAL_FACTS = (
    "match_id",
    "own_side",
    "score",
    "approved_at",
    "listing_id",
    "side",
    "valid_until",
    "ending",
    "ended_at",
    "digest_on",
    "valid_days",
    "valid_hours",
    "role",
)
# What a delivery to another enterprise said about the deleted one, its partner.
PARTNER_FACTS = ("partner", "partner_name")
# Deliveries that will not be rendered again; those still to go out are skipped by the sender
# instead.
_FINISHED = (
    DeliveryStatus.SENT,
    DeliveryStatus.DEAD,
    DeliveryStatus.BUNDLED,
    DeliveryStatus.SKIPPED,
)


def _impersonal_facts_only():
    return text(
        "(SELECT coalesce(jsonb_object_agg(fact.key, fact.value), '{}'::jsonb) "
        "FROM jsonb_each(deliveries.context) AS fact WHERE fact.key = ANY(:impersonal))"
    ).bindparams(bindparam("impersonal", list(IMPERSONAL_FACTS), type_=ARRAY(Text)))


class PersonalDataEraser:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def erase_enterprise(self, enterprise_id: uuid.UUID) -> None:
        """Blanks the deliveries addressed to the enterprise (or to its address, account emails
        included), what deliveries to its partners said about it, and the published dead letters
        naming it. Call it before the recipient's own row is blanked: its address is read from
        there."""
        address = await self._session.scalar(
            select(recipients.c.email).where(recipients.c.enterprise_id == enterprise_id)
        )
        addressed_to_it = deliveries.c.enterprise_id == enterprise_id
        # the account's emails to the same address, once sent (one still queued must keep where it
        # goes)
        if address:
            same_address = func.lower(deliveries.c.recipient) == address.lower()
            addressed_to_it = or_(
                addressed_to_it, and_(same_address, deliveries.c.status.in_(_FINISHED))
            )
        await self._session.execute(
            update(deliveries)
            .where(addressed_to_it)
            .values(
                recipient=None,
                # The key spelled the address in; the row's own id keeps it unique (its event was
                # recorded, it is not planned again).
                idempotency_key=literal("erased:") + cast(deliveries.c.id, Text),
                context=_impersonal_facts_only(),
                last_error=_without(deliveries.c.last_error, address),
            )
        )
        await self._session.execute(
            update(deliveries)
            .where(deliveries.c.partner_id == enterprise_id, deliveries.c.status.in_(_FINISHED))
            .values(
                context=deliveries.c.context.op("-")(
                    bindparam("partner_facts", list(PARTNER_FACTS), type_=ARRAY(Text))
                )
            )
        )
        keys = [str(enterprise_id), *([address] if address else [])]
        await self._session.execute(
            delete(outbox).where(outbox.c.published_at.is_not(None), outbox.c.key.in_(keys))
        )


def _without(column, address: str | None):
    """An SMTP server's reply may quote the address it refused."""
    return func.regexp_replace(column, re.escape(address), "", "gi") if address else column
