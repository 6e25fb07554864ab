"""A contract cannot change under its consumers: removing a field, changing its type or requiring a
new one fails here, naming what changed, until the change gets a new event version."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel

from eventkit import asyncapi
from eventkit.contracts import (
    EnterpriseDeleted,
    EventPayload,
    ListingExpiring,
    MatchWithdrawn,
)


def test_every_contract_is_in_the_committed_baseline_and_still_compatible_with_it():
    committed = asyncapi.read_baseline()

    updated, problems = asyncapi.updated_baseline(committed)

    assert problems == [], "\n".join(
        ["incompatible contract changes: add a new event_version instead", *problems]
    )
    assert committed == updated, f"the contract baseline is stale: run `{asyncapi.COMMAND}`"


def schema(model: type[EventPayload]) -> dict:
    return asyncapi.payload_schema(model)


class ExpiringWithoutTitle(EventPayload):
    listing_id: uuid.UUID
    side: Literal["offer", "need"]
    enterprise_id: uuid.UUID
    enterprise_name: str
    valid_until: date


class DeletedWithNumericId(EventPayload):
    enterprise_id: int


class DeletedWithRequiredReason(EventPayload):
    enterprise_id: uuid.UUID
    reason: str


class DeletedWithOptionalReason(EventPayload):
    """A newer producer's additive field: older consumers ignore it."""

    enterprise_id: uuid.UUID
    reason: str = ""


class SideWithoutTitle(BaseModel):
    listing_id: uuid.UUID
    enterprise_id: uuid.UUID
    enterprise_name: str


class WithdrawnWithOtherSides(MatchWithdrawn):
    offer: SideWithoutTitle
    withdrawn_side: Literal["offer", "need", "both"] | None = None


def test_a_removed_field_is_named():
    changes = asyncapi.incompatible_changes(schema(ListingExpiring), schema(ExpiringWithoutTitle))

    assert changes == ["payload.title: removed"]


def test_a_field_whose_type_changed_is_named_with_both_types():
    changes = asyncapi.incompatible_changes(schema(EnterpriseDeleted), schema(DeletedWithNumericId))

    assert len(changes) == 1
    assert changes[0].startswith("payload.enterprise_id: type changed from")
    assert '"format":"uuid"' in changes[0] and '"type":"integer"' in changes[0]


def test_a_new_required_field_is_named():
    changes = asyncapi.incompatible_changes(
        schema(EnterpriseDeleted), schema(DeletedWithRequiredReason)
    )

    assert changes == ["payload.reason: added as required"]


def test_a_field_that_became_required_is_named():
    changes = asyncapi.incompatible_changes(
        schema(DeletedWithOptionalReason), schema(DeletedWithRequiredReason)
    )

    assert changes == ["payload.reason: now required"]


def test_changes_inside_a_nested_object_and_a_widened_choice_are_named():
    changes = asyncapi.incompatible_changes(schema(MatchWithdrawn), schema(WithdrawnWithOtherSides))

    assert "payload.offer.title: removed" in changes
    assert any(change.startswith("payload.withdrawn_side: type changed") for change in changes)
    assert len(changes) == 2


def test_a_new_optional_field_and_reworded_documentation_are_compatible():
    reworded = schema(EnterpriseDeleted) | {"description": "said otherwise", "title": "Other"}

    assert asyncapi.incompatible_changes(schema(EnterpriseDeleted), reworded) == []
    assert (
        asyncapi.incompatible_changes(schema(EnterpriseDeleted), schema(DeletedWithOptionalReason))
        == []
    )


def test_the_baseline_check_names_the_event_and_version_that_broke():
    committed = asyncapi.read_baseline()
    broken = {**committed, "enterprise.deleted": {"1": schema(DeletedWithOptionalReason)}}
    broken["enterprise.deleted"]["1"]["required"] = ["enterprise_id", "reason"]
    retired = {**committed, "enterprise.moved": {"1": schema(EnterpriseDeleted)}}

    _, broken_problems = asyncapi.updated_baseline(broken)
    _, retired_problems = asyncapi.updated_baseline(retired)

    assert broken_problems == ["enterprise.deleted version 1: payload.reason: removed"]
    assert retired_problems == ["enterprise.moved version 1: its contract is gone"]
