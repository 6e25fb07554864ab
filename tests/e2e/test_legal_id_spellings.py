"""One legal id, one enterprise, whatever the spelling: a second company that types an existing
INN in Arabic-Indic digits, or a UNP with spaces and fullwidth digits, is told it is registered
already (409), and the registry keeps the numbers in ASCII digits and the phone in E.164."""

import pytest

from tests.identifiers import fresh_inn, fresh_unp

pytestmark = pytest.mark.e2e

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_an_inn_typed_in_arabic_indic_digits_is_the_registered_one(
    gateway, open_company, new_housing_operator
):
    inn = fresh_inn()
    first = gateway.post(
        "/api/v1/enterprises", headers=open_company(), json=new_housing_operator() | {"inn": inn}
    )
    assert first.status_code == 201, first.text

    again = gateway.post(
        "/api/v1/enterprises",
        headers=open_company(),
        json=new_housing_operator() | {"inn": inn.translate(ARABIC_INDIC)},
    )

    assert again.status_code == 409, again.text
    assert again.headers["content-type"].startswith("application/problem+json")


def test_a_unp_with_spaces_and_fullwidth_digits_is_the_registered_one(
    gateway, open_company, new_housing_operator
):
    unp = fresh_unp()
    belarusian = {
        "country": "BY",
        "region": "minsk_oblast",
        "city": "Минск",
        "inn": None,
        "phone": "+375 17 123-45-67",
    }
    first = gateway.post(
        "/api/v1/enterprises",
        headers=open_company(),
        json=new_housing_operator() | belarusian | {"unp": unp},
    )
    assert first.status_code == 201, first.text

    spelled = f"{unp[:3]} {unp[3:6]} {unp[6:]}".translate(FULLWIDTH)
    again = gateway.post(
        "/api/v1/enterprises",
        headers=open_company(),
        json=new_housing_operator() | belarusian | {"unp": spelled},
    )

    assert again.status_code == 409, again.text


def test_the_registry_keeps_the_numbers_in_one_spelling(
    gateway, open_company, new_housing_operator
):
    inn = fresh_inn()
    owner = open_company()
    typed = {
        "inn": f"{inn[:4]} {inn[4:7]}-{inn[7:]}".translate(ARABIC_INDIC),
        "phone": "٨ (٤٨١٢) ٢٠-٣٠-٤٠",
    }

    registered = gateway.post(
        "/api/v1/enterprises", headers=owner, json=new_housing_operator() | typed
    )

    assert registered.status_code == 201, registered.text
    shown = gateway.get(f"/api/v1/enterprises/{registered.json()['id']}", headers=owner).json()
    assert (shown["inn"], shown["phone"]) == (inn, "+74812203040")


@pytest.mark.parametrize(
    ("field", "typed"),
    [("inn", "77O7083893"), ("inn", "7707\u0000083893"), ("phone", "call me"), ("phone", "+7 12")],
)
def test_a_number_that_is_not_digits_is_refused_naming_its_field(
    gateway, open_company, new_housing_operator, field, typed
):
    refused = gateway.post(
        "/api/v1/enterprises", headers=open_company(), json=new_housing_operator() | {field: typed}
    )

    assert refused.status_code == 422, refused.text
    assert [error["field"] for error in refused.json()["errors"]] == [field]


def test_a_product_code_searched_in_another_scripts_digits_finds_the_listing(
    gateway, open_company, new_housing_operator
):
    owner = open_company()
    enterprise = gateway.post(
        "/api/v1/enterprises", headers=owner, json=new_housing_operator()
    ).json()
    need = {
        "kind": "goods",
        "title": "Нужны грузовые лифты",
        "sector": "elevators",
        "product_codes": ["٨٤٢٨.١٠"],
        "quantity": 12,
        "unit": "pcs",
        "regions": ["smolensk_oblast"],
        "valid_until": "2030-12-31",
    }
    published = gateway.post(
        f"/api/v1/enterprises/{enterprise['id']}/needs", headers=owner, json=need
    )
    assert published.status_code == 201, published.text
    assert published.json()["product_codes"] == ["842810"]

    found = gateway.get(
        "/api/v1/needs", params={"product_code": "٨٤٢٨", "enterprise_id": enterprise["id"]}
    )

    assert found.status_code == 200, found.text
    assert [item["id"] for item in found.json()["items"]] == [published.json()["id"]]
