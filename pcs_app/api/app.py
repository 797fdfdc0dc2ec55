"""The FastAPI application behind /api: routers, error mapping, body limits, method handling, schema."""

from __future__ import annotations

import logging
from typing import Any, cast

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from pcs_app.services.errors import InvalidName, PCSError
from pcs_app.services.names import NAME_PATTERN, validate_name
from pcs_app.wiring import get_core

from .deps import request_context
from .middleware import BodyGuard
from .routes import ROUTERS

log = logging.getLogger(__name__)
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


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(api: FastAPI, scope: dict[str, Any], fallback: Any) -> set[str]:
    """Methods some API route answers at this request's path (empty when no route has the path)."""
    found: set[str] = set()
    for route in api.router.routes:
        # Mounts are not API routes (Reflex mounts the web app at "" and it takes every path).
        if not isinstance(route, Mount) and getattr(route, "endpoint", None) is not fallback:
            for method in METHODS:
                if route.matches({**scope, "method": method})[0] == Match.FULL:
                    found.add(method)
    return found


class PcsApi(FastAPI):
    def openapi(self) -> dict[str, Any]:
        """The schema, with the limits that come from settings filled in (see ``SETTING_LIMITS``)."""
        if self.openapi_schema is None:
            schema = get_openapi(
                title=self.title, version=self.version, description=self.description, routes=self.routes
            )
            settings = get_core().settings
            _fill_limits(
                schema, {marker: (key, getattr(settings, name)) for marker, (key, name) in SETTING_LIMITS.items()}
            )
            self.openapi_schema = schema
        return self.openapi_schema


# Markers left in the schema by fields whose limit is a setting: marker -> (JSON-schema keyword, setting).
SETTING_LIMITS = {
    "x-pcs-page-max": ("maximum", "list_page_max"),
    "x-pcs-max-file-size": ("maximum", "max_file_size"),
    "x-pcs-password-min": ("minLength", "password_min_length"),
}


def _fill_limits(node: object, limits: dict[str, tuple[str, int]]) -> None:
    """Replace each marker in the schema with the keyword and the setting's value."""
    if isinstance(node, dict):
        obj = cast(dict[str, object], node)
        for marker, (keyword, value) in limits.items():
            if obj.pop(marker, False):
                obj[keyword] = value
        for child in list(obj.values()):
            _fill_limits(child, limits)
    elif isinstance(node, list):
        for child in cast(list[object], node):
            _fill_limits(child, limits)


def create_api() -> FastAPI:
    """The API app; Reflex mounts its own app inside it (``api_transformer``)."""
    api = PcsApi(
        title="PCS API",
        version="1",
        description="Personal cloud storage: files, folders, uploads, downloads and the change feed.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        # operationIds are the route functions' names: stable, and what the schema's links name.
        generate_unique_id_function=lambda route: route.name,
        dependencies=[Depends(request_context)],  # who and from where, for the audit log
    )
    for router in ROUTERS:
        api.include_router(router)

    async def _no_such_route(request: Request) -> Response:
        # Without this, unknown /api paths would fall through to the web UI's HTML.
        allowed = _allowed_methods(api, dict(request.scope), _no_such_route)
        if not allowed:
            return error_body(404, "not_found", f"No API route {request.url.path}.")
        allow = ", ".join(sorted(allowed | {"OPTIONS"}))
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": allow})
        resp = error_body(405, "method_not_allowed", f"{request.method} is not allowed here; use {allow}.")
        resp.headers["Allow"] = allow
        return resp

    api.add_api_route("/api/{rest:anything}", _no_such_route, methods=list(METHODS), include_in_schema=False)
    api.add_api_route("/api", _no_such_route, methods=list(METHODS), include_in_schema=False)
    api.add_middleware(BodyGuard)

    @api.exception_handler(PCSError)
    async def _pcs_error(_req: Request, exc: PCSError) -> JSONResponse:
        resp = error_body(exc.status, exc.code, exc.message, **exc.details)
        resp.headers.update(exc.headers)
        return resp

    @api.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError) -> JSONResponse:
        errs: list[dict[str, Any]] = list(exc.errors())
        first = errs[0] if errs else {}
        loc: list[object] = list(first.get("loc", ()))
        where = ".".join(str(p) for p in loc if p != "body")
        if first.get("type") == "string_pattern_mismatch" and first.get("ctx", {}).get("pattern") == NAME_PATTERN:
            try:  # a name: say what is wrong with it, as the services do, not which pattern it missed
                validate_name(first.get("input"))
            except InvalidName as e:
                return error_body(400, e.code, f"{where}: {e.message}" if where else e.message)
        text = str(first.get("msg", "Invalid request."))
        msg = f"{where}: {text}" if where else text
        return error_body(400, "invalid_input", msg)

    @api.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        resp = error_body(exc.status_code, code, str(exc.detail))
        resp.headers.update(exc.headers or {})
        return resp

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
