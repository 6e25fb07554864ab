"""Topic names and their partition counts; the one place both producers and the infrastructure
read."""

ENTERPRISES = "registry.enterprises"
LISTINGS = "registry.listings"
MATCHES = "matching.matches"
DELIVERIES = "notifications.deliveries"


def dead_letter(topic: str) -> str:
    return f"{topic}.dlq"


# The event types each topic carries (contracts.py holds their payloads). A consumer dead-letters
# any other type it reads there: a type on the wrong topic would be applied out of its key's order.
EVENT_TYPES: dict[str, frozenset[str]] = {
    ENTERPRISES: frozenset(
        {
            "enterprise.registered",
            "enterprise.updated",
            "enterprise.verified",
            "enterprise.suspended",
            "enterprise.reinstated",
            "enterprise.deleted",
        }
    ),
    LISTINGS: frozenset(
        {
            "listing.published",
            "listing.changed",
            "listing.closed",
            "listing.reopened",
            "listing.expiring",
        }
    ),
    MATCHES: frozenset(
        {
            "match.proposed",
            "match.approved",
            "match.rejected",
            "match.responded",
            "match.introduced",
            "match.closed",
            "match.withdrawn",
        }
    ),
    # Emails that became dead (the other dead-letter topics hold what a consumer could not handle).
    dead_letter(DELIVERIES): frozenset({"notification.dead"}),
}


PARTITIONS: dict[str, int] = {
    ENTERPRISES: 6,
    LISTINGS: 6,
    MATCHES: 6,
    DELIVERIES: 3,
    dead_letter(ENTERPRISES): 1,
    dead_letter(LISTINGS): 1,
    dead_letter(MATCHES): 1,
    dead_letter(DELIVERIES): 1,
}

# How long each topic keeps its messages (deploy/k8s's KafkaTopics): Kafka's default, 7 days, the
# retention the topics devstack and Compose create get from their broker.
RETENTION_MS: dict[str, int] = {topic: 7 * 24 * 3600 * 1000 for topic in PARTITIONS}


# Who publishes each topic, through its outbox relay (docs/asyncapi.yaml is generated from these
# tables). A dead-letter topic is written by the consumer groups that read its source topic.
PRODUCED_BY: dict[str, str] = {
    ENTERPRISES: "registry",
    LISTINGS: "registry",
    MATCHES: "matching",
    dead_letter(DELIVERIES): "notifications",
}

# The topics each service's consumer reads; its consumer group id defaults to the service's name
# (the <SERVICE>_CONSUMER_GROUP setting).
CONSUMED_BY: dict[str, tuple[str, ...]] = {
    "matching": (ENTERPRISES, LISTINGS),
    "notifications": (ENTERPRISES, LISTINGS, MATCHES),
    "registry": (MATCHES,),
    # The gateway rebuilds a company's ownership of an enterprise from its registration.
    "gateway": (ENTERPRISES,),
}

# The payload field whose value keys each topic's messages, so the events that must stay in order
# share a partition: an enterprise's own, its listings', and a match's (by the need's enterprise).
KEYED_BY: dict[str, str] = {
    ENTERPRISES: "enterprise_id",
    LISTINGS: "enterprise_id",
    MATCHES: "need.enterprise_id",
    dead_letter(DELIVERIES): "delivery_id",
}
