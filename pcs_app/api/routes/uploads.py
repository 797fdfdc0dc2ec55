"""Uploads: a streamed PUT of any size, hash-first, and large-file sessions (parts straight to S3)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Iterator
from typing import Annotated, Any, Literal

import anyio
import anyio.from_thread
from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from pcs_app.models import Node
from pcs_app.services import content
from pcs_app.services.errors import InvalidInput
from pcs_app.services.names import MAX_NAME_CHARS, NAME_PATTERN
from pcs_app.wiring import get_core

from ..deps import Actor, Credentials
from ..ids import NodeId, SessionId
from ..responses import ON_FILES, errors, links
from ..schemas import (
    NAME_HELP,
    ByHash,
    NodeOut,
    PartUrl,
    UploadSessionOut,
    UploadSessionRequest,
)

router = APIRouter(
    prefix="/api/v1",
    tags=["files"],
    responses=errors(400, 401, 404),
)
SMALL_BODY = 8 * 1024 * 1024
# A body up to this size is read before the caller is signed in, so both happen in one thread hop
# (small files are most uploads); a larger one is only read once the caller is known.
ONE_HOP_BODY = 256 * 1024
COALESCE = 1024 * 1024
WRITE_ERRORS = errors(403, 409, 413, 422, 507)


def content_length(request: Request) -> int | None:
    """The declared body length (read from the request itself, not a documented parameter)."""
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 19:
        raise InvalidInput("Content-Length must be a whole number of bytes.")
    return int(raw)


async def _coalesced(stream: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
    """Regroup the server's small body chunks into ~1 MiB pieces (fewer thread hops)."""
    buf = bytearray()
    async for chunk in stream:
        buf += chunk
        if len(buf) >= COALESCE:
            yield bytes(buf)
            buf.clear()
    if buf:
        yield bytes(buf)


def _pull(agen: AsyncGenerator[bytes, None]) -> Iterator[bytes]:
    """Iterate an async generator from a worker thread started by anyio."""
    while True:
        try:
            yield anyio.from_thread.run(agen.__anext__)
        except StopAsyncIteration:
            return


class BodyIncomplete(InvalidInput):
    code = "body_incomplete"


async def receive(request: Request, store: Callable[[Iterable[bytes], int | None], Node]) -> Node:
    """Hand the request body to ``store(chunks, declared_size)`` in a worker thread: a small body in one
    piece, a large one streamed as it arrives. A body cut off by the client is a 400 and saves nothing."""
    length = content_length(request)
    try:
        if length is not None and length <= SMALL_BODY:
            body = await request.body()
            return await run_in_threadpool(store, [body], length)
        agen = _coalesced(request.stream())
        return await anyio.to_thread.run_sync(lambda: store(_pull(agen), length))
    except ClientDisconnect:
        raise BodyIncomplete("The upload was cut off before all its bytes arrived; nothing was saved.") from None


@router.put(
    "/nodes/{node_id:id}/files",
    status_code=201,
    response_model=NodeOut,
    responses={**WRITE_ERRORS, **links(201, ON_FILES)},
    openapi_extra={
        "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    },
)
async def upload_file(
    node_id: NodeId,
    request: Request,
    caller: Credentials,
    name: Annotated[str, Query(min_length=1, max_length=MAX_NAME_CHARS, pattern=NAME_PATTERN, description=NAME_HELP)],
    on_conflict: Literal["replace", "rename", "fail"] = "replace",
    x_content_sha256: Annotated[
        str, Header(pattern=content.SHA256_PATTERN, description="The file's sha256, checked (422 on mismatch).")
    ] = "",
) -> NodeOut:
    """Upload a file into folder ``node_id``: the request body is the file, streamed.

    An existing file of that name gets a new version (on_conflict=replace, the default).
    """
    c = get_core()
    length = content_length(request)
    user = None if length is not None and length <= ONE_HOP_BODY else await run_in_threadpool(caller.user)

    def store(chunks: Iterable[bytes], size: int | None) -> Node:
        who = user if user is not None else caller.user()
        return content.upload(
            c, who, node_id, name, chunks, size=size, sha256=x_content_sha256 or None, on_conflict=on_conflict
        )

    return NodeOut.of(await receive(request, store))


@router.post(
    "/nodes/{node_id:id}/files/by-hash",
    status_code=201,
    response_model=NodeOut,
    responses={**WRITE_ERRORS, **links(201, ON_FILES)},
)
def upload_by_hash(node_id: NodeId, body: ByHash, user: Actor) -> NodeOut:
    """Hash-first upload: 201 when you already store that content (no bytes needed); 404 content_unknown otherwise."""
    return NodeOut.of(
        content.upload_known(get_core(), user, node_id, body.name, body.sha256, body.size, body.on_conflict)
    )


@router.post(
    "/uploads",
    status_code=201,
    response_model=UploadSessionOut,
    responses={
        **WRITE_ERRORS,
        **links(201, ("complete_upload_session", "abort_upload_session"), param="session_id"),
    },
)
def start_upload_session(body: UploadSessionRequest, user: Actor) -> UploadSessionOut:
    """Start a large-file upload: PUT each part's bytes to its URL (straight to S3), then complete."""
    info = content.start_session(
        get_core(), user, body.parent_id, body.name, body.size, sha256=body.sha256, on_conflict=body.on_conflict
    )
    return UploadSessionOut(**_session_out(info))


def _session_out(info: content.SessionInfo) -> dict[str, Any]:
    sess = info.session
    parts = [
        PartUrl(number=i + 1, url=url, size=min(sess.part_size, sess.size - i * sess.part_size) if sess.size else 0)
        for i, url in enumerate(info.part_urls)
    ]
    return {"id": sess.id, "part_size": sess.part_size, "parts": parts, "expires_at": sess.expires_at}


class UploadSessionState(UploadSessionOut):
    uploaded: list[int] = Field(description="The parts S3 holds already, whole: send only the others.")


@router.get("/uploads/{session_id:id}", response_model=UploadSessionState, responses=errors(404))
def get_upload_session(session_id: SessionId, user: Actor) -> UploadSessionState:
    """Resume a large-file upload: fresh part URLs, and which parts are already there."""
    info, uploaded = content.session_state(get_core(), user, session_id)
    return UploadSessionState(**_session_out(info), uploaded=uploaded)


@router.post("/uploads/{session_id:id}/complete", status_code=201, response_model=NodeOut, responses=WRITE_ERRORS)
def complete_upload_session(session_id: SessionId, user: Actor) -> NodeOut:
    return NodeOut.of(content.complete_session(get_core(), user, session_id))


@router.delete("/uploads/{session_id:id}", status_code=204, responses=errors(404))
def abort_upload_session(session_id: SessionId, user: Actor) -> Response:
    content.abort_session(get_core(), user, session_id)
    return Response(status_code=204)
