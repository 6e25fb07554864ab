"""The design's two enterprises as notifications knows them when it addresses an email (its
recipient read model): the Smolensk housing operator and the Mogilev lift maker, verified and with
the addresses they confirmed unless a story says otherwise; and what `decide` makes of a delivery
with the stories' signed links."""

from __future__ import annotations

import copy
import uuid

from notifications.adapters.links import SignedLinks
from notifications.domain.composing import decide
from notifications.domain.deliveries import Delivery
from notifications.domain.recipients import Preferences, Recipient

HOUSING = uuid.UUID("11111111-1111-4111-8111-111111111111")
LIFTS = uuid.UUID("22222222-2222-4222-8222-222222222222")
PUBLIC = "https://unionmatch.example"
LINKS = SignedLinks(public_base_url=PUBLIC, secret="s" * 32)

# The two side by side: (the housing operator, the lift maker).
_PROFILES = {
    "enterprise_id": (HOUSING, LIFTS),
    "name": ("МУП «Смоленскжилсервис»", "ОАО «Могилёвлифтмаш»"),
    "email": ("housing@example.ru", "sales@liftmash.example.by"),
    "languages": (["ru"], ["be", "ru"]),
    "contact_person": ("Мария Иванова", "Алесь Каваль"),
    "phone": ("+74812000000", "+375222000000"),
    "country": ("RU", "BY"),
    "region": ("smolensk_oblast", "mogilev_oblast"),
    "city": ("Смоленск", "Могилёв"),
}


def _recipient(column: int, changes: dict) -> Recipient:
    profile = {field: copy.copy(sides[column]) for field, sides in _PROFILES.items()}
    values = profile | dict(status="verified") | changes
    # The enterprise confirmed its address (test_notifications_contact_confirmation.py).
    return Recipient(**dict(confirmed_email=values["email"]) | values)


def housing_operator(**changes) -> Recipient:
    return _recipient(0, changes)


def lift_maker(**changes) -> Recipient:
    return _recipient(1, changes)


def decision_on(
    delivery: Delivery,
    *,
    addressee: Recipient | None,
    partner: Recipient | None = None,
    preferences: Preferences | None = None,
):
    """What `decide` makes of `delivery` with the stories' links and, unless `preferences` are
    given, the default preferences of the enterprise it is addressed to."""
    chosen = preferences or Preferences(delivery.enterprise_id)
    return decide(delivery, addressee=addressee, partner=partner, preferences=chosen, links=LINKS)
