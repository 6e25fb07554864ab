"""The registry's own metrics, beside the HTTP ones and the events passed over (servicekit)."""

from __future__ import annotations

from servicekit.observability import ConsumerMetrics


class Metrics(ConsumerMetrics):
    def __init__(self) -> None:
        super().__init__()
        self.outbox_published = self.counter(
            "outbox_events_published_total", "Outbox events published to Kafka"
        )
        self.outbox_lag = self.histogram(
            "outbox_publish_lag_seconds",
            "Commit-to-Kafka lag of the oldest event in a batch",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
