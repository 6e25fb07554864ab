"""The one place where the registry's parts are wired together."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from functools import partial

import structlog
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from eventkit.kafka import idempotent_producer
from eventkit.outbox import OutboxRelay
from registry.adapters.orm import outbox
from registry.adapters.reference_files import load_reference
from registry.config import Settings
from registry.domain.actors import Caller
from registry.domain.listing import Listing
from registry.domain.reference import Reference
from registry.entrypoints.api import router
from registry.entrypoints.consumer import run_consumer
from registry.entrypoints.expiry import sweep_until_stopped
from registry.entrypoints.partners import router as partners_router
from registry.entrypoints.problems import DOMAIN_ERRORS
from registry.entrypoints.reference_documents import ReferenceDocuments
from registry.observability import Metrics
from registry.service_layer import listings as listing_cases
from registry.service_layer.group_commit import GroupCommit
from registry.service_layer.listings import Publication
from registry.service_layer.unit_of_work import UnitOfWork
from servicekit.runner import DatabaseAndKafka, Workers
from servicekit.service_app import create_service_app

log = structlog.get_logger(__name__)


@dataclass
class Container(DatabaseAndKafka):
    settings: Settings
    reference: Reference
    metrics: Metrics
    publications: GroupCommit[Publication, Listing]
    reference_documents: ReferenceDocuments = field(init=False)

    def __post_init__(self) -> None:
        # Encoded once at start-up: each GET /sectors is then the same bytes under one ETag.
        self.reference_documents = ReferenceDocuments.of(self.reference)


def build_container(settings: Settings, metrics: Metrics) -> Container:
    """Called inside the running event loop: the Kafka clients need one."""
    # No pre-ping: on asyncpg it costs three round trips (BEGIN, ";", ROLLBACK) per checkout, more
    # than a listing's own statements. A connection the server closed is known locally instead.
    engine = create_async_engine(
        settings.database_url, hide_parameters=True, pool_size=20, max_overflow=10, pool_recycle=600
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    session_factory = async_sessionmaker(engine, expire_on_commit=False)
    return Container(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        producer=idempotent_producer(
            settings.kafka_bootstrap_servers,
            client_id="registry",
            security=settings.kafka_security(),
        ),
        reference=load_reference(settings.data_dir),
        metrics=metrics,
        publications=listing_cases.publications_committed_together(
            unit_of_work=partial(UnitOfWork, session_factory),
            max_batch=settings.publish_batch_max,
            writers=settings.publish_writers,
        ),
    )


def _refuse_closed_connection(dbapi_connection, connection_record, connection_proxy) -> None:
    """asyncpg marks a connection closed as soon as the server ends it (a restart, a terminated
    backend): the pool then drops it and checks out another, instead of failing the request. This is
    the same test SQLAlchemy's asyncpg dialect uses to tell a disconnect."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


async def run_relay(container: Container, stop: asyncio.Event) -> None:
    relay = await container.outbox_relay(
        outbox,
        batch_size=container.settings.relay_batch_size,
        on_published=lambda batch: _record_published(container.metrics, batch),
    )
    await _paced(relay, stop, container.settings.relay_pass_interval_seconds)


async def _paced(relay: OutboxRelay, stop: asyncio.Event, interval: float) -> None:
    """One pass over the outbox at most every `interval` seconds; a pass that fails is logged and
    the next one tries again."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        try:
            await relay.publish_pending()
        except Exception:
            log.exception("outbox_relay_pass_failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, started + interval - loop.time()))


def _record_published(metrics: Metrics, batch) -> None:
    metrics.outbox_published.inc(batch.count)
    metrics.outbox_lag.observe(batch.lag_seconds())


async def run_relay_alone(settings: Settings, stop: asyncio.Event) -> None:
    """The relay as a process of its own (`python -m registry relay`): it keeps its pace when the
    HTTP side is busy, and several may run beside the services' own relays."""
    container = build_container(settings, Metrics())
    async with Workers(stop=stop) as workers:
        workers.on_close(container.close)
        await container.start_producer()
        await run_relay(container, stop)


async def run_consumer_alone(settings: Settings, stop: asyncio.Event) -> None:
    """The consumer of matching's events as a process of its own (`python -m registry consume`),
    beside `serve` run with REGISTRY_CONSUMER_ENABLED=false."""
    container = build_container(settings, Metrics())
    async with Workers(stop=stop) as workers:
        workers.on_close(container.close)
        workers.start_up(container.start_producer())
        workers.keep_running("consumer", lambda: run_consumer(container, stop))
        await stop.wait()


def create_app(settings: Settings) -> FastAPI:
    return create_service_app(
        settings,
        service="registry",
        metrics=Metrics(),
        routers=[router, partners_router],
        build_container=build_container,
        start_workers=start_workers,
        domain_errors=DOMAIN_ERRORS,
        caller_type=Caller,
        max_bytes=settings.max_body_bytes,
    )


def start_workers(container: Container, workers: Workers) -> None:
    settings, stop = container.settings, workers.stop
    workers.start_up(container.start_producer())
    if settings.relay_enabled:
        workers.run(run_relay(container, stop))
    if settings.expiry_enabled:  # listings past valid_until close (entrypoints/expiry.py)
        workers.run(sweep_until_stopped(container.session_factory, settings, stop))
    if settings.consumer_enabled:
        workers.keep_running("consumer", lambda: run_consumer(container, stop))
