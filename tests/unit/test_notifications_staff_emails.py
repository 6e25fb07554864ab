"""Two emails that come from the agency's staff: a suspended enterprise is told why, in its own
language, and how to reach the agency; a person given a staff account is told their role and how
to set their password. Each is sent once, however often it is asked for."""

import uuid

import pytest
from pydantic import ValidationError

from eventkit.contracts import EnterpriseSuspended
from notifications.domain.composing import Send, decide
from notifications.domain.deliveries import DeliveryStatus
from notifications.domain.plans import AgencyContact, account_invitation, deliveries_for
from notifications.domain.recipients import Preferences, Recipient
from notifications.entrypoints.api import AccountInvitationIn
from tests.lift_story_events import as_received, lift_maker_event

ENTERPRISE_ID = uuid.UUID("b2c9a0c4-7c1e-4f57-9a57-7c8e2a6f1d10")
INVITATION_ID = uuid.UUID("0f5a7c1e-9b2d-4e3f-8a6b-1c2d3e4f5a6b")
PUBLIC_URL = "https://unionmatch.example"
AGENCY = AgencyContact(email="invest@smolensk-agency.example", phone="+7 4812 29-10-00")
REASON = (
    "Сведения о предприятии не подтвердились: ИНН принадлежит <другой> организации & её филиалу."
)
LINK = "https://unionmatch.example/set-password?token=abc.def&lang=ru"


class NoLinks:
    def answer(self, match_id):
        raise AssertionError("not a match email")

    def unsubscribe(self, enterprise_id):
        raise AssertionError("transactional mail carries no unsubscribe link")


def suspended_event(*, languages=("be", "ru"), reason: str | None = REASON):
    payload = lift_maker_event(
        EnterpriseSuspended,
        enterprise_id=ENTERPRISE_ID,
        status="suspended",
        languages=list(languages),
        reason=reason,
    )
    return as_received(payload, key=ENTERPRISE_ID)


def suspended_recipient() -> Recipient:
    return Recipient(
        enterprise_id=ENTERPRISE_ID,
        name="ОАО «Могилёвлифтмаш»",
        email="sales@liftmash.example.by",
        status="suspended",
        confirmed_email="sales@liftmash.example.by",
    )


# --- the suspension email -------------------------------------------------------------------------


def test_a_suspension_plans_one_transactional_email_in_the_enterprises_language_with_the_reason():
    envelope, payload = suspended_event(languages=("be", "ru"))

    [delivery] = deliveries_for(envelope, payload, public_base_url=PUBLIC_URL, agency=AGENCY)

    assert (delivery.template, delivery.language, delivery.recipient) == (
        "suspended",
        "be",
        "sales@liftmash.example.by",
    )
    assert delivery.transactional
    assert delivery.context["reason"] == REASON
    assert delivery.context["agency_email"] == "invest@smolensk-agency.example"
    assert delivery.context["agency_phone"] == "+7 4812 29-10-00"


def test_the_same_suspension_event_read_twice_plans_the_very_same_email():
    envelope, payload = suspended_event()

    [first] = deliveries_for(envelope, payload, public_base_url=PUBLIC_URL, agency=AGENCY)
    [again] = deliveries_for(envelope, payload, public_base_url=PUBLIC_URL, agency=AGENCY)

    assert first.idempotency_key == again.idempotency_key
    assert first.message_id == again.message_id


def test_an_enterprise_without_a_language_of_ours_is_written_to_in_russian():
    envelope, payload = suspended_event(languages=("de",))

    [delivery] = deliveries_for(envelope, payload, public_base_url=PUBLIC_URL)

    assert delivery.language == "ru"
    assert delivery.context["agency_email"] == "agency@unionmatch.local"


def test_the_suspended_enterprise_still_gets_its_suspension_email():
    envelope, payload = suspended_event()
    [delivery] = deliveries_for(envelope, payload, public_base_url=PUBLIC_URL, agency=AGENCY)

    decision = decide(
        delivery,
        addressee=suspended_recipient(),
        partner=None,
        preferences=Preferences(ENTERPRISE_ID),
        links=NoLinks(),
    )

    assert isinstance(decision, Send)
    assert "unsubscribe_url" not in decision.context


@pytest.mark.parametrize(
    ("language", "says"),
    [("ru", "приостановлена"), ("be", "прыпынена"), ("en", "has been suspended")],
)
def test_the_suspension_email_quotes_the_reason_verbatim_and_says_how_to_reach_the_agency(
    renderer, language, says
):
    envelope, payload = suspended_event(languages=(language,))
    [delivery] = deliveries_for(envelope, payload, public_base_url=PUBLIC_URL, agency=AGENCY)

    email = renderer.render(delivery.template, delivery.language, delivery.context)

    assert says in email.subject and "Могилёвлифтмаш" in email.subject
    assert REASON in email.text
    assert "invest@smolensk-agency.example" in email.text and "+7 4812 29-10-00" in email.text
    assert f"{PUBLIC_URL}/enterprises/{ENTERPRISE_ID}" in email.text
    # In HTML the reason is shown as written, never as markup.
    assert "&lt;другой&gt; организации &amp; её филиалу" in email.html
    assert "<другой>" not in email.html
    assert 'href="mailto:invest@smolensk-agency.example"' in email.html


