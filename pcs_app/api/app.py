"""The FastAPI application behind /api: error mapping, size limits, routes."""

from __future__ import annotations

import logging

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from pcs_app.services.errors import PCSError, Throttled

from .routes import router
from .routes_thumbs import router as thumbs_router

log = logging.getLogger(__name__)
JSON_BODY_LIMIT = 1024 * 1024
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


def error_body(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


class JsonBodyLimit:
    """Refuse JSON bodies over 1 MiB under /api (file uploads stream and are exempt)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/") or scope["path"].endswith("/files"):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > JSON_BODY_LIMIT
            except ValueError:
                too_big = True
            if too_big:
                await error_body(413, "too_large", "Request bodies here are at most 1 MiB.")(scope, receive, send)
                return
        received = 0

        async def limited() -> dict:  # type: ignore[type-arg]
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > JSON_BODY_LIMIT:
                    raise _TooLarge
            return msg

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await error_body(413, "too_large", "Request bodies here are at most 1 MiB.")(scope, receive, send)


class _TooLarge(Exception):
    pass


def create_api() -> FastAPI:
    """The API app; Reflex mounts its own app inside it (``api_transformer``)."""
    api = FastAPI(
        title="PCS API",
        version="1",
        description="Personal cloud storage: files, folders, uploads, downloads and the change feed.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    api.include_router(router)
    api.include_router(thumbs_router)

    @api.api_route(
        "/api/{rest:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
    )
    async def _no_such_route(rest: str) -> JSONResponse:
        # Without this, unknown /api paths would fall through to the web UI's HTML.
        return error_body(404, "not_found", f"No API route /api/{rest}.")

    api.add_middleware(JsonBodyLimit)

    @api.exception_handler(PCSError)
    async def _pcs_error(_req: Request, exc: PCSError) -> JSONResponse:
        resp = error_body(exc.status, exc.code, exc.message, **exc.details)
        if isinstance(exc, Throttled):
            resp.headers["Retry-After"] = str(exc.retry_after)
        return resp

    @api.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        msg = f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "Invalid request."))
        return error_body(400, "invalid_input", msg)

    @api.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        return error_body(exc.status_code, code, str(exc.detail))

    @api.exception_handler(ClientError)
    @api.exception_handler(BotoCoreError)
    async def _storage(_req: Request, exc: Exception) -> JSONResponse:
        log.error("storage error: %s", exc)
        return error_body(503, "storage_unavailable", "File storage is not answering; try again shortly.")

    @api.exception_handler(Exception)
    async def _unexpected(_req: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return error_body(500, "internal", "Something went wrong on the server; it has been logged.")

    return api
