"""REST API v1. Thin: parse, call a service, shape the answer."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Literal
from urllib.parse import quote

import anyio
import anyio.from_thread
from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from pcs_app.models import User
from pcs_app.services import archive, files, nodes, users
from pcs_app.services import changes as changes_svc
from pcs_app.services.core import get_core
from pcs_app.services.errors import InvalidInput, PCSError, Unauthorized

from .schemas import (
    ByHash,
    ChangeOut,
    ChangesOut,
    CopyRequest,
    ErrorOut,
    NewFolder,
    NodeDetail,
    NodeOut,
    NodePage,
    NodePatch,
    PartUrl,
    RestoreRequest,
    SessionOut,
    SessionRequest,
    SignIn,
    SignUp,
    TokenInfo,
    TokenOut,
    UserOut,
    VersionOut,
)

router = APIRouter(
    prefix="/api/v1", responses={400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 404: {"model": ErrorOut}}
)
bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/tokens or /auth/signup.")
NodeId = Annotated[str, "node id"]
SMALL_BODY = 8 * 1024 * 1024
COALESCE = 1024 * 1024


SESSION_COOKIE = "pcs_session"


async def actor(request: Request, cred: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> User:
    secret = cred.credentials if cred is not None else None
    if secret is None and request.method in ("GET", "HEAD"):
        # The web UI's links (downloads, previews, zips) carry its session in a same-site cookie.
        # Only safe methods accept it, so a cookie can never be used to change anything (no CSRF).
        secret = request.cookies.get(SESSION_COOKIE)
    if secret is None:
        raise Unauthorized("Sign in first: send 'Authorization: Bearer <token>'.")
    user, tok = await run_in_threadpool(users.authenticate, get_core(), secret)
    request.state.token_id = tok.id
    return user


Actor = Annotated[User, Depends(actor)]


def user_out(u: User) -> UserOut:
    return UserOut(
        id=u.id or 0,
        email=u.email,
        is_admin=u.is_admin,
        root_id=u.root_id or "",
        used_bytes=u.used_bytes,
        quota_bytes=u.quota_bytes,
    )


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


# -- auth ----------------------------------------------------------------------------------------


@router.post("/auth/signup", status_code=201, response_model=TokenOut, tags=["auth"])
def signup(body: SignUp, request: Request) -> TokenOut:
    """Create an account and return a first token."""
    issued = users.sign_up(get_core(), body.email, body.password, client_ip(request), name="sign-up", kind="api")
    return TokenOut(id=issued.id, token=issued.secret, expires_at=issued.expires_at, user=user_out(issued.user))


@router.post(
    "/auth/tokens", status_code=201, response_model=TokenOut, tags=["auth"], responses={429: {"model": ErrorOut}}
)
def sign_in(body: SignIn, request: Request) -> TokenOut:
    """Sign in with email and password; returns a new API token (shown once)."""
    issued = users.sign_in(get_core(), body.email, body.password, client_ip(request), name=body.name, kind="api")
    return TokenOut(id=issued.id, token=issued.secret, expires_at=issued.expires_at, user=user_out(issued.user))


@router.get("/auth/tokens", response_model=list[TokenInfo], tags=["auth"])
def list_tokens(user: Actor) -> list[TokenInfo]:
    return [TokenInfo.model_validate(t, from_attributes=True) for t in users.list_tokens(get_core(), user)]


@router.delete("/auth/tokens/{token_id}", status_code=204, tags=["auth"])
def revoke_token(token_id: str, request: Request, user: Actor) -> Response:
    """Revoke a token; the id 'current' signs out the token making this call."""
    users.revoke_token(get_core(), user, request.state.token_id if token_id == "current" else token_id)
    return Response(status_code=204)


@router.get("/me", response_model=UserOut, tags=["auth"])
def me(user: Actor) -> UserOut:
    return user_out(users.get_user(get_core(), user.id or 0))


# -- nodes ---------------------------------------------------------------------------------------


@router.get("/nodes/root", response_model=NodeOut, tags=["nodes"])
def get_root(user: Actor) -> NodeOut:
    return NodeOut.of(nodes.root(get_core(), user))


@router.get("/nodes/{node_id}", response_model=NodeDetail, tags=["nodes"])
def get_node(node_id: NodeId, user: Actor) -> NodeDetail:
    path = nodes.ancestors(get_core(), user, node_id)
    return NodeDetail(**NodeOut.of(path[-1]).model_dump(), path=[NodeOut.of(n) for n in path[:-1]])


@router.get("/nodes/{node_id}/children", response_model=NodePage, tags=["nodes"])
def list_children(
    node_id: NodeId,
    user: Actor,
    sort: Literal["name", "size", "modified"] = "name",
    order: Literal["asc", "desc"] = "asc",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> NodePage:
    """A page of a folder (folders first); pass next_cursor back as cursor for the next page."""
    page = nodes.list_children(get_core(), user, node_id, sort=sort, desc=order == "desc", limit=limit, cursor=cursor)
    return NodePage(items=[NodeOut.of(n) for n in page.items], next_cursor=page.next_cursor)


@router.post(
    "/nodes/{node_id}/folders",
    status_code=201,
    response_model=NodeOut,
    tags=["nodes"],
    responses={409: {"model": ErrorOut}},
)
def create_folder(node_id: NodeId, body: NewFolder, user: Actor) -> NodeOut:
    return NodeOut.of(nodes.create_folder(get_core(), user, node_id, body.name, body.on_conflict))


@router.patch("/nodes/{node_id}", response_model=NodeOut, tags=["nodes"], responses={409: {"model": ErrorOut}})
def patch_node(node_id: NodeId, body: NodePatch, user: Actor) -> NodeOut:
    """Rename (name) and/or move (parent_id)."""
    if body.name is None and body.parent_id is None:
        raise InvalidInput("Give a new name, a new parent_id, or both.")
    return NodeOut.of(
        nodes.move(get_core(), user, node_id, body.parent_id, on_conflict=body.on_conflict, new_name=body.name)
    )


@router.post(
    "/nodes/{node_id}/copy",
    status_code=201,
    response_model=NodeOut,
    tags=["nodes"],
    responses={409: {"model": ErrorOut}},
)
def copy_node(node_id: NodeId, body: CopyRequest, user: Actor) -> NodeOut:
    return NodeOut.of(
        nodes.copy(get_core(), user, node_id, body.parent_id, name=body.name, on_conflict=body.on_conflict)
    )


@router.delete("/nodes/{node_id}", response_model=NodeOut, tags=["nodes"])
def delete_node(node_id: NodeId, user: Actor) -> NodeOut:
    """Move to the trash (restorable)."""
    return NodeOut.of(nodes.trash(get_core(), user, node_id))


@router.post("/nodes/{node_id}/restore", response_model=NodeOut, tags=["nodes"], responses={409: {"model": ErrorOut}})
def restore_node(node_id: NodeId, user: Actor, body: RestoreRequest | None = None) -> NodeOut:
    return NodeOut.of(nodes.restore(get_core(), user, node_id, (body or RestoreRequest()).on_conflict))


@router.get("/trash", response_model=list[NodeOut], tags=["nodes"])
def list_trash(user: Actor, limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[NodeOut]:
    return [NodeOut.of(n) for n in nodes.list_trash(get_core(), user, limit)]


@router.get("/nodes/{node_id}/versions", response_model=list[VersionOut], tags=["files"])
def list_versions(node_id: NodeId, user: Actor) -> list[VersionOut]:
    return [VersionOut.of(v) for v in files.list_versions(get_core(), user, node_id)]


# -- uploads -------------------------------------------------------------------------------------


def _content_length(request: Request) -> int | None:
    """The declared body length (read from the request itself, not a documented parameter)."""
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 19:
        raise InvalidInput("Content-Length must be a whole number of bytes.")
    return int(raw)


async def _coalesced(stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Regroup the server's small body chunks into ~1 MiB pieces (fewer thread hops)."""
    buf = bytearray()
    async for chunk in stream:
        buf += chunk
        if len(buf) >= COALESCE:
            yield bytes(buf)
            buf.clear()
    if buf:
        yield bytes(buf)