@pytest.mark.parametrize(
    ("language", "says"),
    [("ru", "не указал причину"), ("be", "не ўказаў прычыну"), ("en", "gave no reason")],
)
def test_a_suspension_without_a_reason_says_none_was_given(renderer, language, says):
    envelope, payload = suspended_event(languages=(language,), reason=None)
    [delivery] = deliveries_for(envelope, payload, public_base_url=PUBLIC_URL)

    email = renderer.render(delivery.template, delivery.language, delivery.context)

    assert says in email.text
    assert "agency@unionmatch.local" in email.text


# --- the account invitation -----------------------------------------------------------------------


def invitation(**changes):
    fields = dict(
        invitation_id=INVITATION_ID,
        email="reviewer@agency.example",
        name="Ольга Ковалёва",
        role="agency",
        link=LINK,
        language="ru",
    )
    fields.update(changes)
    return account_invitation(**fields)


def test_an_invitation_is_one_transactional_email_keyed_by_the_invitation_alone():
    first = invitation()
    again = invitation(email="other@agency.example", name="Другое имя")

    assert first.idempotency_key == again.idempotency_key == str(INVITATION_ID)
    assert first.message_id == again.message_id
    assert (first.template, first.transactional, first.status) == (
        "account_invitation",
        True,
        DeliveryStatus.QUEUED,
    )
    assert first.enterprise_id is None and first.recipient == "reviewer@agency.example"


def test_an_invitation_is_sent_as_it_is_planned_without_any_enterprise_behind_it():
    delivery = invitation(language="en")

    decision = decide(
        delivery,
        addressee=None,
        partner=None,
        preferences=Preferences(ENTERPRISE_ID),
        links=NoLinks(),
    )

    assert isinstance(decision, Send)
    assert (decision.recipient, decision.language) == ("reviewer@agency.example", "en")


@pytest.mark.parametrize(
    ("language", "role", "role_words", "hours", "ignore"),
    [
        (
            "ru",
            "agency",
            "сотрудник инвестиционного агентства",
            "72 часов",
            "не обращайте на него внимания",
        ),
        ("ru", "admin", "администратор", "72 часов", "не обращайте на него внимания"),
        (
            "be",
            "agency",
            "супрацоўнік інвестыцыйнага агенцтва",
            "72 гадзін",
            "не звяртайце на яго ўвагі",
        ),
        ("en", "agency", "an investment agency reviewer", "72 hours", "ignore it"),
        ("en", "admin", "an administrator", "72 hours", "ignore it"),
    ],
)
def test_the_invitation_names_the_role_the_link_its_72_hours_and_what_to_do_if_unexpected(
    renderer, language, role, role_words, hours, ignore
):
    delivery = invitation(language=language, role=role)

    email = renderer.render(delivery.template, delivery.language, delivery.context)

    assert "Union Match" in email.subject
    assert "Ольга Ковалёва" in email.text.splitlines()[0]
    assert role_words in email.text and role_words in email.html
    assert LINK in email.text
    assert 'href="https://unionmatch.example/set-password?token=abc.def&amp;lang=ru"' in email.html
    assert hours in email.text
    assert ignore in email.text


# --- what the gateway may ask for -----------------------------------------------------------------


def request_body(**changes) -> dict:
    body = {
        "invitation_id": str(INVITATION_ID),
        "email": "reviewer@agency.example",
        "name": "Ольга",
        "role": "agency",
        "link": LINK,
    }
    body.update(changes)
    return body


def test_an_invitation_request_is_in_russian_unless_it_says_otherwise():
    assert AccountInvitationIn.model_validate(request_body()).language == "ru"
    assert AccountInvitationIn.model_validate(request_body(language="be")).language == "be"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("invitation_id", "not-a-uuid"),
        ("email", "not an address"),
        ("name", "   "),
        ("role", "company"),
        ("language", "de"),
        ("link", "javascript:alert(1)"),
        ("link", "ftp://unionmatch.example/file"),
        ("link", "https:///no-host"),
        ("link", "https://unionmatch.example/" + "a" * 2000),
        ("link", 'https://unionmatch.example/"><script>'),
    ],
)
def test_a_malformed_invitation_request_is_refused_naming_the_field(field, value):
    with pytest.raises(ValidationError) as refused:
        AccountInvitationIn.model_validate(request_body(**{field: value}))

    assert refused.value.errors()[0]["loc"][0] == field
