"""A company whose listing is about to expire is told so in its own language, with the portal page
where it extends the listing; a partner whose approved suggestion ended because the listing
expired is told that it expired."""

import uuid
from datetime import UTC, date, datetime

import pytest

from eventkit.contracts import ListingExpiring, MatchWithdrawn
from notifications.adapters.rendering import TemplateRenderer
from notifications.domain.composing import Send, decide
from notifications.domain.plans import deliveries_for
from notifications.domain.recipients import Preferences
from tests.lift_story_events import as_received, lift_match_sides
from tests.unit.notifications_recipients import HOUSING, LIFTS, LINKS, PUBLIC, lift_maker

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
OFFER = uuid.UUID("44444444-4444-4444-8444-444444444444")


def expiring_offer():
    payload = ListingExpiring(
        listing_id=OFFER,
        side="offer",
        enterprise_id=LIFTS,
        enterprise_name="ОАО «Могилёвлифтмаш»",
        title="Пассажирские лифты ПП-0411",
        valid_until=date(2026, 12, 10),
    )
    return as_received(payload, key=LIFTS)


def planned_reminder():
    envelope, payload = expiring_offer()
    [delivery] = deliveries_for(envelope, payload, public_base_url=PUBLIC)
    return delivery


def test_the_owner_of_an_expiring_offer_gets_one_email_with_the_page_that_extends_it():
    delivery = planned_reminder()

    assert delivery.template == "listing_expiring"
    assert delivery.enterprise_id == LIFTS and delivery.partner_id is None
    assert delivery.context["extend_url"] == f"{PUBLIC}/my/listings/offer/{OFFER}/edit"
    assert delivery.context["valid_until"] == "2026-12-10"
    assert (
        delivery.transactional
    )  # about the company's own listing: sent even to one that unsubscribed from suggestions


def test_it_is_sent_in_the_language_the_company_chose_even_after_unsubscribing_from_suggestions():
    decision = decide(
        planned_reminder(),
        addressee=lift_maker(),
        partner=None,
        preferences=Preferences(
            enterprise_id=LIFTS, unsubscribed_at=NOW, language="en", reminders=False
        ),
        links=LINKS,
    )

    assert isinstance(decision, Send)
    assert (decision.recipient, decision.language) == ("sales@liftmash.example.by", "en")


@pytest.mark.parametrize(
    ("language", "subject", "says"),
    [
        (
            "ru",
            "Предложение «Пассажирские лифты ПП-0411» действует до 10 декабря 2026 г.",
            "продлите его",
        ),
        (
            "be",
            "Прапанова «Пассажирские лифты ПП-0411» дзейнічае да 10 снежня 2026 г.",
            "падоўжыце яе",
        ),
        (
            "en",
            "Your offer “Пассажирские лифты ПП-0411” is valid until December 10, 2026",
            "extend it",
        ),
    ],
)
def test_the_email_reads_in_russian_belarusian_and_english(language, subject, says):
    delivery = planned_reminder()
    decision = decide(
        delivery,
        addressee=lift_maker(),
        partner=None,
        preferences=Preferences(enterprise_id=LIFTS, language=language),
        links=LINKS,
    )

    email = TemplateRenderer().render(delivery.template, decision.language, decision.context)

    assert email.subject == subject
    for body in (email.text, email.html):
        assert says in body
        assert f"{PUBLIC}/my/listings/offer/{OFFER}/edit" in body
        assert "Алесь Каваль" in body


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("ru", "срок действия объявления партнёра истёк"),
        ("be", "тэрмін дзеяння аб'явы партнёра скончыўся"),
        ("en", "the partner's listing expired"),
    ],
)
def test_the_buyer_of_an_approved_suggestion_is_told_the_partners_offer_expired(language, says):
    withdrawn = MatchWithdrawn(
        match_id=uuid.uuid4(),
        **lift_match_sides(
            offer_enterprise_id=LIFTS, need_enterprise_id=HOUSING, offer_listing_id=OFFER
        ),
        score=0.8,
        status="withdrawn",
        occurred_at=NOW,
        previous_status="approved",
        withdrawn_because="listing_expired",
        withdrawn_side="offer",
    )
    envelope, payload = as_received(withdrawn, key=HOUSING, producer="matching")
    [ended] = deliveries_for(envelope, payload, public_base_url=PUBLIC)
    assert ended.enterprise_id == HOUSING and ended.context["ending"] == "listing_expired"

    buyer = lift_maker(
        enterprise_id=HOUSING,
        name="МУП «Смоленскжилсервис»",
        email="housing@example.ru",
        languages=["ru"],
    )
    decision = decide(
        ended,
        addressee=buyer,
        partner=lift_maker(),
        preferences=Preferences(enterprise_id=HOUSING, language=language),
        links=LINKS,
    )
    email = TemplateRenderer().render(ended.template, decision.language, decision.context)

    assert says in email.text and says in email.html
