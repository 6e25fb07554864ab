"""The gateway's upstream pool on plain asyncio sockets: it keeps connections alive, notices a
service that closed an idle one, carries bodies larger than one read, and times out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.adapters.asyncio_network import AsyncioBackend, AsyncioHTTPTransport

LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=10, keepalive_expiry=30)


class Service:
    """A loopback HTTP/1.1 server that answers `GET /size/<n>` with n bytes, `POST /echo` with the
    body it got, `GET /slow` never,
    and can close its idle connections the way uvicorn does after its keep-alive timeout."""

    def __init__(self) -> None:
        self.connections = 0
        self.writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while request := await reader.readuntil(b"\r\n\r\n"):
                path = request.split(b" ", 2)[1]
                if path == b"/slow":
                    await asyncio.sleep(30)
                if path == b"/echo":
                    declared = next(
                        line
                        for line in request.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    )
                    body = await reader.readexactly(int(declared.split(b":")[1]))
                    writer.write(
                        b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
                    )
                    await writer.drain()
                    continue
                size = int(path.rsplit(b"/", 1)[1])
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % size + b"x" * size)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def close_idle_connections(self) -> None:
        for writer in self.writers:
            writer.close()
        self.writers.clear()
        await asyncio.sleep(0.05)  # the end of stream reaches the client's event loop


@pytest.fixture
async def service() -> AsyncIterator[tuple[Service, str]]:
    handler = Service()
    server = await asyncio.start_server(handler.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield handler, f"http://127.0.0.1:{port}"
    server.close()


async def _get(transport: httpx.AsyncBaseTransport, url: str, timeout: float = 5.0) -> bytes:
    request = httpx.Request("GET", url, extensions={"timeout": httpx.Timeout(timeout).as_dict()})
    response = await transport.handle_async_request(request)
    try:
        return await response.aread()
    finally:
        await response.aclose()


async def test_calls_go_through_the_asyncio_backend_and_reuse_one_connection(service, monkeypatch):
    handler, base = service
    connects = []
    real_connect = AsyncioBackend.connect_tcp

    async def counting_connect(self, *args, **kwargs):
        connects.append(args[:2])
        return await real_connect(self, *args, **kwargs)

    monkeypatch.setattr(AsyncioBackend, "connect_tcp", counting_connect)
    transport = AsyncioHTTPTransport(limits=LIMITS)
    try:
        bodies = [await _get(transport, f"{base}/size/{n}") for n in (0, 10, 3)]
    finally:
        await transport.aclose()
    assert bodies == [b"", b"x" * 10, b"xxx"]
    assert len(connects) == 1 and handler.connections == 1


async def test_an_idle_connection_the_service_closed_is_not_used_again(service):
    handler, base = service
    transport = AsyncioHTTPTransport(limits=LIMITS)
    try:
        assert await _get(transport, f"{base}/size/5") == b"xxxxx"
        await handler.close_idle_connections()
        assert await _get(transport, f"{base}/size/7") == b"x" * 7
    finally:
        await transport.aclose()
    assert handler.connections == 2


async def test_a_body_larger_than_the_read_buffer_arrives_whole(service):
    _, base = service
    transport = AsyncioHTTPTransport(limits=LIMITS)
    try:
        body = await _get(transport, f"{base}/size/{1_000_000}")
    finally:
        await transport.aclose()
    assert body == b"x" * 1_000_000


async def test_request_bodies_small_and_over_the_write_buffer_arrive_whole_on_one_connection(
    service,
):
    handler, base = service
    transport = AsyncioHTTPTransport(limits=LIMITS)
    try:
        echoed = []
        for body in (b'{"name": "lift"}', bytes(range(256)) * 1000, b"z"):
            request = httpx.Request(
                "POST",
                f"{base}/echo",
                content=body,
                extensions={"timeout": httpx.Timeout(5.0).as_dict()},
            )
            response = await transport.handle_async_request(request)
            echoed.append(await response.aread())
            await response.aclose()
    finally:
        await transport.aclose()
    assert echoed == [b'{"name": "lift"}', bytes(range(256)) * 1000, b"z"]
    assert handler.connections == 1


async def test_a_service_that_does_not_answer_times_out_as_httpx_says(service):
    _, base = service
    transport = AsyncioHTTPTransport(limits=LIMITS)
    try:
        with pytest.raises(httpx.ReadTimeout):
            await _get(transport, f"{base}/slow", timeout=0.2)
    finally:
        await transport.aclose()


async def test_a_service_that_is_not_listening_is_a_connect_error():
    transport = AsyncioHTTPTransport(limits=LIMITS)
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    try:
        with pytest.raises(httpx.ConnectError):
            await _get(transport, f"http://127.0.0.1:{port}/size/1")
    finally:
        await transport.aclose()
