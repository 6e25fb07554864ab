"""The one place where the matching service's parts are wired together."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import structlog
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential_jitter

from eventkit.kafka import idempotent_producer
from eventkit.outbox import OutboxRelay
from matching.adapters.orm import outbox
from matching.adapters.reference_files import load_gazetteer, load_region_names, load_taxonomy
from matching.adapters.units import load_quantities
from matching.config import Settings
from matching.domain.index import MatchIndex
from matching.domain.scoring import Policy, Scorer, Weights
from matching.domain.taxonomy import Lexicon
from matching.entrypoints.api import router
from matching.entrypoints.problems import DOMAIN_ERRORS
from matching.entrypoints.workers import run_consumer
from matching.observability import Metrics
from matching.service_layer.matcher import Matcher
from matching.service_layer.unit_of_work import UnitOfWork
from servicekit.health import health_routes
from servicekit.internal_token import InternalTokenVerifier, install_internal_token
from servicekit.observability import RequestContextMiddleware
from servicekit.problems import install_problem_handlers
from servicekit.request_limits import RequestLimits
from servicekit.runner import DatabaseAndKafka, Workers

log = structlog.get_logger(__name__)


@dataclass
class Container(DatabaseAndKafka):
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    producer: AIOKafkaProducer
    metrics: Metrics
    matcher: Matcher
    producer_started: asyncio.Event = field(default_factory=asyncio.Event)
    index_ready: asyncio.Event = field(default_factory=asyncio.Event)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    async def readiness(self) -> dict[str, bool]:
        return {**await super().readiness(), "index": self.index_ready.is_set()}


def build_matcher(settings: Settings) -> Matcher:
    taxonomy = load_taxonomy(settings.data_dir)
    policy = Policy(
        weights=Weights(**settings.weights.model_dump()),
        max_distance_km=settings.max_distance_km,
        cross_border_bonus=settings.cross_border_bonus,
    )
    # The units library (pint) is built here, once, not when a module is imported.
    scorer = Scorer(
        taxonomy,
        load_gazetteer(settings.data_dir),
        policy,
        quantities=load_quantities(settings.data_dir),
        region_names=load_region_names(settings.data_dir),
    )
    index = MatchIndex(scorer, Lexicon.build(taxonomy))
    return Matcher(
        index=index, threshold=settings.threshold, limit=settings.max_proposed_per_listing
    )


def build_container(settings: Settings, metrics: Metrics) -> Container:
    """Called inside the running event loop: the Kafka clients need one."""
    engine = create_async_engine(
        settings.database_url, hide_parameters=True, pool_size=10, pool_pre_ping=True
    )
    return Container(
        settings=settings,
        engine=engine,
        session_factory=async_sessionmaker(engine, expire_on_commit=False),
        producer=idempotent_producer(settings.kafka_bootstrap_servers, client_id="matching"),
        metrics=metrics,
        matcher=build_matcher(settings),
    )


async def build_index(container: Container) -> None:
    """The index lives in memory: it is filled from the listings table before any event is applied."""
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type(Exception),
        wait=wait_exponential_jitter(multiplier=0.5, max=5),
    ):
        with attempt:
            async with container.unit_of_work() as uow:
                count = await container.matcher.catch_up(uow=uow)
    # Millions of long-lived index objects would make every full collection walk them all, and a
    # full collection in the middle of a match is a latency spike.
    gc.collect()
    gc.freeze()
    log.info("index_built", listings=count, active=len(container.matcher.index))
    container.index_ready.set()


async def run_relay(container: Container, stop: asyncio.Event) -> None:
    await container.producer_started.wait()
    relay = OutboxRelay(
        engine=container.engine,
        producer=container.producer,
        table=outbox,
        batch_size=container.settings.relay_batch_size,
    )
    await relay.run(stop)


def create_app(settings: Settings) -> FastAPI:
    metrics = Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = build_container(settings, metrics)
        app.state.container = container
        async with Workers() as workers:
            workers.on_close(container.close)

            async def consume() -> None:
                await container.producer_started.wait()
                await container.index_ready.wait()
                await run_consumer(container, workers.stop)

            workers.start_up(container.start_producer())
            workers.start_up(build_index(container))
            workers.keep_running("consumer", consume)
            if settings.relay_enabled:
                workers.run(run_relay(container, workers.stop))
            yield

    app = FastAPI(title="Union Match matching", version="0.1.0", lifespan=lifespan)
    install_problem_handlers(app, service="matching service", domain_errors=DOMAIN_ERRORS)
    install_internal_token(
        app,
        InternalTokenVerifier(
            audience="matching", secret=settings.internal_token_secret.get_secret_value()
        ),
    )
    app.include_router(router)
    app.include_router(health_routes())
    app.add_middleware(
        RequestLimits
    )  # bounds the body, the headers and the text fields of every route
    app.add_middleware(RequestContextMiddleware, metrics=metrics, service="matching")
    return app
