"""What a claimed delivery becomes when it is about to be sent: addressed and sent, left waiting for
its recipient, held for the daily digest, or skipped because the recipient opted out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from notifications.domain.deliveries import CONTACT_CONFIRMATION, Delivery
from notifications.domain.recipients import Preferences, Recipient, SuggestionMode, same_address


class Links(Protocol):
    def answer(self, match_id: str) -> str: ...
    def unsubscribe(self, enterprise_id: uuid.UUID) -> str: ...
    def one_click_unsubscribe(self, enterprise_id: uuid.UUID) -> str: ...
    def confirm_contact(self, enterprise_id: uuid.UUID, email: str) -> str: ...


@dataclass(frozen=True)
class Send:
    recipient: str
    language: str
    context: dict


@dataclass(frozen=True)
class Hold:
    recipient: str
    language: str
    context: dict


@dataclass(frozen=True)
class Wait:
    pass


@dataclass(frozen=True)
class Skip:
    reason: str


@dataclass(frozen=True)
class AwaitConfirmation:
    pass


Decision = Send | Hold | Wait | Skip | AwaitConfirmation


def decide(
    delivery: Delivery,
    *,
    addressee: Recipient | None,
    partner: Recipient | None,
    preferences: Preferences,
    links: Links,
) -> Decision:
    if addressee is None and (delivery.recipient is None or delivery.enterprise_id is not None):
        # not known yet; an enterprise's address is not mailed before the read model knows whether
        # it is confirmed
        return Wait()
    if delivery.partner_id is not None and partner is None:
        return Wait()
    if addressee is not None and (
        refusal := addressee.refusal(transactional=delivery.transactional)
    ):
        return Skip(refusal)
    if unconfirmed_address(delivery, addressee):
        return AwaitConfirmation()  # an address nobody has confirmed may be a stranger's
    if refusal := preferences.refusal(delivery.template, transactional=delivery.transactional):
        return Skip(refusal)
    recipient = delivery.recipient or addressee.email
    language = preferences.language_for(addressee, planned=delivery.language)
    context = compose(
        delivery, language=language, addressee=addressee, partner=partner, links=links
    )
    if delivery.template == "suggestion" and preferences.suggestions is SuggestionMode.DAILY:
        return Hold(recipient, language, context)
    return Send(recipient, language, context)


def unconfirmed_address(delivery: Delivery, addressee: Recipient | None) -> bool:
    """An email to an enterprise goes only to the address it confirmed; its confirmation email is
    the one exception. Mail to a person (an account's own address) is not the enterprise's."""
    if delivery.enterprise_id is None or delivery.template == CONTACT_CONFIRMATION:
        return False
    if addressee is None:
        return True
    return not same_address(delivery.recipient or addressee.email, addressee.confirmed_email)


def _reasons_in(context: dict, language: str) -> list[str]:
    """The reasons in the recipient's language; a Belarusian reader of an event without Belarusian
    reasons (planned before matching wrote them) reads the Russian ones."""
    if language == "en":
        return context["reasons_en"]
    if language == "be" and context.get("reasons_be"):
        return context["reasons_be"]
    return context["reasons_ru"]


def compose(
    delivery: Delivery,
    *,
    language: str,
    addressee: Recipient | None,
    partner: Recipient | None,
    links: Links,
) -> dict:
    """The template's whole context: the facts planned from the event, and what is known now."""
    context = dict(delivery.context)
    if addressee is not None:
        context |= {"recipient_name": addressee.name, "contact_person": addressee.contact_person}
    if not delivery.transactional:
        context["unsubscribe_url"] = links.unsubscribe(delivery.enterprise_id)
        context["one_click_unsubscribe_url"] = links.one_click_unsubscribe(delivery.enterprise_id)
    if delivery.template == "contact_confirmation":
        context["link"] = links.confirm_contact(delivery.enterprise_id, delivery.recipient)
    if "match_id" in context:
        context["answer_url"] = links.answer(context["match_id"])
        context["reasons"] = _reasons_in(context, language)
    if partner is not None:
        context["partner"] = (
            partner.contacts() if delivery.template == "introduction" else partner.public_profile()
        )
    if delivery.template == "introduction" and addressee is not None:
        context["own"] = addressee.contacts()
    return context
