"""The one place where the gateway's parts are wired together."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from eventkit.published_secrets import secret_values
from gateway.adapters.account_emails import AccountEmails, NotificationsDoor
from gateway.adapters.invitations import Invitations
from gateway.adapters.ownership_cache import OwnershipCache
from gateway.adapters.passwords import Passwords
from gateway.adapters.registry_enterprises import RegistryEnterprises
from gateway.adapters.tokens import (
    RESET_PASSWORD_PURPOSE,
    AccessTokens,
    ConfirmationLinks,
    PasswordLinks,
    SessionCache,
)
from gateway.adapters.upstream import Upstream
from gateway.config import Settings
from gateway.domain.circuit_breaker import CircuitBreaker
from gateway.domain.client_address import trusted_networks
from gateway.domain.rate_limit import GrowingDelays, PasswordThrottle, RateLimiter, SignInThrottle
from gateway.entrypoints import openapi, problems
from gateway.entrypoints.accounts.auth import auth
from gateway.entrypoints.accounts.email_sender import start_email_sender
from gateway.entrypoints.accounts.registry_events import start_registry_events
from gateway.entrypoints.accounts.staff import staff_accounts
from gateway.entrypoints.client_address import ClientAddress
from gateway.entrypoints.protection import IpRateLimit, SecurityHeaders
from gateway.entrypoints.proxy import health, router
from gateway.observability import Metrics
from gateway.service_layer.unit_of_work import UnitOfWork
from servicekit.head_requests import AnswerHeadAsGet
from servicekit.health import database_is_reachable
from servicekit.observability import RequestContextMiddleware
from servicekit.problems import install_problem_handlers
from servicekit.request_limits import RequestLimits
from servicekit.response_headers import RedirectWithinSite
from servicekit.runner import Workers
from servicekit.service_app import container_lifespan

DESCRIPTION = """Cross-border business matchmaking for the Smolensk region and Belarus.