def _pull(agen: AsyncIterator[bytes]) -> Iterator[bytes]:
    """Iterate an async generator from a worker thread started by anyio."""
    while True:
        try:
            yield anyio.from_thread.run(agen.__anext__)  # type: ignore[arg-type]
        except StopAsyncIteration:
            return


@router.put(
    "/nodes/{node_id}/files",
    status_code=201,
    response_model=NodeOut,
    tags=["files"],
    responses={409: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}, 507: {"model": ErrorOut}},
    openapi_extra={
        "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    },
)
async def upload_file(
    node_id: NodeId,
    request: Request,
    user: Actor,
    name: Annotated[str, Query(max_length=4096)],
    on_conflict: Literal["replace", "rename", "fail"] = "replace",
    x_content_sha256: Annotated[str | None, Header(max_length=64)] = None,
) -> NodeOut:
    """Upload a file into folder ``node_id``: the request body is the file, streamed.

    An existing file of that name gets a new version (on_conflict=replace, the default).
    """
    c = get_core()
    content_length = _content_length(request)
    if content_length is not None and content_length <= SMALL_BODY:
        body = await request.body()
        node = await run_in_threadpool(
            files.upload,
            c,
            user,
            node_id,
            name,
            [body],
            size=content_length,
            sha256=x_content_sha256,
            on_conflict=on_conflict,
        )
    else:
        agen = _coalesced(request.stream())
        node = await anyio.to_thread.run_sync(
            lambda: files.upload(
                c,
                user,
                node_id,
                name,
                _pull(agen),
                size=content_length,
                sha256=x_content_sha256,
                on_conflict=on_conflict,
            )
        )
    return NodeOut.of(node)


