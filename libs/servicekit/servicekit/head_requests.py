"""HEAD answered as GET would be, without the body (RFC 9110, section 9.3.2).

FastAPI's routes answer only the methods they declare, so a HEAD (a link checker, an uptime
monitor, `curl -I`) got 405 from every page and resource. Each app wraps itself in
`AnswerHeadAsGet` once instead of declaring HEAD beside every GET."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class AnswerHeadAsGet:
    """Runs a HEAD request as a GET and keeps the response's status and headers (its length
    included) but none of its body. Inside the request-id middleware, which logs it as HEAD."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
