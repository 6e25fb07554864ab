"""A match email is addressed when it is sent: it waits for a recipient not known yet, is written in
the recipient's language with the partner's public profile, is held for a daily digest, and is
skipped for an enterprise that unsubscribed (unless the email is transactional)."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from eventkit.contracts import (
    EnterpriseRegistered,
    MatchApproved,
    MatchIntroduced,
)
from notifications.adapters.links import InvalidLinkToken, SignedLinks
from notifications.domain.composing import Hold, Send, Skip, Wait
from notifications.domain.deliveries import DeliveryStatus, enterprise_address, idempotency_key
from notifications.domain.plans import deliveries_for, digest, opened_suggestions
from notifications.domain.recipients import Preferences, Recipient, SuggestionMode
from tests.lift_story_events import as_received, lift_maker_event, lift_match_sides
from tests.unit.notifications_recipients import (
    HOUSING,
    LIFTS,
    LINKS,
    decision_on,
    housing_operator,
    lift_maker,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
MATCH = uuid.UUID("33333333-3333-4333-8333-333333333333")


HOUSING_OPERATOR = housing_operator()
LIFT_MAKER = lift_maker(languages=["en", "ru"])


def match_event(kind=MatchApproved):
    payload = kind(
        match_id=MATCH,
        **lift_match_sides(offer_enterprise_id=LIFTS, need_enterprise_id=HOUSING),
        score=0.87,
        reasons_ru=["Та же отрасль"],
        reasons_en=["Same sector"],
        status="approved",
        occurred_at=NOW,
    )
    return as_received(payload, key=HOUSING, producer="matching")


def planned(kind=MatchApproved):
    envelope, payload = match_event(kind)
    return {
        d.enterprise_id: d
        for d in deliveries_for(envelope, payload, public_base_url="https://unionmatch.example")
    }


def test_an_approved_match_plans_one_suggestion_for_each_side_addressed_to_the_enterprise():
    deliveries = planned()

    assert set(deliveries) == {HOUSING, LIFTS}
    to_housing = deliveries[HOUSING]
    assert to_housing.template == "suggestion"
    assert to_housing.recipient is None and to_housing.language is None
    assert to_housing.partner_id == LIFTS
    assert (
        to_housing.context["own_title"] == "120 лифтов"
        and to_housing.context["partner_title"] == "Лифты ПП-0411"
    )
    assert to_housing.idempotency_key == idempotency_key(
        to_housing.event_id, enterprise_address(HOUSING), "suggestion"
    )
    assert deliveries[LIFTS].context["own_side"] == "offer"


def test_an_introduced_match_plans_an_introduction_to_each_side():
    assert {d.template for d in planned(MatchIntroduced).values()} == {"introduction"}


def test_a_suggestion_whose_recipient_is_not_known_yet_waits():
    delivery = planned()[HOUSING]

    assert decision_on(delivery, addressee=None, partner=LIFT_MAKER) == Wait()
    assert decision_on(delivery, addressee=HOUSING_OPERATOR) == Wait()


def test_waiting_for_the_recipient_spends_no_attempt_and_is_given_up_only_after_long():
    delivery = planned()[HOUSING]
    delivery.created_at, delivery.attempts = NOW, 1

    delivery.wait_for_recipient(at=NOW + timedelta(seconds=5), give_up_after=timedelta(days=7))

    assert delivery.status is DeliveryStatus.QUEUED and delivery.attempts == 0
    assert NOW < delivery.next_attempt_at <= NOW + timedelta(seconds=66)
    delivery.wait_for_recipient(at=NOW + timedelta(days=8), give_up_after=timedelta(days=7))
    assert delivery.status is DeliveryStatus.DEAD


def test_a_suggestion_is_written_in_the_recipients_language_with_the_partners_public_profile_only():
    decision = decision_on(planned()[LIFTS], addressee=LIFT_MAKER, partner=HOUSING_OPERATOR)

    assert isinstance(decision, Send)
    assert decision.recipient == "sales@liftmash.example.by"
    assert decision.language == "en"
    assert decision.context["reasons"] == ["Same sector"]
    assert decision.context["partner"] == {
        "name": "МУП «Смоленскжилсервис»",
        "city": "Смоленск",
        "country": "RU",
    }
    assert decision.context["answer_url"] == f"https://unionmatch.example/suggestions/{MATCH}"
    unsubscribe_page, token = decision.context["unsubscribe_url"].split("?token=")
    assert unsubscribe_page == "https://unionmatch.example/unsubscribe"
    assert LINKS.unsubscribing_enterprise(token) == LIFTS


def test_an_introduction_carries_both_contacts():
    decision = decision_on(
        planned(MatchIntroduced)[HOUSING], addressee=HOUSING_OPERATOR, partner=LIFT_MAKER
    )

    assert decision.context["partner"]["email"] == "sales@liftmash.example.by"
    assert decision.context["own"]["email"] == "housing@example.ru"
    assert decision.context["reasons"] == ["Та же отрасль"]


def test_an_unsubscribed_enterprise_gets_no_suggestion_but_still_its_introduction():
    unsubscribed = Preferences(HOUSING, unsubscribed_at=NOW)

    assert isinstance(
        decision_on(
            planned()[HOUSING],
            addressee=HOUSING_OPERATOR,
            partner=LIFT_MAKER,
            preferences=unsubscribed,
        ),
        Skip,
    )
    assert isinstance(
        decision_on(
            planned(MatchIntroduced)[HOUSING],
            addressee=HOUSING_OPERATOR,
            partner=LIFT_MAKER,
            preferences=unsubscribed,
        ),
        Send,
    )


@pytest.mark.parametrize("status", ["suspended", "deleted"])
def test_a_suspended_or_deleted_enterprise_gets_no_suggestion(status):
    addressee = housing_operator(
        name="x", email=None if status == "deleted" else "h@example.ru", status=status
    )

    assert isinstance(
        decision_on(planned()[HOUSING], addressee=addressee, partner=LIFT_MAKER),
        Skip,
    )


def test_a_suggestion_for_an_enterprise_on_the_daily_digest_is_held_addressed():
    daily = Preferences(HOUSING, suggestions=SuggestionMode.DAILY)

    decision = decision_on(
        planned()[HOUSING], addressee=HOUSING_OPERATOR, partner=LIFT_MAKER, preferences=daily
    )

    assert isinstance(decision, Hold)
    assert decision.recipient == "housing@example.ru"


def test_a_digest_is_due_once_a_day_after_its_hour_and_at_once_after_going_back_to_immediate():
    daily = Preferences(HOUSING, suggestions=SuggestionMode.DAILY)

    assert not daily.digest_due(now=NOW.replace(hour=6), hour=7)
    assert daily.digest_due(now=NOW.replace(hour=7), hour=7)
    daily.last_digest_on = NOW.date()
    assert not daily.digest_due(now=NOW.replace(hour=23), hour=7)
    assert daily.digest_due(now=NOW + timedelta(days=1), hour=7)
    assert Preferences(HOUSING, last_digest_on=NOW.date()).digest_due(now=NOW, hour=7)


def test_two_digests_of_one_day_for_different_held_suggestions_are_different_emails():
    first, second = planned()[HOUSING], planned()[HOUSING]

    assert (
        digest(HOUSING, on=date(2026, 3, 2), held=[first]).idempotency_key
        != digest(HOUSING, on=date(2026, 3, 2), held=[second]).idempotency_key
    )


def test_each_side_of_an_approved_match_waits_for_its_own_answer():
    envelope, payload = match_event()

    opened = opened_suggestions(envelope, payload)

    assert {(s["enterprise_id"], s["partner_id"]) for s in opened} == {
        (HOUSING, LIFTS),
        (LIFTS, HOUSING),
    }
    assert all(s["approval_event_id"] == envelope.event_id for s in opened)


def test_an_unsubscribe_link_signed_with_another_secret_is_refused():
    forged = SignedLinks(public_base_url="https://x", secret="f" * 32).unsubscribe_token(HOUSING)

    with pytest.raises(InvalidLinkToken):
        LINKS.unsubscribing_enterprise(forged)


def test_choosing_preferences_keeps_the_first_unsubscribe_time_and_clears_it_on_resubscribe():
    preference = Preferences(HOUSING)
    preference.choose(suggestions="daily", unsubscribed=True, at=NOW)
    preference.choose(suggestions="daily", unsubscribed=True, at=NOW + timedelta(days=1))

    assert preference.unsubscribed_at == NOW and preference.suggestions is SuggestionMode.DAILY
    preference.choose(suggestions="immediate", unsubscribed=False, at=NOW)
    assert not preference.unsubscribed


def test_the_welcome_email_carries_no_link_that_would_confirm_the_owning_account():
    # The enterprise's address may be anybody's: only the sign-up email to the account's own
    # address confirms the account.
    registered = lift_maker_event(
        EnterpriseRegistered,
        enterprise_id=LIFTS,
        languages=["ru"],
        email="stranger@example.by",
        owner_account_id="account-42",
    )
    envelope, payload = as_received(registered, key=LIFTS)
    [welcome] = deliveries_for(envelope, payload, public_base_url="https://unionmatch.example")

    addressee = Recipient.from_profile(payload, at=NOW)
    # sent once the address is confirmed (test_notifications_contact_confirmation.py)
    addressee.confirmed_email = "stranger@example.by"
    decision = decision_on(welcome, addressee=addressee)

    assert isinstance(decision, Send) and decision.recipient == "stranger@example.by"
    assert not any("/confirm" in str(value) for value in decision.context.values())
    assert "confirm_url" not in decision.context
