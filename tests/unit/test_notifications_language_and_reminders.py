"""A company chooses the language of its emails and whether it is reminded of unanswered
suggestions: the chosen language wins over the enterprise's own for every email to it, no choice
keeps the old way (the enterprise's first language), and reminders off skips only reminders."""

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from eventkit.contracts import MatchApproved
from notifications.domain.composing import Send, Skip
from notifications.domain.deliveries import Delivery
from notifications.domain.plans import deliveries_for, opened_suggestions, reminder
from notifications.domain.recipients import Preferences
from tests.lift_story_events import as_received, lift_match_sides
from tests.unit.notifications_recipients import (
    HOUSING,
    LIFTS,
    decision_on,
    housing_operator,
    lift_maker,
)

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)

HOUSING_OPERATOR = housing_operator()
LIFT_MAKER = lift_maker()


def approved_match():
    payload = MatchApproved(
        match_id=uuid.uuid4(),
        **lift_match_sides(
            offer_enterprise_id=LIFTS,
            need_enterprise_id=HOUSING,
            offer_name=LIFT_MAKER.name,
            need_name=HOUSING_OPERATOR.name,
        ),
        score=0.87,
        reasons_ru=["Та же отрасль"],
        reasons_en=["Same sector"],
        reasons_be=["Тая ж галіна"],
        status="approved",
        occurred_at=NOW,
    )
    return as_received(payload, key=HOUSING, producer="matching")


def suggestion_to_housing() -> Delivery:
    envelope, payload = approved_match()
    return {
        d.enterprise_id: d
        for d in deliveries_for(envelope, payload, public_base_url="https://unionmatch.example")
    }[HOUSING]


def reminder_to_housing() -> Delivery:
    envelope, payload = approved_match()
    [waiting] = [s for s in opened_suggestions(envelope, payload) if s["enterprise_id"] == HOUSING]
    return reminder(SimpleNamespace(**waiting))


def send(delivery: Delivery, preferences: Preferences):
    return decision_on(
        delivery, addressee=HOUSING_OPERATOR, partner=LIFT_MAKER, preferences=preferences
    )


def test_a_company_that_chose_nothing_gets_its_emails_in_its_own_first_language_and_its_reminders():
    preferences = Preferences(HOUSING)

    assert preferences.language is None and preferences.reminders is True
    assert send(suggestion_to_housing(), preferences).language == "ru"
    assert isinstance(send(reminder_to_housing(), preferences), Send)


def test_a_company_that_chose_belarusian_reads_its_suggestion_and_reasons_in_belarusian():
    preferences = Preferences(HOUSING)
    preferences.choose_language("be")

    decision = send(suggestion_to_housing(), preferences)

    assert isinstance(decision, Send) and decision.language == "be"
    assert decision.context["reasons"] == ["Тая ж галіна"]


def test_the_chosen_language_also_wins_over_the_language_an_enterprise_email_was_planned_in():
    preferences = Preferences(HOUSING)
    preferences.choose_language("en")
    verified = Delivery.plan(
        event_id=uuid.uuid4(),
        enterprise_id=HOUSING,
        recipient="housing@example.ru",
        template="verified",
        language="ru",
        context={"enterprise_name": HOUSING_OPERATOR.name},
    )

    assert send(verified, preferences).language == "en"


def test_choosing_no_language_goes_back_to_the_enterprises_own():
    preferences = Preferences(HOUSING, language="be")
    preferences.choose_language(None)

    assert send(suggestion_to_housing(), preferences).language == "ru"


def test_only_the_three_languages_of_the_emails_can_be_chosen():
    preferences = Preferences(HOUSING)

    with pytest.raises(ValueError):
        preferences.choose_language("de")
    assert preferences.language is None


def test_a_company_with_reminders_off_gets_no_reminder_but_still_its_suggestions():
    preferences = Preferences(HOUSING)
    preferences.choose_reminders(False)

    assert send(reminder_to_housing(), preferences) == Skip("the enterprise turned reminders off")
    assert isinstance(send(suggestion_to_housing(), preferences), Send)


def test_an_unsubscribed_company_gets_no_reminder_but_still_its_transactional_emails():
    preferences = Preferences(HOUSING)
    preferences.choose(suggestions="immediate", unsubscribed=True, at=NOW)

    assert send(reminder_to_housing(), preferences) == Skip("the enterprise unsubscribed")
    assert preferences.refusal("verified", transactional=True) is None