@router.post(
    "/nodes/{node_id}/files/by-hash",
    status_code=201,
    response_model=NodeOut,
    tags=["files"],
    responses={409: {"model": ErrorOut}},
)
def upload_by_hash(node_id: NodeId, body: ByHash, user: Actor) -> NodeOut:
    """Hash-first upload: 201 when you already store that content (no bytes needed); 404 content_unknown otherwise."""
    return NodeOut.of(
        files.upload_known(get_core(), user, node_id, body.name, body.sha256, body.size, body.on_conflict)
    )


@router.post(
    "/uploads", status_code=201, response_model=SessionOut, tags=["files"], responses={409: {"model": ErrorOut}}
)
def start_upload_session(body: SessionRequest, user: Actor) -> SessionOut:
    """Start a large-file upload: PUT each part's bytes to its URL (straight to S3), then complete."""
    info = files.start_session(
        get_core(), user, body.parent_id, body.name, body.size, sha256=body.sha256, on_conflict=body.on_conflict
    )
    sess = info.session
    parts = [
        PartUrl(number=i + 1, url=url, size=min(sess.part_size, sess.size - i * sess.part_size) if sess.size else 0)
        for i, url in enumerate(info.part_urls)
    ]
    return SessionOut(id=sess.id, part_size=sess.part_size, parts=parts, expires_at=sess.expires_at)


