"""ASGI middleware for /api: bounded JSON bodies, and clean endings for bodies that are cut off or unread."""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
JSON_BODY_LIMIT = 1024 * 1024
# Routes whose body is file content, streamed at any size.
STREAMED_SUFFIXES = ("/files", "/batch")


def _error(status: int, code: str, message: str, *, close: bool = False) -> JSONResponse:
    """``close``: answered with the request body unread, so the connection cannot carry another request."""
    headers = {"connection": "close"} if close else None
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


class _TooLarge(Exception):
    pass


class BodyGuard:
    """- JSON bodies over 1 MiB are refused with 413 (file uploads stream and are exempt).
    - A body cut off by the client (shorter than its Content-Length, broken chunking) answers 400 with
      one log line, never a 500 with a traceback.
    - A response sent before the request body was read (e.g. an upload refused up front) says
      ``Connection: close``, so a keep-alive client does not send its next request into the rest of it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        streamed = scope["path"].endswith(STREAMED_SUFFIXES)
        length = headers.get(b"content-length")
        has_body = (length not in (None, b"0")) or b"chunked" in headers.get(b"transfer-encoding", b"")
        if not streamed and length is not None:
            try:
                too_big = int(length) > JSON_BODY_LIMIT
            except ValueError:
                too_big = True
            if too_big:
                await _error(413, "too_large", "Request bodies here are at most 1 MiB.", close=True)(
                    scope, receive, send
                )
                return
        received, finished, started = 0, not has_body, False

        async def guarded_receive() -> Message:
            nonlocal received, finished
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if not msg.get("more_body", False):
                    finished = True
                if not streamed and received > JSON_BODY_LIMIT:
                    raise _TooLarge
            return msg

        async def guarded_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                if not finished:
                    msg = {**msg, "headers": [*msg.get("headers", []), (b"connection", b"close")]}
            await send(msg)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except _TooLarge:
            if not started:
                await _error(413, "too_large", "Request bodies here are at most 1 MiB.")(scope, receive, guarded_send)
        except ClientDisconnect:
            log.info("%s %s: the client went away before sending its whole body", scope["method"], scope["path"])
            if not started:
                await _error(400, "body_incomplete", "The request body was cut off; nothing was saved.")(
                    scope, receive, guarded_send
                )


class ApiPathGuard:
    """In front of the whole app: an /api path no route can take (one holding a control character such as
    a newline, which the web app's catch-all cannot match) answers as the API does, in JSON."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/api") and any(ord(c) < 32 or ord(c) == 127 for c in path):
            await _error(404, "not_found", "No API route at that address.", close=True)(scope, receive, send)
            return
        await self.app(scope, receive, send)
