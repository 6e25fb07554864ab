"""The agency's delivery log is read and re-sent by a selection whose every criterion is optional:
left out, a criterion selects everything; given, it narrows the log."""

import uuid
from datetime import UTC, datetime

from notifications.adapters.repository import _conditions
from notifications.domain.deliveries import DeliveryFilter


def sql(selection: DeliveryFilter) -> list[str]:
    return [str(condition) for condition in _conditions(selection)]


def test_an_empty_selection_sets_no_condition():
    assert sql(DeliveryFilter()) == []


def test_each_criterion_given_narrows_the_log_once():
    selection = DeliveryFilter(
        status="dead",
        template="welcome",
        enterprise_id=uuid.uuid4(),
        created_from=datetime(2026, 12, 1, tzinfo=UTC),
        created_until=datetime(2026, 12, 2, tzinfo=UTC),
    )

    assert sql(selection) == [
        "deliveries.status = :status_1",
        "deliveries.template = :template_1",
        "deliveries.enterprise_id = :enterprise_id_1",
        "deliveries.created_at >= :created_at_1",
        "deliveries.created_at < :created_at_1",
    ]


def test_a_selection_by_enterprise_alone_leaves_the_dates_open():
    assert sql(DeliveryFilter(enterprise_id=uuid.uuid4())) == [
        "deliveries.enterprise_id = :enterprise_id_1"
    ]
