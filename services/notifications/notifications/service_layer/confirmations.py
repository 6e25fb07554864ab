"""An enterprise's address is confirmed by its owner following the link of a contact_confirmation
email; until then the address gets nothing else, and the emails for it are kept."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from notifications.service_layer.ports import LinkTokens
from notifications.service_layer.unit_of_work import UnitOfWork


class AddressChanged(Exception):
    """The link was for an address the enterprise no longer has (or the enterprise was deleted)."""


async def confirm_contact(*, uow: UnitOfWork, enterprise_id: uuid.UUID, email: str) -> bool:
    """The owner of `email` followed the enterprise's confirmation link: the address is confirmed
    and the emails kept for it go out. False when the enterprise has another address by now."""
    async with uow:
        recipient = await uow.recipients.get(enterprise_id, for_update=True)
        if recipient is None or not recipient.confirm(email):
            return False
        await uow.recipients.save_confirmation(recipient)
        await uow.deliveries.release_unconfirmed(enterprise_id, now=datetime.now(UTC))
        await uow.commit()
    return True


async def confirm_contact_by_link(
    *, uow: UnitOfWork, links: LinkTokens, token: str
) -> tuple[uuid.UUID, str]:
    """The enterprise and the address a confirmation link confirmed; raises InvalidLinkToken for a
    link that is forged or expired, AddressChanged for an address the enterprise gave up."""
    enterprise_id, email = links.confirming_contact(token)
    if not await confirm_contact(uow=uow, enterprise_id=enterprise_id, email=email):
        raise AddressChanged(f"{enterprise_id} has another address by now")
    return enterprise_id, email


async def get_address_confirmed(*, uow: UnitOfWork, enterprise_id: uuid.UUID) -> bool | None:
    """Whether the enterprise confirmed its address; None while its registration is not known
    here."""
    async with uow:
        recipient = await uow.recipients.get(enterprise_id)
    return None if recipient is None else recipient.email_confirmed
