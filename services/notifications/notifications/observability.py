"""The notifications service's own metrics, beside the HTTP ones and the events passed over
(servicekit)."""

from __future__ import annotations

from servicekit.observability import ConsumerMetrics


class Metrics(ConsumerMetrics):
    def __init__(self) -> None:
        super().__init__()
        self.emails = self.counter(
            "emails_total", "Email delivery outcomes", ["template", "status"]
        )
        self.deliveries = self.gauge(
            "deliveries", "Deliveries in the database by status (read at scrape time)", ["status"]
        )
