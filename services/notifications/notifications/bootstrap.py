"""The one place where the notifications service's parts are wired together."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import structlog
from fastapi import FastAPI

from eventkit.published_secrets import secret_values
from notifications.adapters.links import SignedLinks
from notifications.adapters.rendering import TemplateRenderer
from notifications.adapters.smtp import SmtpMailer
from notifications.config import Settings
from notifications.entrypoints.api import router
from notifications.entrypoints.workers import run_consumer, run_dead_letter_relay, run_sender
from notifications.observability import Metrics, count_deliveries
from servicekit.runner import DatabaseAndKafka, Workers
from servicekit.service_app import create_service_app

log = structlog.get_logger(__name__)


@dataclass
class Container(DatabaseAndKafka):
    settings: Settings
    mailer: SmtpMailer
    renderer: TemplateRenderer
    links: SignedLinks
    metrics: Metrics
    sender_wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    async def close(self) -> None:
        await self.mailer.close()
        await super().close()


def build_container(settings: Settings, metrics: Metrics) -> Container:
    """Called inside the running event loop: the Kafka clients need one."""
    return Container.connected(
        settings,
        client_id="notifications",
        mailer=SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_from,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            timeout=settings.smtp_timeout_seconds,
            connections=settings.smtp_connections,
        ),
        renderer=TemplateRenderer(),
        links=SignedLinks(
            public_base_url=settings.public_base_url,
            public_api_url=settings.public_api_url,
            secret=settings.internal_token_secret.get_secret_value(),
            previous_secrets=secret_values(settings.internal_token_previous_secrets),
        ),
        metrics=metrics,
    )


def create_app(settings: Settings) -> FastAPI:
    return create_service_app(
        settings,
        service="notifications",
        metrics=Metrics(),
        routers=[router],
        build_container=build_container,
        start_workers=start_workers,
        named_in_problems="notifications service",
        before_scrape=count_deliveries,
    )


def start_workers(container: Container, workers: Workers) -> None:
    stop = workers.stop

    async def consume() -> None:
        await container.producer_started.wait()  # dead letters are written through it
        await run_consumer(container, stop)

    workers.start_up(container.start_producer())
    workers.keep_running("consumer", consume)
    workers.keep_running("sender", lambda: run_sender(container, stop))
    workers.keep_running("dead-letter relay", lambda: run_dead_letter_relay(container, stop))
