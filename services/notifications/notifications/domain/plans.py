"""Which emails a platform event causes."""

from __future__ import annotations

from eventkit.contracts import EnterpriseRegistered, EnterpriseVerified, EventPayload
from eventkit.envelope import Envelope
from notifications.domain.deliveries import Delivery, preferred_language


def deliveries_for(envelope: Envelope, payload: EventPayload, *, public_base_url: str) -> list[Delivery]:
    if isinstance(payload, EnterpriseRegistered):
        return [_to_enterprise(envelope, payload, "welcome", public_base_url)]
    if isinstance(payload, EnterpriseVerified):
        return [_to_enterprise(envelope, payload, "verified", public_base_url)]
    return []


def _to_enterprise(envelope: Envelope, payload, template: str, public_base_url: str) -> Delivery:
    context = {
        "enterprise_name": payload.name,
        "contact_person": getattr(payload, "contact_person", ""),
        "profile_url": f"{public_base_url}/enterprises/{payload.enterprise_id}",
    }
    return Delivery.plan(
        event_id=envelope.event_id,
        enterprise_id=payload.enterprise_id,
        recipient=str(payload.email),
        template=template,
        language=preferred_language(payload.languages),
        context=context,
    )
