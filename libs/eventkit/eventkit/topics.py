"""Topic names and their partition counts; the one place both producers and the infrastructure read."""

ENTERPRISES = "registry.enterprises"
LISTINGS = "registry.listings"
MATCHES = "matching.matches"
DELIVERIES = "notifications.deliveries"


# The event types each topic carries (contracts.py holds their payloads). A consumer dead-letters any
# other type it reads there: a type on the wrong topic would be applied out of its key's order.
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
}


def dead_letter(topic: str) -> str:
    return f"{topic}.dlq"


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
