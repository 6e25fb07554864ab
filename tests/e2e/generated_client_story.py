"""The design's story told through the Python client generated from the public OpenAPI document
(tests/e2e/test_generated_client_story.py generates it as `union_match_client`, type-checks this
script with mypy --strict --disallow-any-expr, then runs it against the platform): two companies
register their accounts and enterprises, the agency verifies them, the lift maker offers what the
housing operator needs, a reviewer approves the pair and both answer interested.

Every answer is read through the typed models: an operation documented without its schemas would
give `Any`, which mypy refuses here. Prints the match as JSON for the test to find its emails.

    python generated_client_story.py GATEWAY_URL STAFF_EMAIL STAFF_PASSWORD MARKER INN UNP"""

from __future__ import annotations

import json
import sys
import time
from typing import TypeVar
from uuid import UUID

import httpx
from union_match_client import AuthenticatedClient, Client
from union_match_client.api.accounts import register, token
from union_match_client.api.enterprises import change_enterprise, register_enterprise
from union_match_client.api.listings import publish_need, publish_offer
from union_match_client.api.notifications import change_preferences
from union_match_client.api.review import approve, review_queue, verify_enterprise
from union_match_client.api.suggestions import respond
from union_match_client.models import (
    ApproveIn,
    EnterpriseIn,
    EnterpriseInCountry,
    EnterpriseInLanguagesItem,
    EnterpriseInSize,
    EnterprisePatch,
    EnterprisePrivate,
    ListingIn,
    ListingInKind,
    ListingOut,
    MatchDetailOut,
    MatchOut,
    MatchPage,
    PreferencesIn,
    PreferencesInLanguageType0,
    PreferencesInSuggestions,
    PreferencesOut,
    Registration,
    RegistrationOut,
    RespondIn,
    RespondInAnswer,
    TokenForm,
    TokensOut,
)
from union_match_client.types import Response

Answer = TypeVar("Answer")
Documented = TypeVar("Documented")
_PASSWORD = "a long passphrase for the story"
_TIMEOUT = httpx.Timeout(30.0)


class StoryFailed(Exception):
    pass


def parsed(response: Response[Documented], kind: type[Answer]) -> Answer:
    """The answer as the model the story expects, or the failure with what the platform said."""
    answer = response.parsed
    if not isinstance(answer, kind):
        raise StoryFailed(
            f"{response.status_code} instead of a {kind.__name__}: {response.content!r}"
        )
    return answer


def signed_in(gateway_url: str, email: str, password: str) -> AuthenticatedClient:
    anonymous = Client(base_url=gateway_url, timeout=_TIMEOUT, raise_on_unexpected_status=True)
    form = TokenForm(username=email, password=password)
    tokens = parsed(token.sync_detailed(client=anonymous, body=form), TokensOut)
    return AuthenticatedClient(
        base_url=gateway_url,
        token=tokens.access_token,
        timeout=_TIMEOUT,
        raise_on_unexpected_status=True,
    )


def new_company(gateway_url: str, email: str) -> AuthenticatedClient:
    anonymous = Client(base_url=gateway_url, timeout=_TIMEOUT, raise_on_unexpected_status=True)
    account = Registration(email=email, password=_PASSWORD)
    parsed(register.sync_detailed(client=anonymous, body=account), RegistrationOut)
    return signed_in(gateway_url, email, _PASSWORD)


def lift_maker(marker: str, unp: str) -> EnterpriseIn:
    return EnterpriseIn(
        name=f"ОАО «Могилёвлифтмаш» {marker}",
        country=EnterpriseInCountry.BY,
        region="mogilev_oblast",
        city="Могилёв",
        unp=unp,
        sectors=["elevators"],
        languages=[EnterpriseInLanguagesItem.RU, EnterpriseInLanguagesItem.BE],
        size=EnterpriseInSize.LARGE,
        certifications=["ТР ТС 011/2011", "ISO 9001"],
        contact_person="Иван Петров",
        email=f"lifts-{marker}@example.by",
        phone="+375222123456",
        personal_data_consent=True,
    )


def housing_operator(marker: str, inn: str) -> EnterpriseIn:
    return EnterpriseIn(
        name=f"МУП «Смоленскжилсервис» {marker}",
        country=EnterpriseInCountry.RU,
        region="smolensk_oblast",
        city="Смоленск",
        inn=inn,
        sectors=["construction"],
        description="Управляем многоквартирными домами Смоленска.",
        languages=[EnterpriseInLanguagesItem.RU],
        size=EnterpriseInSize.MEDIUM,
        contact_person="Мария Иванова",
        email=f"housing-{marker}@example.ru",
        phone="+74812000000",
        personal_data_consent=True,
    )


