"""Each event type of the contracts travels on exactly one topic, the one its consumers accept it
from."""

from eventkit import contracts, topics


def test_every_contract_type_belongs_to_exactly_one_topic():
    contract_types = {event_type for event_type, _version in contracts._CONTRACTS}
    carried = [event_type for types in topics.EVENT_TYPES.values() for event_type in types]

    assert sorted(carried) == sorted(contract_types)


def test_every_consumed_platform_topic_names_its_types():
    from matching.entrypoints.workers import CONSUMED_TOPICS as matching_reads
    from notifications.entrypoints.workers import CONSUMED_TOPICS as notifications_reads
    from registry.entrypoints.consumer import CONSUMED_TOPICS as registry_reads

    assert set(matching_reads + notifications_reads + registry_reads) <= set(topics.EVENT_TYPES)
