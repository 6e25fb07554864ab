"""An enterprise's choices about its email: suggestions at once or in a daily digest, reminders,
the language, and unsubscribing (by its account, or by anyone holding an email's signed link)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from notifications.domain.recipients import Preferences
from notifications.service_layer.ports import LinkTokens
from notifications.service_layer.unit_of_work import UnitOfWork

KEEP = object()  # a choice the request did not mention: the current value stays


async def get(*, uow: UnitOfWork, enterprise_id: uuid.UUID) -> Preferences:
    """The enterprise's choices; the defaults while it has made none."""
    async with uow:
        return await uow.preferences.get(enterprise_id)


async def change(
    *,
    uow: UnitOfWork,
    enterprise_id: uuid.UUID,
    suggestions: str,
    unsubscribed: bool,
    language=KEEP,
    reminders=KEEP,
) -> Preferences:
    """`language` (ru|be|en, or None for the enterprise's own) and `reminders` change only when
    given."""
    async with uow:
        preference = await uow.preferences.get(enterprise_id, for_update=True)
        preference.choose(suggestions=suggestions, unsubscribed=unsubscribed, at=datetime.now(UTC))
        if language is not KEEP:
            preference.choose_language(language)
        if reminders is not KEEP:
            preference.choose_reminders(reminders)
        await uow.preferences.save(preference)
        await uow.commit()
    return preference


async def unsubscribe(*, uow: UnitOfWork, enterprise_id: uuid.UUID) -> Preferences:
    async with uow:
        preference = await uow.preferences.get(enterprise_id, for_update=True)
        preference.choose(
            suggestions=preference.suggestions, unsubscribed=True, at=datetime.now(UTC)
        )
        await uow.preferences.save(preference)
        await uow.commit()
    return preference


async def unsubscribe_by_link(*, uow: UnitOfWork, links: LinkTokens, token: str) -> Preferences:
    """Stops the non-transactional mail of the enterprise an email's unsubscribe link names;
    raises InvalidLinkToken for a link that is forged, expired or for something else."""
    enterprise_id = links.unsubscribing_enterprise(token)
    return await unsubscribe(uow=uow, enterprise_id=enterprise_id)
