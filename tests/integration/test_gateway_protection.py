"""The gateway's own protections, on an in-process gateway with its real database: rate limits
per address and per account, security headers, CORS, the body limit, and what callers get when a
service hangs or fails."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import httpx
import pytest

from devstack.stack import Stack
from gateway.bootstrap import create_app
from gateway.config import Settings
from gateway.domain.accounts import Role
from gateway.service_layer import accounts
from gateway.service_layer.unit_of_work import UnitOfWork

PASSWORD = "a long passphrase"


@contextlib.asynccontextmanager
async def running_gateway(infra: Stack, **overrides):
    settings = Settings(
        database_url=infra.database_url("gateway"),
        internal_token_secret=infra.config.internal_token_secret,
        argon2_time_cost=1,
        argon2_memory_cost_kib=8192,
        **overrides,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            client.container = app.state.container
            yield client


async def _signed_in(client: httpx.AsyncClient, role: Role = Role.COMPANY) -> dict[str, str]:
    email = f"limits-{uuid.uuid4().hex[:10]}@example.ru"
    container = client.container
    await accounts.open_account(
        uow=UnitOfWork(container.session_factory),
        passwords=container.passwords,
        email=email,
        password=PASSWORD,
        role=role,
    )
    response = await client.post(
        "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@contextlib.asynccontextmanager
async def service_that(answer: bytes | None):
    """A real TCP service on loopback that answers every request with `answer`, or never answers."""
    held: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if answer is None:
            held.append(writer)  # keep the connection open, say nothing
            return
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        for writer in held:
            writer.close()
        server.close()


async def test_an_address_over_its_rate_is_told_to_come_back_later(infra):
    async with running_gateway(
        infra, rate_limit_ip_per_second=0.01, rate_limit_ip_burst=3
    ) as client:
        answers = [await client.get("/api/v1/auth/me") for _ in range(4)]

    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "/problems/rate-limited"
    assert int(refused.headers["retry-after"]) >= 1


async def test_an_account_over_its_rate_is_limited_without_slowing_other_accounts(infra):
    async with running_gateway(
        infra, rate_limit_account_per_second=0.01, rate_limit_account_burst=2
    ) as client:
        noisy = await _signed_in(client)
        quiet = await _signed_in(client)
        noisy_answers = [
            (await client.get("/api/v1/auth/me", headers=noisy)).status_code for _ in range(3)
        ]
        quiet_answer = await client.get("/api/v1/auth/me", headers=quiet)

    assert noisy_answers == [200, 200, 429]
    assert quiet_answer.status_code == 200


async def test_every_answer_carries_the_security_headers_and_json_may_not_be_framed_or_run(infra):
    async with running_gateway(infra) as client:
        for response in (
            await client.get("/api/v1/auth/me"),
            await client.get("/nowhere"),
            await client.get("/openapi.json"),
        ):
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["referrer-policy"] == "no-referrer"
            assert "default-src 'none'" in response.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_the_docs_page_may_load_swagger_ui_from_the_gateway_only_and_not_be_framed(infra):
    async with running_gateway(infra) as client:
        response = await client.get("/docs")

    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline';" in csp  # no CDN: /docs works without internet
    assert "https:" not in csp
    assert "frame-ancestors 'none'" in csp


async def test_the_web_pages_origin_may_call_the_api_and_others_may_not(infra):
    async with running_gateway(infra, cors_origins=["https://unionmatch.example"]) as client:
        preflight = {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        }
        allowed = await client.options(
            "/api/v1/enterprises", headers={"Origin": "https://unionmatch.example", **preflight}
        )
        stranger = await client.options(
            "/api/v1/enterprises", headers={"Origin": "https://evil.example", **preflight}
        )
        simple = await client.get(
            "/api/v1/auth/me", headers={"Origin": "https://unionmatch.example"}
        )

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://unionmatch.example"
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-origin" not in stranger.headers
    assert simple.headers["access-control-allow-origin"] == "https://unionmatch.example"
    assert "retry-after" in simple.headers["access-control-expose-headers"].lower()


async def test_a_body_over_the_limit_is_refused_before_it_reaches_a_service(infra):
    async with running_gateway(infra, max_body_bytes=1024) as client:
        response = await client.post(
            "/api/v1/auth/register",
            content=b"{" + b" " * 4096 + b"}",
            headers={"content-type": "application/json"},
        )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_service_that_fails_is_answered_as_bad_gateway_without_its_internals(infra):
    leak = b'{"detail": "Traceback: asyncpg password=hunter2 at db.internal"}'
    crash = (
        b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: "
        b"application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s" % (len(leak), leak)
    )
    async with service_that(crash) as url, running_gateway(infra, registry_url=url) as client:
        response = await client.get("/api/v1/sectors")

    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert "hunter2" not in response.text and "Traceback" not in response.text


async def test_a_service_that_hangs_is_given_up_on_and_then_callers_are_answered_at_once(infra):
    async with (
        service_that(None) as url,
        running_gateway(
            infra,
            registry_url=url,
            upstream_timeout_seconds=0.3,
            breaker_failure_threshold=2,
            breaker_cooldown_seconds=30,
        ) as client,
    ):
        first = await client.get("/api/v1/sectors")
        second = await client.get("/api/v1/sectors")
        loop = asyncio.get_running_loop()
        started = loop.time()
        while_open = await client.get("/api/v1/sectors")
        answered_in = loop.time() - started

    assert first.status_code == second.status_code == while_open.status_code == 503
    assert while_open.json()["type"] == "/problems/service-unavailable"
    assert 1 <= int(while_open.headers["retry-after"]) <= 30
    assert answered_in < 0.3  # no wait on the hung service once the breaker is open


@contextlib.asynccontextmanager
async def counting_service(answer: bytes):
    """A real TCP service on loopback that answers every request with `answer` and counts them."""
    received: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", received
    finally:
        server.close()


def _answer(status: str) -> bytes:
    body = b'{"title": "no"}'
    return (
        b"HTTP/1.1 %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\nconnection: "
        b"close\r\n\r\n%s" % (status.encode(), len(body), body)
    )


@pytest.mark.parametrize(
    "status",
    ["500 Internal Server Error", "400 Bad Request", "404 Not Found", "422 Unprocessable Entity"],
)
async def test_a_flood_of_requests_a_service_refuses_or_fails_on_never_opens_the_breaker(
    infra, status
):
    async with (
        counting_service(_answer(status)) as (url, received),
        running_gateway(
            infra, registry_url=url, breaker_failure_threshold=3, breaker_cooldown_seconds=30
        ) as client,
    ):
        answers = [await client.get(f"/api/v1/enterprises/{uuid.uuid4()}") for _ in range(30)]

    assert {a.status_code for a in answers} <= {400, 401, 404, 422, 502}
    assert 503 not in {a.status_code for a in answers}
    assert len(received) == 30  # every call reached the service: the breaker stayed closed


@pytest.mark.parametrize(
    "status", ["502 Bad Gateway", "503 Service Unavailable", "504 Gateway Timeout"]
)
async def test_a_service_that_says_it_is_unavailable_opens_the_breaker(infra, status):
    async with (
        counting_service(_answer(status)) as (url, received),
        running_gateway(
            infra, registry_url=url, breaker_failure_threshold=3, breaker_cooldown_seconds=30
        ) as client,
    ):
        answers = [await client.get("/api/v1/sectors") for _ in range(10)]

    assert answers[-1].status_code == 503
    assert answers[-1].json()["type"] == "/problems/service-unavailable"
    assert len(received) == 3  # three answers opened it; nothing more reached the service


async def test_a_write_is_not_repeated_when_the_service_does_not_answer(infra):
    received: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.readuntil(b"\r\n\r\n"))

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with running_gateway(infra, registry_url=url, upstream_timeout_seconds=0.3) as client:
        staff = await _signed_in(client, Role.AGENCY)
        reads = await client.get("/api/v1/sectors")
        reads_received = len(received)
        write = await client.post(f"/api/v1/enterprises/{uuid.uuid4()}/verify", headers=staff)
    server.close()

    assert reads.status_code == write.status_code == 503
    assert reads_received == 2  # a read is retried once
    assert len(received) == 3  # the write went out once


async def _open(client: httpx.AsyncClient, email: str) -> None:
    await accounts.open_account(
        uow=UnitOfWork(client.container.session_factory),
        passwords=client.container.passwords,
        email=email,
        password=PASSWORD,
        role=Role.COMPANY,
    )


def _from(address: str) -> dict[str, str]:
    """A request the trusted proxy (the in-process client's own address) passes on for `address`."""
    return {"X-Forwarded-For": address}


async def test_an_attacker_guessing_a_password_is_slowed_but_the_owner_signs_in_from_elsewhere(
    infra,
):
    async with running_gateway(
        infra, trusted_proxies=["203.0.113.7"], sign_in_free_failures_per_pair=3
    ) as client:
        email = f"guessed-{uuid.uuid4().hex[:10]}@example.ru"
        await _open(client, email)
        guesses = [
            await client.post(
                "/api/v1/auth/token",
                data={"username": email, "password": f"guess {n}"},
                headers=_from("198.51.100.66"),
            )
            for n in range(6)
        ]
        right_from_the_attacker = await client.post(
            "/api/v1/auth/token",
            data={"username": email, "password": PASSWORD},
            headers=_from("198.51.100.66"),
        )
        owner = await client.post(
            "/api/v1/auth/token",
            data={"username": email.upper(), "password": PASSWORD},
            headers=_from("192.0.2.10"),
        )

    assert [g.status_code for g in guesses] == [401, 401, 401, 401, 429, 429]
    assert guesses[-1].headers["content-type"] == "application/problem+json"
    assert guesses[-1].json()["type"] == "/problems/rate-limited"
    assert int(guesses[-1].headers["retry-after"]) >= 1
    assert (
        right_from_the_attacker.status_code == 429
    )  # the guesser's own address waits, even with the password
    assert owner.status_code == 200


async def test_an_address_failing_across_many_emails_is_slowed_but_right_passwords_never_count(
    infra,
):
    async with running_gateway(infra, sign_in_free_failures_per_address=3) as client:
        email = f"regular-{uuid.uuid4().hex[:10]}@example.ru"
        await _open(client, email)
        regular = [
            await client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
            for _ in range(5)
        ]
        sprayed = [
            await client.post(
                "/api/v1/auth/token",
                data={"username": f"nobody-{n}@example.ru", "password": "a guess"},
            )
            for n in range(5)
        ]

    assert [r.status_code for r in regular] == [200] * 5
    assert [s.status_code for s in sprayed] == [401, 401, 401, 401, 429]
    assert "retry-after" in sprayed[-1].headers


async def test_wrong_current_passwords_slow_the_guesser_s_address_not_the_owner_s(infra):
    async with running_gateway(
        infra, trusted_proxies=["203.0.113.7"], sign_in_free_failures_per_pair=2
    ) as client:
        email = f"changer-{uuid.uuid4().hex[:10]}@example.ru"
        await _open(client, email)
        signed_in = await client.post(
            "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
        )
        bearer = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        wrong = [
            await client.post(
                "/api/v1/auth/change-password",
                json={"current_password": f"guess {n}", "new_password": "a new passphrase"},
                headers=bearer | _from("198.51.100.66"),
            )
            for n in range(5)
        ]
        owner = await client.post(
            "/api/v1/auth/change-password",
            json={"current_password": PASSWORD, "new_password": "a new passphrase"},
            headers=bearer | _from("192.0.2.10"),
        )

    assert [w.status_code for w in wrong] == [422, 422, 422, 429, 429]
    assert owner.status_code == 204


async def test_forwarding_headers_from_an_untrusted_peer_do_not_reset_its_limits(infra):
    async with running_gateway(
        infra, rate_limit_ip_per_second=0.01, rate_limit_ip_burst=3
    ) as client:
        answers = [
            await client.get(
                "/api/v1/auth/me",
                headers={
                    "X-Forwarded-For": f"192.0.2.{n}",
                    "X-Real-IP": f"192.0.2.{n}",
                    "Forwarded": f"for=192.0.2.{n}",
                },
            )
            for n in range(4)
        ]

    assert [a.status_code for a in answers] == [401, 401, 401, 429]


async def test_a_trusted_proxy_s_visitors_are_each_limited_on_their_own(infra):
    async with running_gateway(
        infra,
        trusted_proxies=["203.0.113.0/24"],
        rate_limit_ip_per_second=0.01,
        rate_limit_ip_burst=2,
    ) as client:
        first = [await client.get("/api/v1/auth/me", headers=_from("192.0.2.1")) for _ in range(3)]
        second = await client.get("/api/v1/auth/me", headers=_from("192.0.2.2"))

    assert [a.status_code for a in first] == [401, 401, 429]
    assert second.status_code == 401


async def test_registrations_are_limited_per_address(infra):
    async with running_gateway(
        infra, trusted_proxies=["203.0.113.7"], registrations_per_address=2
    ) as client:

        def register(address: str):
            body = {"email": f"new-{uuid.uuid4().hex[:10]}@example.ru", "password": PASSWORD}
            return client.post("/api/v1/auth/register", json=body, headers=_from(address))

        from_one = [await register("198.51.100.66") for _ in range(3)]
        from_another = await register("192.0.2.10")

    assert [r.status_code < 300 for r in from_one] == [True, True, False]
    assert from_one[-1].status_code == 429
    assert from_one[-1].json()["type"] == "/problems/rate-limited"
    assert int(from_one[-1].headers["retry-after"]) >= 1
    assert from_another.status_code < 300


async def test_a_company_with_hundreds_of_enterprises_keeps_a_small_access_token_and_reaches_each(
    infra,
):
    ok = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"
    async with service_that(ok) as url, running_gateway(infra, notifications_url=url) as client:
        container = client.container
        email = f"holding-{uuid.uuid4().hex[:10]}@example.ru"
        account = await accounts.open_account(
            uow=UnitOfWork(container.session_factory),
            passwords=container.passwords,
            email=email,
            password=PASSWORD,
            role=Role.COMPANY,
        )
        held = [str(uuid.uuid4()) for _ in range(300)]
        for enterprise_id in held:
            await accounts.bind_enterprise(
                uow=UnitOfWork(container.session_factory),
                account_id=account.id,
                enterprise_id=enterprise_id,
            )
        signed_in = await client.post(
            "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
        )
        bearer = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        own = await client.get(
            f"/api/v1/enterprises/{held[-1]}/notification-preferences", headers=bearer
        )
        foreign = await client.get(
            f"/api/v1/enterprises/{uuid.uuid4()}/notification-preferences", headers=bearer
        )
        me = await client.get("/api/v1/auth/me", headers=bearer)

    # The token names the account, not its enterprises: the door looks those up (and caches them).
    assert len(signed_in.json()["access_token"]) < 400
    assert own.status_code == 200
    assert foreign.status_code == 403
    assert len(me.json()["enterprise_ids"]) == 300
