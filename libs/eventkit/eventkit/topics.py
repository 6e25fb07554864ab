"""Topic names and their partition counts; the one place both producers and the infrastructure read."""

ENTERPRISES = "registry.enterprises"
LISTINGS = "registry.listings"
MATCHES = "matching.matches"
DELIVERIES = "notifications.deliveries"


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
