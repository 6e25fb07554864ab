"""The emails the gateway asks for about a person's own account: a staff invitation, an address
confirmation at sign-up, a password reset, and the warning that an address already has an account.
Each is queued once per request, however often it is asked for."""

from __future__ import annotations

import uuid

from notifications.domain.deliveries import Delivery
from notifications.domain.plans import account_email, account_invitation
from notifications.service_layer.unit_of_work import UnitOfWork


async def invite_to_account(
    *,
    uow: UnitOfWork,
    invitation_id: uuid.UUID,
    email: str,
    name: str,
    role: str,
    link: str,
    language: str,
) -> Delivery:
    """Queues the invitation email once per invitation; asked again, answers the delivery already
    queued."""
    invitation = account_invitation(
        invitation_id=invitation_id, email=email, name=name, role=role, link=link, language=language
    )
    return await _queue_once(uow=uow, delivery=invitation)


async def email_account(
    *, uow: UnitOfWork, template: str, request_id: uuid.UUID, email: str, link: str, language: str
) -> Delivery:
    """Queues one of the gateway's account emails (plans.ACCOUNT_EMAIL_FACTS names them) once per
    request_id; asked again, answers the delivery already queued."""
    delivery = account_email(
        template, request_id=request_id, email=email, link=link, language=language
    )
    return await _queue_once(uow=uow, delivery=delivery)


async def _queue_once(*, uow: UnitOfWork, delivery: Delivery) -> Delivery:
    async with uow:
        await uow.deliveries.add_unless_known(delivery)
        recorded = await uow.deliveries.get_by_idempotency_key(delivery.idempotency_key)
        await uow.commit()
    return recorded
