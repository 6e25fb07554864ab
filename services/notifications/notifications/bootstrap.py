"""The one place where the notifications service's parts are wired together."""

from __future__ import annotations

import asyncio
import contextlib
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

from eventkit.kafka import idempotent_producer
from notifications.adapters.links import SignedLinks
from notifications.adapters.rendering import TemplateRenderer
from notifications.adapters.smtp import SmtpMailer
from notifications.config import Settings
from notifications.entrypoints.api import router
from notifications.entrypoints.workers import run_consumer, run_dead_letter_relay, run_sender
from notifications.observability import Metrics, count_deliveries
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
    mailer: SmtpMailer
    renderer: TemplateRenderer
    links: SignedLinks
    metrics: Metrics
    producer_started: asyncio.Event = field(default_factory=asyncio.Event)
    sender_wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    async def close(self) -> None:
        await self.mailer.close()
        await super().close()


def build_container(settings: Settings, metrics: Metrics) -> Container:
    """Called inside the running event loop: the Kafka clients need one."""
    engine = create_async_engine(
        settings.database_url, hide_parameters=True, pool_size=10, pool_pre_ping=True
    )
    return Container(
        settings=settings,
        engine=engine,
        session_factory=async_sessionmaker(engine, expire_on_commit=False),
        producer=idempotent_producer(settings.kafka_bootstrap_servers, client_id="notifications"),
        mailer=SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_from,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            timeout=settings.smtp_timeout_seconds,
        ),
        renderer=TemplateRenderer(),
        links=SignedLinks(
            public_base_url=settings.public_base_url,
            public_api_url=settings.public_api_url,
            secret=settings.internal_token_secret.get_secret_value(),
        ),
        metrics=metrics,
    )


def create_app(settings: Settings) -> FastAPI:
    metrics = Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = build_container(settings, metrics)
        app.state.container = container
        async with Workers() as workers:
            workers.on_close(container.close)
            stop = workers.stop

            async def consume() -> None:
                await container.producer_started.wait()  # dead letters are written through it
                await run_consumer(container, stop)

            workers.start_up(container.start_producer())
            workers.keep_running("consumer", consume)
            workers.keep_running("sender", lambda: run_sender(container, stop))
            workers.keep_running(
                "dead-letter relay", lambda: run_dead_letter_relay(container, stop)
            )
            yield

    app = FastAPI(title="Union Match notifications", version="0.1.0", lifespan=lifespan)
    install_problem_handlers(app, service="notifications service")
    install_internal_token(
        app,
        InternalTokenVerifier(
            audience="notifications", secret=settings.internal_token_secret.get_secret_value()
        ),
    )
    app.include_router(router)
    app.include_router(health_routes(before_scrape=count_deliveries))
    app.add_middleware(
        RequestLimits
    )  # bounds the body, the headers and the text fields of every route
    app.add_middleware(RequestContextMiddleware, metrics=metrics, service="notifications")
    return app
