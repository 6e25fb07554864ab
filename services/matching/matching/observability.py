"""The matching service's own metrics, beside the HTTP ones and the events passed over
(servicekit)."""

from __future__ import annotations

from servicekit.observability import ConsumerMetrics


class Metrics(ConsumerMetrics):
    def __init__(self) -> None:
        super().__init__()
        self.events_applied = self.counter(
            "events_applied_total", "Registry events applied to the read model", ["type"]
        )
