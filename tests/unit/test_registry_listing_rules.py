"""Offers and needs are checked against the repository's real taxonomy and regions before they
are stored: what is wrong is named field by field, and nothing half-valid is accepted."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from registry.domain.errors import InvalidInput
from registry.domain.listing import Listing, ListingKind, ListingStatus, Side
from tests.registration_forms import lift_need

TODAY = date(2026, 11, 25)


def publish(reference, side=Side.NEED, **fields) -> Listing:
    return Listing.publish(reference, today=TODAY, enterprise_id=uuid.uuid4(), side=side, **fields)


def refusal(reference, **fields) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        publish(reference, **fields)
    return {error.field: error.reason for error in refused.value.errors}


def test_a_smolensk_housing_operator_publishes_a_need_for_120_lifts(reference):
    need = publish(reference, **lift_need())

    assert need.side is Side.NEED
    assert need.kind is ListingKind.GOODS
    assert need.status is ListingStatus.ACTIVE
    assert need.version == 1
    assert need.warnings(reference) == []


def test_a_mogilev_lift_maker_offers_to_deliver_to_both_countries(reference):
    offer = publish(
        reference,
        side=Side.OFFER,
        **lift_need(regions=["smolensk_oblast", "mogilev_oblast", "minsk"]),
    )

    assert offer.side is Side.OFFER
    assert offer.regions == ["smolensk_oblast", "mogilev_oblast", "minsk"]


@pytest.mark.parametrize("code", ["8428", "842810", "8428109000", "84281090"])
def test_product_codes_of_4_to_10_digits_are_accepted(reference, code):
    assert publish(reference, **lift_need(product_codes=[code])).product_codes == [code]


# Separators go first («8428-10» is 842810: tests/unit/test_registry_number_spelling.py); the digits
# left must be 4 to 10.
@pytest.mark.parametrize("code", ["842", "84281090001", "лифт", ""])
def test_a_product_code_that_is_not_4_to_10_digits_is_refused_naming_it(reference, code):
    reasons = refusal(reference, **lift_need(product_codes=["842810", code]))

    assert list(reasons) == ["product_codes"]
    assert repr(code) in reasons["product_codes"]


def test_a_code_outside_the_sectors_hs_headings_is_kept_with_a_warning(reference):
    need = publish(reference, **lift_need(product_codes=["842810", "850140"]))

    [warning] = need.warnings(reference)
    assert warning.field == "product_codes"
    assert "850140" in warning.reason


def test_an_unknown_sector_is_refused(reference):
    reasons = refusal(reference, **lift_need(sector="space_elevators"))

    assert "space_elevators" in reasons["sector"]


def test_an_unknown_region_is_refused_naming_it(reference):
    reasons = refusal(reference, **lift_need(regions=["smolensk_oblast", "atlantis"]))

    assert list(reasons) == ["regions"]
    assert "atlantis" in reasons["regions"]


@pytest.mark.parametrize("quantity", [0, -5, float("nan")])
def test_a_quantity_must_be_above_zero(reference, quantity):
    reasons = refusal(reference, **lift_need(quantity=quantity))

    assert list(reasons) == ["quantity"]


def test_a_quantity_needs_its_unit_and_a_unit_its_quantity(reference):
    assert list(refusal(reference, **lift_need(unit=None))) == ["unit"]
    assert list(refusal(reference, **lift_need(quantity=None))) == ["unit"]


def test_a_service_may_leave_quantity_and_unit_out(reference):
    offer = publish(
        reference,
        side=Side.OFFER,
        **lift_need(kind="services", quantity=None, unit=None, product_codes=[]),
    )

    assert offer.quantity is None and offer.unit is None


def test_valid_until_today_is_accepted_and_yesterday_is_refused(reference):
    assert publish(reference, **lift_need(valid_until=TODAY)).valid_until == TODAY

    reasons = refusal(reference, **lift_need(valid_until=TODAY - timedelta(days=1)))
    assert "in the past" in reasons["valid_until"]


def test_an_unknown_kind_is_refused(reference):
    assert "kind" in refusal(reference, **lift_need(kind="barter"))


def test_every_broken_field_is_named_at_once(reference):
    reasons = refusal(
        reference, **lift_need(sector="x", regions=["y"], quantity=-1, product_codes=["1"])
    )

    assert set(reasons) == {"sector", "regions", "quantity", "product_codes"}


# --- changes, closing and reopening -----------------------------------------------------------


def test_changing_a_field_bumps_the_version_and_reports_a_change(reference):
    need = publish(reference, **lift_need())

    assert need.change(reference, today=TODAY, changes={"quantity": 150}) == "changed"
    assert need.quantity == 150 and need.version == 2


def test_a_change_that_changes_nothing_keeps_the_version(reference):
    need = publish(reference, **lift_need())

    assert (
        need.change(reference, today=TODAY, changes={"quantity": 120, "title": need.title}) is None
    )
    assert need.version == 1


def test_closing_and_reopening(reference):
    need = publish(reference, **lift_need())

    assert need.change(reference, today=TODAY, changes={"status": "closed"}) == "closed"
    assert need.status is ListingStatus.CLOSED
    assert need.change(reference, today=TODAY, changes={"status": "active"}) == "reopened"
    assert need.status is ListingStatus.ACTIVE and need.version == 3


def test_an_expired_listing_can_be_closed_but_reopens_only_with_a_new_date(reference):
    need = publish(reference, **lift_need(valid_until=TODAY))
    later = TODAY + timedelta(days=30)

    assert need.change(reference, today=later, changes={"status": "closed"}) == "closed"
    with pytest.raises(InvalidInput) as refused:
        need.change(reference, today=later, changes={"status": "active"})
    assert [e.field for e in refused.value.errors] == ["valid_until"]
    assert (
        need.status is ListingStatus.CLOSED and need.version == 2
    )  # the refused change left nothing behind

    assert (
        need.change(reference, today=later, changes={"status": "active", "valid_until": later})
        == "reopened"
    )


def test_a_change_breaking_a_rule_is_refused(reference):
    need = publish(reference, **lift_need())

    with pytest.raises(InvalidInput) as refused:
        need.change(reference, today=TODAY, changes={"regions": ["atlantis"]})
    assert [e.field for e in refused.value.errors] == ["regions"]


@pytest.mark.parametrize(
    ("name", "value"), [("side", "offer"), ("enterprise_id", uuid.uuid4()), ("title", None)]
)
def test_the_side_and_the_enterprise_stay_and_required_fields_cannot_be_emptied(
    reference, name, value
):
    need = publish(reference, **lift_need())

    with pytest.raises(InvalidInput) as refused:
        need.change(reference, today=TODAY, changes={name: value})
    assert [e.field for e in refused.value.errors] == [name]