def lifts(marker: str, *, title: str, quantity: int) -> ListingIn:
    return ListingIn(
        kind=ListingInKind.GOODS,
        title=f"{title} {marker}",
        description="Пассажирские лифты для многоквартирных домов",
        sector="elevators",
        product_codes=["842810"],
        quantity=quantity,
        unit="шт.",
        certifications=["ТР ТС 011/2011"],
    )


def the_proposed_pair(staff: AuthenticatedClient, offer: ListingOut, need: ListingOut) -> MatchOut:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        queue = parsed(review_queue.sync_detailed(client=staff, need_id=need.id), MatchPage)
        for match in queue.items:
            if match.offer_id == offer.id:
                return match
        time.sleep(0.3)
    raise StoryFailed(f"no pair of {offer.id} and {need.id} in the review queue within 60 s")


def verified(staff: AuthenticatedClient, enterprise: EnterprisePrivate) -> EnterprisePrivate:
    answer = verify_enterprise.sync_detailed(enterprise.id, client=staff)
    verified = parsed(answer, EnterprisePrivate)
    if verified.status != "verified":
        raise StoryFailed(f"{enterprise.id} is {verified.status} after verification")
    return verified


def change_description(company: AuthenticatedClient, enterprise: EnterprisePrivate) -> None:
    """The version read goes back as If-Match: without it the registry answers 428."""
    change = EnterprisePatch(description="Управляем домами Смоленска; заменяем 120 лифтов.")
    changed = parsed(
        change_enterprise.sync_detailed(
            enterprise.id, client=company, body=change, if_match=str(enterprise.version)
        ),
        EnterprisePrivate,
    )
    if changed.version != enterprise.version + 1 or changed.description != change.description:
        raise StoryFailed(f"the change was not kept: version {changed.version}")


def choose_russian_emails(company: AuthenticatedClient, enterprise_id: UUID) -> None:
    choice = PreferencesIn(
        suggestions=PreferencesInSuggestions.IMMEDIATE, language=PreferencesInLanguageType0.RU
    )
    kept = parsed(
        change_preferences.sync_detailed(enterprise_id, client=company, body=choice),
        PreferencesOut,
    )
    if kept.suggestions != "immediate":
        raise StoryFailed(f"the preferences were not kept: {kept.suggestions}")


def tell(
    gateway_url: str, staff_email: str, staff_password: str, marker: str, inn: str, unp: str
) -> dict[str, str]:
    staff = signed_in(gateway_url, staff_email, staff_password)
    seller = new_company(gateway_url, f"seller-{marker}@example.by")
    buyer = new_company(gateway_url, f"buyer-{marker}@example.ru")
    maker = parsed(
        register_enterprise.sync_detailed(client=seller, body=lift_maker(marker, unp)),
        EnterprisePrivate,
    )
    operator = parsed(
        register_enterprise.sync_detailed(client=buyer, body=housing_operator(marker, inn)),
        EnterprisePrivate,
    )
    maker, operator = verified(staff, maker), verified(staff, operator)
    change_description(buyer, operator)
    choose_russian_emails(buyer, operator.id)

    offer_body = lifts(marker, title="Пассажирские лифты 400–1000 кг", quantity=200)
    offer = parsed(
        publish_offer.sync_detailed(maker.id, client=seller, body=offer_body), ListingOut
    )
    need_body = lifts(marker, title="Замена пассажирских лифтов, 120 шт.", quantity=120)
    need = parsed(publish_need.sync_detailed(operator.id, client=buyer, body=need_body), ListingOut)
    match = the_proposed_pair(staff, offer, need)

    note = ApproveIn(note="Профиль поставщика проверен")
    parsed(approve.sync_detailed(match.id, client=staff, body=note), MatchDetailOut)
    interested = RespondIn(answer=RespondInAnswer.INTERESTED)
    parsed(respond.sync_detailed(match.id, client=buyer, body=interested), MatchDetailOut)
    introduced = parsed(
        respond.sync_detailed(match.id, client=seller, body=interested), MatchDetailOut
    )
    return {
        "match_id": str(introduced.id),
        "status": introduced.status,
        "buyer_email": operator.email,
        "seller_email": maker.email,
        "seller_phone": maker.phone or "",
    }


def main() -> None:
    gateway_url, staff_email, staff_password, marker, inn, unp = sys.argv[1:7]
    print(json.dumps(tell(gateway_url, staff_email, staff_password, marker, inn, unp)))


if __name__ == "__main__":
    main()
