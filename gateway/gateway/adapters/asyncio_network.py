"""The sockets under the gateway's httpx pool, on asyncio itself instead of anyio.

httpcore's default backend goes through anyio, and its pool asks every idle connection on every
request whether the server has closed it with a poll() system call; together that was a quarter
of the gateway's CPU per forwarded request. Here a connection is an asyncio protocol that already
knows whether bytes or an end of stream arrived, so the same question costs no system call.
HTTP itself (h11, keep-alive, the pool) stays httpcore's; `AsyncioHTTPTransport` puts it behind
httpx's transport interface. Measured against plain `httpx.AsyncHTTPTransport` (two gateways side
by side on one platform, bench/gateway), this pays: see gateway/README.md."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Coroutine, Iterable, Iterator
from typing import Any

import httpcore
import httpx

# Past this much unread data the socket stops being read until the reader catches up.
_READ_HIGH_WATER = 256 * 1024
# Past this much held-back data it is written at once (a large body is not held in memory).
_WRITE_HIGH_WATER = 64 * 1024


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._ended = False  # end of stream or connection lost
        self._lost: Exception | None = None
        self._reader: asyncio.Future[None] | None = None
        self._drained: asyncio.Future[None] | None = None
        self._reading_paused = False
        self._unsent: list[bytes] = []
        self._unsent_bytes = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) > _READ_HIGH_WATER and not self._reading_paused:
            self._reading_paused = True
            self.transport.pause_reading()
        self._wake_reader()

    def eof_received(self) -> bool:
        self._ended = True
        self._wake_reader()
        return False  # close the transport: the server is done with this connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended = True
        self._lost = exc
        self._wake_reader()
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def pause_writing(self) -> None:
        self._drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
        self._drained = None

    def _wake_reader(self) -> None:
        if self._reader is not None and not self._reader.done():
            self._reader.set_result(None)

    @property
    def has_news(self) -> bool:
        """Bytes or an end arrived: on an idle keep-alive connection, it cannot be reused."""
        return self._ended or bool(self._buffer)

    async def read(self, max_bytes: int) -> bytes:
        self.flush()
        if not self._buffer and not self._ended:
            self._reader = asyncio.get_running_loop().create_future()
            try:
                await self._reader
            finally:
                self._reader = None
        if not self._buffer:
            if self._lost is not None:
                raise httpcore.ReadError(str(self._lost))
            return b""  # the server closed the connection; httpcore knows what that means
        data = bytes(self._buffer[:max_bytes])
        del self._buffer[:max_bytes]
        if self._reading_paused and len(self._buffer) <= _READ_HIGH_WATER // 2:
            self._reading_paused = False
            self.transport.resume_reading()
        return data

    async def write(self, data: bytes) -> None:
        """Held back until the response is read (or this turn of the event loop ends): a request's
        head and body then leave in one system call, and one TCP segment, instead of two."""
        if self._ended or self.transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        if not self._unsent:
            asyncio.get_running_loop().call_soon(self.flush)
        self._unsent.append(data)
        self._unsent_bytes += len(data)
        if self._unsent_bytes >= _WRITE_HIGH_WATER:
            self.flush()
        if self._drained is not None:
            await self._drained
            if self._ended:
                raise httpcore.WriteError("the connection closed while writing")

    def flush(self) -> None:
        if self._unsent and not self.transport.is_closing():
            self.transport.write(
                b"".join(self._unsent) if len(self._unsent) > 1 else self._unsent[0]
            )
        self._unsent.clear()
        self._unsent_bytes = 0


class AsyncioStream(httpcore.AsyncNetworkStream):
    def __init__(self, connection: _Connection) -> None:
        self._connection = connection

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._connection.read(max_bytes)
        except TimeoutError:
            raise httpcore.ReadTimeout("timed out reading from the service") from None

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                await self._connection.write(buffer)
        except TimeoutError:
            raise httpcore.WriteTimeout("timed out writing to the service") from None

    async def aclose(self) -> None:
        self._connection.transport.close()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError(
            "this backend speaks plain HTTP to services on a private network; use https through "
            "the default backend"
        )

    def get_extra_info(self, info: str) -> Any:
        transport = self._connection.transport
        if info == "is_readable":
            return self._connection.has_news
        if info == "socket":
            return transport.get_extra_info("socket")
        if info == "client_addr":
            return transport.get_extra_info("sockname")
        if info == "server_addr":
            return transport.get_extra_info("peername")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[tuple[int, int, Any]] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        local = (local_address, 0) if local_address else None
        opening = asyncio.get_running_loop().create_connection(
            _Connection, host, port, local_addr=local
        )
        return await _stream(opening, f"{host}:{port}", timeout, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[tuple[int, int, Any]] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        opening = asyncio.get_running_loop().create_unix_connection(_Connection, path)
        return await _stream(opening, path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _stream(
    opening: Coroutine[Any, Any, tuple[asyncio.BaseTransport, _Connection]],
    where: str,
    timeout: float | None,
    socket_options: Iterable[tuple[int, int, Any]] | None,
) -> AsyncioStream:
    """A connection being opened, as httpcore's stream, with httpcore's errors for what went
    wrong."""
    try:
        async with asyncio.timeout(timeout):
            transport, connection = await opening
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"timed out connecting to {where}") from None
    except OSError as error:
        raise httpcore.ConnectError(str(error)) from None
    _apply(transport, socket_options)
    return AsyncioStream(connection)


def _apply(
    transport: asyncio.BaseTransport, socket_options: Iterable[tuple[int, int, Any]] | None
) -> None:
    sock: socket.socket | None = transport.get_extra_info("socket")
    for option in socket_options or ():
        sock.setsockopt(*option)


class AsyncioHTTPTransport(httpx.AsyncBaseTransport):
    """An httpx transport on httpcore's own pool (HTTP/1.1, keep-alive, the pool's limits) over
    `AsyncioBackend`, through public interfaces only: httpx's transport API and byte streams,
    httpcore's pool, request, response and network backend, and their exceptions."""

    def __init__(self, *, limits: httpx.Limits, retries: int = 0) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            retries=retries,
            network_backend=AsyncioBackend(),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        sent = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=await request.aread(),  # the gateway's bodies are bounded (max_body_bytes)
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            received = await self._pool.handle_async_request(sent)
        return httpx.Response(
            status_code=received.status,
            headers=received.headers,
            stream=_ResponseBody(received),
            extensions=received.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class _ResponseBody(httpx.AsyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for part in self._response.aiter_stream():
                yield part

    async def aclose(self) -> None:
        await self._response.aclose()


# httpcore's errors as httpx's, so callers of the transport catch httpx.TransportError alone; a
# subclass maps through its nearest listed ancestor (httpcore.ReadTimeout before TimeoutException).
_HTTPX_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProxyError: httpx.ProxyError,
}


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except tuple(_HTTPX_ERRORS) as error:
        kind = next(k for k in type(error).__mro__ if k in _HTTPX_ERRORS)
        raise _HTTPX_ERRORS[kind](str(error)) from error
