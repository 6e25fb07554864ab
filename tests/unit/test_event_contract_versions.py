"""A producer writes each event type with its contract's current version, and an event type no
contract names is refused rather than written."""

import pytest

from eventkit.contracts import MatchApproved, current_contract


def test_a_producer_writes_an_event_type_with_its_current_contract():
    assert current_contract("match.approved") is MatchApproved


def test_an_event_type_without_a_contract_is_refused():
    with pytest.raises(KeyError, match="match.teleported"):
        current_contract("match.teleported")
