"""The one place where the matching service's parts are wired together."""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass, field

import structlog
from fastapi import FastAPI
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential_jitter

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
from servicekit.runner import DatabaseAndKafka, Workers
from servicekit.service_app import create_service_app

log = structlog.get_logger(__name__)


@dataclass
class Container(DatabaseAndKafka):
    settings: Settings
    metrics: Metrics
    matcher: Matcher
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
    return Container.connected(
        settings, client_id="matching", metrics=metrics, matcher=build_matcher(settings)
    )


async def build_index(container: Container) -> None:
    """The index lives in memory: it is filled from the listings table before any event is
    applied."""
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
    relay = await container.outbox_relay(outbox, batch_size=container.settings.relay_batch_size)
    await relay.run(stop)


def create_app(settings: Settings) -> FastAPI:
    return create_service_app(
        settings,
        service="matching",
        metrics=Metrics(),
        routers=[router],
        build_container=build_container,
        start_workers=start_workers,
        named_in_problems="matching service",
        domain_errors=DOMAIN_ERRORS,
    )


def start_workers(container: Container, workers: Workers) -> None:
    """Events are applied once the index is built, and dead letters need the producer."""

    async def consume() -> None:
        await container.producer_started.wait()
        await container.index_ready.wait()
        await run_consumer(container, workers.stop)

    workers.start_up(container.start_producer())
    workers.start_up(build_index(container))
    workers.keep_running("consumer", consume)
    if container.settings.relay_enabled:
        workers.run(run_relay(container, workers.stop))
