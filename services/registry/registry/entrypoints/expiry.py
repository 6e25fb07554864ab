"""The expiry sweep: a bounded loop inside `serve` (every REGISTRY_EXPIRY_INTERVAL_SECONDS, stopped
with the process) and one pass from a shell (`python -m registry expire-listings`)."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from registry.config import Settings
from registry.domain.expiry import Clock, ReminderWindow, SystemClock
from registry.service_layer.expiry import ExpiryPass, expire_listings
from registry.service_layer.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)


async def sweep_until_stopped(
    session_factory, settings: Settings, stop: asyncio.Event, *, clock: Clock | None = None
) -> None:
    """A pass at once, then one every interval until `stop`; a pass that fails is logged and the
    next tries again."""
    clock = clock or SystemClock()
    window = ReminderWindow(settings.expiry_reminder_days)
    while not stop.is_set():
        try:
            await expire_listings(
                unit_of_work=lambda: UnitOfWork(session_factory), clock=clock, window=window
            )
        except Exception:
            log.exception("listings_expiry_pass_failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.expiry_interval_seconds)


async def expire_once(settings: Settings, *, clock: Clock | None = None) -> ExpiryPass:
    """One pass on an engine of its own; the relay (in `serve` or alone) publishes its events."""
    engine = create_async_engine(settings.database_url, hide_parameters=True, pool_size=2)
    try:
        factory = async_sessionmaker(engine, expire_on_commit=False)
        return await expire_listings(
            unit_of_work=lambda: UnitOfWork(factory),
            clock=clock or SystemClock(),
            window=ReminderWindow(settings.expiry_reminder_days),
        )
    finally:
        await engine.dispose()