Sign in with `POST /api/v1/auth/token` (OAuth2 password flow) and send the access token as
`Authorization: Bearer <token>`. Each operation's `x-access` says who may call it: `anyone`,
`signed_in`, `company` (a company account on its own enterprise; the agency and admins too),
`staff` (the investment agency or an admin) or `admin`. Errors are RFC 9457 problem details."""


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    upstreams: dict[str, Upstream]
    passwords: Passwords
    access_tokens: AccessTokens
    confirmation_links: ConfirmationLinks
    password_links: PasswordLinks
    reset_links: PasswordLinks
    invitations: Invitations
    account_emails: AccountEmails
    # Account emails are kept in the database by the use cases and handed over by the sender.
    email_door: NotificationsDoor
    emails_queued: asyncio.Event
    account_rate_limiter: RateLimiter
    sign_in_throttle: PasswordThrottle
    registration_limiter: RateLimiter
    password_reset_throttle: SignInThrottle
    ownership: OwnershipCache
    metrics: Metrics
    sessions: SessionCache
    enterprises: RegistryEnterprises

    def unit_of_work(self) -> UnitOfWork:
        """A request's unit of work: its commit tells the session cache of ended sessions and wakes
        the email sender when it kept an email."""
        return UnitOfWork(
            self.session_factory, sessions=self.sessions, emails_queued=self.emails_queued
        )

    async def readiness(self) -> dict[str, bool]:
        """The database and each service behind the gateway, asked at once."""
        results = await asyncio.gather(
            database_is_reachable(self.engine), *(u.is_ready() for u in self.upstreams.values())
        )
        return {"database": results[0], **dict(zip(self.upstreams, results[1:], strict=True))}

    async def close(self) -> None:
        for upstream in self.upstreams.values():
            await upstream.close()
        await self.engine.dispose()


def build_container(settings: Settings, metrics: Metrics) -> Container:
    secret = settings.internal_token_secret.get_secret_value()
    jwt_secrets = {
        "secret": settings.jwt_secret.get_secret_value(),
        "previous_secrets": secret_values(settings.jwt_previous_secrets),
    }
    urls = {
        "registry": settings.registry_url,
        "matching": settings.matching_url,
        "notifications": settings.notifications_url,
    }
    upstreams = {
        name: Upstream(
            name=name,
            base_url=url,
            secret=secret,
            token_ttl=settings.internal_token_ttl_seconds,
            timeout=settings.upstream_timeout_seconds,
            breaker=CircuitBreaker(
                settings.breaker_failure_threshold, settings.breaker_cooldown_seconds
            ),
        )
        for name, url in urls.items()
    }
    # No pre-ping: on asyncpg it is three round trips per checkout, as many as the write it guards.
    engine = create_async_engine(
        settings.database_url, hide_parameters=True, pool_size=10, max_overflow=10, pool_recycle=600
    )
    event.listen(engine.sync_engine, "checkout", _drop_connection_the_server_closed)
    password_links = PasswordLinks(
        **jwt_secrets, ttl_seconds=settings.set_password_link_ttl_hours * 3600
    )
    reset_links = PasswordLinks(
        **jwt_secrets,
        ttl_seconds=settings.password_reset_link_ttl_minutes * 60,
        purpose=RESET_PASSWORD_PURPOSE,
    )
    confirmation_links = ConfirmationLinks(
        secret=secret, previous_secrets=secret_values(settings.internal_token_previous_secrets)
    )
    return Container(
        settings=settings,
        engine=engine,
        session_factory=async_sessionmaker(engine, expire_on_commit=False),
        upstreams=upstreams,
        passwords=Passwords(
            time_cost=settings.argon2_time_cost, memory_cost_kib=settings.argon2_memory_cost_kib
        ),
        access_tokens=AccessTokens(**jwt_secrets, ttl_seconds=settings.access_token_ttl_seconds),
        confirmation_links=confirmation_links,
        password_links=password_links,
        reset_links=reset_links,
        invitations=Invitations(links=password_links, web_base_url=settings.web_base_url),
        account_emails=AccountEmails(
            confirmation_links=confirmation_links,
            reset_links=reset_links,
            web_base_url=settings.web_base_url,
        ),
        email_door=NotificationsDoor(upstreams["notifications"]),
        emails_queued=asyncio.Event(),
        account_rate_limiter=RateLimiter(
            per_second=settings.rate_limit_account_per_second,
            burst=settings.rate_limit_account_burst,
        ),
        sign_in_throttle=_sign_in_throttle(settings),
        registration_limiter=RateLimiter(
            per_second=settings.registrations_per_address / settings.registration_window_seconds,
            burst=settings.registrations_per_address,
        ),
        password_reset_throttle=_throttle(
            settings.password_resets_per_address,
            settings.password_resets_per_email,
            settings.password_reset_window_seconds,
        ),
        ownership=OwnershipCache(ttl_seconds=settings.ownership_cache_seconds),
        metrics=metrics,
        sessions=SessionCache(ttl_seconds=settings.session_cache_seconds),
        enterprises=RegistryEnterprises(registry=upstreams["registry"]),
    )


def _sign_in_throttle(settings: Settings) -> PasswordThrottle:
    def delays(free: int, forgotten_seconds: float) -> GrowingDelays:
        return GrowingDelays(
            free=free,
            first_delay=settings.sign_in_first_delay_seconds,
            max_delay=settings.sign_in_longest_delay_seconds,
            forget_seconds=forgotten_seconds,
        )

    return PasswordThrottle(
        per_pair=delays(
            settings.sign_in_free_failures_per_pair, settings.sign_in_pair_failure_forgotten_seconds
        ),
        per_address=delays(
            settings.sign_in_free_failures_per_address,
            settings.sign_in_address_failure_forgotten_seconds,
        ),
    )


def _throttle(per_address: int, per_email: int, window: float) -> SignInThrottle:
    """Each address may ask `per_address` times and each email `per_email` times, given back over
    the window."""
    return SignInThrottle(
        per_address=RateLimiter(per_second=per_address / window, burst=per_address),
        per_email=RateLimiter(per_second=per_email / window, burst=per_email),
    )


def _drop_connection_the_server_closed(
    dbapi_connection, connection_record, connection_proxy
) -> None:
    """asyncpg knows at once when the server ended a connection (a restart, a killed backend);
    raising here makes the pool discard it and hand out another instead of failing the request."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the database closed this pooled connection")


def create_app(settings: Settings, *, on_start=None) -> FastAPI:
    """`on_start(container)` runs once the container exists (demo accounts are opened there)."""
    metrics = Metrics()

    async def start_workers(container: Container, workers: Workers) -> None:
        if on_start is not None:
            await on_start(container)
        start_registry_events(container, workers)
        start_email_sender(container, workers)

    lifespan = container_lifespan(
        settings, metrics, build_container=build_container, start_workers=start_workers
    )
    # Swagger UI (/docs) and ReDoc (/redoc) from the package's own copies: no CDN, no internet.
    app = FastAPIOffline(
        title="Union Match API", version="0.1.0", description=DESCRIPTION, lifespan=lifespan
    )
    install_problem_handlers(app, service="gateway", domain_errors=problems.DOMAIN_ERRORS)
    app.include_router(auth)
    app.include_router(staff_accounts)
    app.include_router(router)
    app.include_router(health)
    openapi.install(app)
    ip_limiter = RateLimiter(
        per_second=settings.rate_limit_ip_per_second, burst=settings.rate_limit_ip_burst
    )
    # Added innermost first: the request id wraps everything, so even a refusal carries one.
    app.add_middleware(RequestLimits, max_bytes=settings.max_body_bytes)
    app.add_middleware(IpRateLimit, limiter=ip_limiter)
    app.add_middleware(
        ClientAddress, trusted=trusted_networks(settings.trusted_proxies)
    )  # before any limit reads the address
    if settings.cors_origins:  # none (the default) turns CORS off: no browser origin may call
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "X-Request-ID",
                "traceparent",
                "tracestate",
            ],
            expose_headers=["Retry-After", "X-Request-ID", "Location"],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AnswerHeadAsGet)
    app.add_middleware(RedirectWithinSite)
    app.add_middleware(RequestContextMiddleware, metrics=metrics, service="gateway")
    return app
