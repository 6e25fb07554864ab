from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.entrypoints.problems import problem


class BodySizeLimit:
    """Refuses bodies over the limit with 413 before the route reads them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((value for name, value in scope["headers"] if name == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await problem(413, "Content too large", f"the body is over {self.max_bytes} bytes")(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _TooLarge()
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await problem(413, "Content too large", f"the body is over {self.max_bytes} bytes")(scope, receive, send)


class _TooLarge(Exception):
    pass