@router.post(
    "/uploads/{session_id}/complete",
    status_code=201,
    response_model=NodeOut,
    tags=["files"],
    responses={409: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def complete_upload_session(session_id: str, user: Actor) -> NodeOut:
    return NodeOut.of(files.complete_session(get_core(), user, session_id))


@router.delete("/uploads/{session_id}", status_code=204, tags=["files"])
def abort_upload_session(session_id: str, user: Actor) -> Response:
    files.abort_session(get_core(), user, session_id)
    return Response(status_code=204)


# -- downloads -----------------------------------------------------------------------------------

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_INLINE_SAFE = re.compile(r"^(image/(png|jpeg|gif|webp|bmp|avif)|video/.*|audio/.*|application/pdf|text/plain)$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end) for a single satisfiable byte range; None for 'whole file'; PCSError 416 if unsatisfiable."""
    if not header:
        return None
    m = _RANGE.match(header.strip())
    if not m or (not m.group(1) and not m.group(2)):
        return None  # multiple or malformed ranges: RFC 9110 lets us send the whole file
    if m.group(1):
        start = int(m.group(1))
        end = int(m.group(2)) if m.group(2) else size - 1
        if start >= size or end < start:
            raise _unsatisfiable(size)
        return start, min(end, size - 1)
    suffix = int(m.group(2))
    if suffix == 0 or size == 0:
        raise _unsatisfiable(size)
    return max(size - suffix, 0), size - 1


def _unsatisfiable(size: int) -> PCSError:
    err = PCSError("That byte range is outside the file.", size=size)
    err.code, err.status = "range_not_satisfiable", 416
    return err


def content_disposition(name: str, inline: bool) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'").replace("\\", "_")
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 else "_" for ch in ascii_name)
    return f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.head("/nodes/{node_id}/content", include_in_schema=False)
@router.get(
    "/nodes/{node_id}/content",
    tags=["files"],
    response_class=StreamingResponse,
    responses={206: {}, 304: {}, 416: {"model": ErrorOut}},
)
async def download(
    node_id: NodeId,
    request: Request,
    user: Actor,
    version: int | None = None,
    inline: bool = False,
    range_header: Annotated[str | None, Header(alias="range", max_length=200)] = None,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """Download a file (or one of its versions), streamed, with HTTP Range support."""
    c = get_core()
    dl = await run_in_threadpool(files.open_download, c, user, node_id, version)
    size, mime_type = dl.version.size, dl.version.mime_type or "application/octet-stream"
    etag = f'"{dl.version.sha256}"'
    show_inline = inline and bool(_INLINE_SAFE.match(mime_type))
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition(dl.node.name, show_inline),
        "X-Content-Type-Options": "nosniff",
        # Never let a stored file run script on our origin. (Chromium's PDF viewer refuses to run
        # in a sandboxed document, so an inline PDF gets the same policy without the sandbox.)
        "Content-Security-Policy": ("" if show_inline and mime_type == "application/pdf" else "sandbox; ")
        + "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'",
        "Cache-Control": "private, max-age=0, must-revalidate",
    }
    if if_none_match and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    rng = parse_range(range_header, size)
    start, end = rng if rng else (0, size - 1)
    status = 206 if rng else 200
    if rng:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1 if size else 0)
    if request.method == "HEAD" or size == 0:
        return Response(status_code=status, headers=headers, media_type=mime_type)
    chunks = await run_in_threadpool(files.read_range, c, dl, start, end)
    return StreamingResponse(chunks, status_code=status, headers=headers, media_type=mime_type)


@router.get("/archive", tags=["files"], response_class=StreamingResponse, responses={413: {"model": ErrorOut}})
async def download_archive(user: Actor, ids: Annotated[list[str], Query(max_length=1000)]) -> Response:
    """Files and folders as one zip (stored, zip64), streamed as it is read from storage."""
    arc = await run_in_threadpool(archive.build, get_core(), user, ids)
    headers = {
        "Content-Disposition": content_disposition(arc.name, False),
        "Content-Length": str(arc.size),
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(arc.chunks, headers=headers, media_type="application/zip")


# -- change feed ---------------------------------------------------------------------------------


@router.get("/changes", response_model=ChangesOut, tags=["changes"])
async def get_changes(
    user: Actor,
    since: Annotated[int, Query(ge=0)] = 0,
    timeout: Annotated[float, Query(ge=0, le=300)] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> ChangesOut:
    """Changes after ``since``. With ``timeout`` > 0 the call waits (long-poll) until there are some."""
    page = await changes_svc.wait_for_changes(get_core(), user, since, timeout, limit)
    return ChangesOut(changes=[ChangeOut.of(ch) for ch in page.changes], cursor=page.cursor, has_more=page.has_more)


@router.get("/health", tags=["meta"])
def health() -> dict[str, bool]:
    """Liveness: database and storage reachable."""
    c = get_core()
    with c.db.read() as s:
        s.connection().exec_driver_sql("SELECT 1")
    return {"database": True, "storage": c.blobs.ping()}
