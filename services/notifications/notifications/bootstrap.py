"""The one place where the notifications service's parts are wired together."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import structlog
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from eventkit.kafka import idempotent_producer, kafka_is_reachable, keep_running
from notifications.adapters.links import SignedLinks
from notifications.adapters.rendering import TemplateRenderer
from notifications.adapters.smtp import SmtpMailer
from notifications.config import Settings
from notifications.entrypoints.api import health, router
from notifications.entrypoints.workers import run_consumer, run_dead_letter_relay, run_sender
from notifications.observability import Metrics
from servicekit.internal_token import InternalTokenVerifier, install_internal_token
from servicekit.observability import RequestContextMiddleware
from servicekit.problems import install_problem_handlers
from servicekit.request_limits import RequestLimits

log = structlog.get_logger(__name__)


@dataclass
class Container:
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

    async def database_is_reachable(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def kafka_is_reachable(self) -> bool:
        return self.producer_started.is_set() and await kafka_is_reachable(self.producer)


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


async def _start_producer(container: Container) -> None:
    await container.producer.start()
    container.producer_started.set()


def create_app(settings: Settings) -> FastAPI:
    metrics = Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = build_container(settings, metrics)
        app.state.container = container
        stop = asyncio.Event()

        async def consume() -> None:
            if not container.producer_started.is_set():
                await _start_producer(container)
            await run_consumer(container, stop)

        tasks = [
            asyncio.create_task(keep_running("consumer", consume, stop)),
            asyncio.create_task(keep_running("sender", lambda: run_sender(container, stop), stop)),
            asyncio.create_task(
                keep_running(
                    "dead-letter relay", lambda: run_dead_letter_relay(container, stop), stop
                )
            ),
        ]
        try:
            yield
        finally:
            stop.set()
            await asyncio.wait(tasks, timeout=10)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await container.mailer.close()
            if container.producer_started.is_set():
                await container.producer.stop()
            await container.engine.dispose()

    app = FastAPI(title="Union Match notifications", version="0.1.0", lifespan=lifespan)
    install_problem_handlers(app, service="notifications service")
    install_internal_token(
        app,
        InternalTokenVerifier(
            audience="notifications", secret=settings.internal_token_secret.get_secret_value()
        ),
    )
    app.include_router(router)
    app.include_router(health)
    app.add_middleware(
        RequestLimits
    )  # bounds the body, the headers and the text fields of every route
    app.add_middleware(RequestContextMiddleware, metrics=metrics, service="notifications")
    return app
