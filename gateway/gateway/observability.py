"""The gateway's metrics are the HTTP ones every app serves (servicekit); it adds none of its
own."""

from __future__ import annotations

from servicekit.observability import Metrics

__all__ = ["Metrics"]
