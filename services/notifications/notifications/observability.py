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


async def count_deliveries(container) -> None:
    """Sets the deliveries gauge from the database, at each scrape."""
    from notifications.service_layer import deliveries
    from notifications.service_layer.unit_of_work import UnitOfWork

    try:
        counts = await deliveries.get_counts_by_status(uow=UnitOfWork(container.session_factory))
    except Exception:  # the counters and latencies are still worth serving without the database
        return
    for status, count in counts.items():
        container.metrics.deliveries.labels(status).set(count)
