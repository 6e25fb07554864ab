"""An enterprise's email address gets nothing but a confirmation email until its owner confirms it,
so nobody can register an enterprise with a stranger's address and have the platform mail them.
What was meant for the address is kept and goes out once it is confirmed."""

import uuid
from datetime import UTC, datetime

import pytest

from eventkit.contracts import EnterpriseRegistered
from eventkit.envelope import Envelope
from notifications.adapters.links import InvalidLinkToken
from notifications.domain.composing import AwaitConfirmation, Send, Wait, compose
from notifications.domain.deliveries import Delivery, DeliveryStatus
from notifications.domain.plans import contact_confirmation, deliveries_for
from notifications.domain.recipients import DELETED, Recipient
from tests.lift_story_events import as_received, lift_maker_event
from tests.unit.notifications_recipients import HOUSING, LINKS, decision_on
from tests.unit.notifications_recipients import housing_operator as registered_housing_operator

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def housing_operator(**changes) -> Recipient:
    """The housing operator, still pending, at an address it has not confirmed yet."""
    unconfirmed = dict(email="office@housing.example.ru", status="pending", confirmed_email=None)
    return registered_housing_operator(**unconfirmed | changes)


def welcome() -> Delivery:
    return Delivery.plan_to_enterprise(
        event_id=uuid.uuid4(),
        enterprise_id=HOUSING,
        partner_id=None,
        template="welcome",
        facts={"enterprise_name": "МУП «Смоленскжилсервис»"},
    )


def test_a_new_enterprise_is_asked_to_confirm_its_address():
    assert housing_operator().needs_confirmation_after(None)


def test_an_unconfirmed_address_gets_no_welcome_yet():
    decision = decision_on(welcome(), addressee=housing_operator())

    assert decision == AwaitConfirmation()


def test_the_welcome_kept_for_it_is_not_sent_and_spends_no_attempt():
    kept = welcome()
    kept.attempts = 1  # as claimed by the sender
    kept.await_confirmation()

    assert (kept.status, kept.attempts, kept.next_attempt_at) == (
        DeliveryStatus.UNCONFIRMED,
        0,
        None,
    )


def test_once_confirmed_the_welcome_goes_out_to_the_address():
    confirmed = housing_operator()
    assert confirmed.confirm("Office@Housing.example.ru")

    decision = decision_on(welcome(), addressee=confirmed)

    assert isinstance(decision, Send) and decision.recipient == "office@housing.example.ru"


def test_the_confirmation_email_itself_is_sent_with_a_signed_link_to_the_address_it_confirms():
    recipient = housing_operator()
    delivery = contact_confirmation(
        Envelope(type="enterprise.registered", producer="registry", key=str(HOUSING), payload={}),
        recipient,
    )

    decision = decision_on(delivery, addressee=recipient)

    assert isinstance(decision, Send) and decision.recipient == "office@housing.example.ru"
    token = decision.context["link"].split("token=", 1)[1]
    assert decision.context["link"].startswith("https://unionmatch.example/confirm-contact?token=")
    assert LINKS.confirming_contact(token) == (HOUSING, "office@housing.example.ru")


def test_a_link_for_an_address_the_enterprise_gave_up_confirms_nothing():
    moved = housing_operator(email="sales@housing.example.ru")

    assert not moved.confirm("office@housing.example.ru")
    assert not moved.email_confirmed


def test_a_new_address_needs_its_own_confirmation_and_the_same_one_does_not():
    before = housing_operator(confirmed_email="office@housing.example.ru")
    same = housing_operator(
        name="МУП «Смоленскжилсервис» (новое имя)", confirmed_email="office@housing.example.ru"
    )
    moved = housing_operator(
        email="sales@housing.example.ru", confirmed_email="office@housing.example.ru"
    )

    assert not same.needs_confirmation_after(before)
    assert moved.needs_confirmation_after(before) and not moved.email_confirmed


def test_a_deleted_enterprise_is_never_asked_to_confirm():
    assert not Recipient.deleted(HOUSING, at=NOW).needs_confirmation_after(housing_operator())
    assert not housing_operator(status=DELETED, email=None).confirm("office@housing.example.ru")


@pytest.mark.parametrize("token", ["not-a-token-at-all", LINKS.unsubscribe_token(HOUSING)])
def test_a_forged_or_foreign_token_is_no_confirmation(token):
    with pytest.raises(InvalidLinkToken):
        LINKS.confirming_contact(token)


def test_compose_does_not_offer_unsubscribing_from_the_confirmation():
    recipient = housing_operator()
    delivery = contact_confirmation(
        Envelope(type="enterprise.registered", producer="registry", key=str(HOUSING), payload={}),
        recipient,
    )

    context = compose(delivery, language="ru", addressee=recipient, partner=None, links=LINKS)

    assert "unsubscribe_url" not in context and context["valid_days"] == 30


def test_the_welcome_planned_to_the_registered_address_waits_for_that_address_to_be_confirmed():
    registered = lift_maker_event(EnterpriseRegistered, email="stranger@example.ru")
    envelope, payload = as_received(registered, key=registered.enterprise_id)
    [planned] = deliveries_for(envelope, payload, public_base_url="https://unionmatch.example")
    addressee = Recipient.from_profile(payload, at=NOW)

    assert decision_on(planned, addressee=None) == Wait()
    assert decision_on(planned, addressee=addressee) == AwaitConfirmation()
    addressee.confirm("stranger@example.ru")
    assert isinstance(
        decision_on(planned, addressee=addressee),
        Send,
    )
