"""Share links, used by anyone who has one (no account): open, unlock, browse, download, drop files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from pcs_app.models import ID_LENGTH, ID_PATTERN
from pcs_app.services import thumbnails
from pcs_app.services.access import LinkVisitor
from pcs_app.services.names import MAX_NAME_CHARS, NAME_PATTERN
from pcs_app.services.sharing import TOKEN_PATTERN, public
from pcs_app.services.sharing.tokens import ACCESS_TTL_SECONDS
from pcs_app.wiring import get_core

from ..deps import bearer, client_ip
from ..http import content_disposition, etag_matches, parse_range
from ..responses import errors
from ..schemas import CURSOR_PATTERN, NAME_HELP
from ..serve import file_response
from ..sharing_schemas import Dropped, PublicItem, PublicNode, PublicPage, Unlock, UnlockOut
from .content import ThumbSize
from .nodes import PageLimit
from .uploads import receive

router = APIRouter(prefix="/api/v1/public", tags=["public"], responses=errors(400, 401, 404, 410))
Token = Annotated[str, Path(pattern=TOKEN_PATTERN, description="The link's token (the last part of its address).")]
InsideId = Annotated[
    str | None,
    Query(pattern=ID_PATTERN, min_length=ID_LENGTH, max_length=ID_LENGTH, description="An item inside the link."),
]
COOKIE_PREFIX = "pcs_link_"  # + the link's id: the web page's unlock, for the browser's own requests


def access_cookie(link_id: str) -> str:
    return COOKIE_PREFIX + link_id


async def guest(
    token: Token, request: Request, cred: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> LinkVisitor:
    """The visitor of a live link: 401 password_required until unlocked, 410 link_gone, 404 unknown."""
    core = get_core()
    link = await run_in_threadpool(public.open_link, core, token)
    access = cred.credentials if cred is not None else request.cookies.get(access_cookie(link.id))
    return public.admit(core, link, access)


Guest = Annotated[LinkVisitor, Depends(guest)]


@router.get("/{token}", response_model=PublicItem)
def get_public_item(g: Guest) -> PublicItem:
    """What the link opens: a file, a folder, or a file drop (a folder that only takes files)."""
    node = public.item(get_core(), g)
    return PublicItem(**PublicNode.of(node).model_dump(), upload_only=g.link.upload_only)


@router.post("/{token}/unlock", response_model=UnlockOut, responses=errors(429))
def unlock_link(token: Token, body: Unlock, request: Request, response: Response) -> UnlockOut:
    """Give a password link its password: an access token for the link's other calls (and, for the
    web page, an HttpOnly cookie that does the same)."""
    core = get_core()
    got = public.unlock(core, token, body.password, client_ip(request))
    link = public.open_link(core, token)
    response.set_cookie(
        access_cookie(link.id),
        got.access_token,
        max_age=ACCESS_TTL_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https" or core.settings.effective_public_url.startswith("https:"),
        path="/",
    )
    return UnlockOut(access_token=got.access_token, expires_in=got.expires_in)


@router.get("/{token}/children", response_model=PublicPage, responses=errors(403, 409))
def list_public_children(
    g: Guest,
    parent: InsideId = None,
    limit: PageLimit = 200,
    cursor: Annotated[str | None, Query(max_length=4096, pattern=CURSOR_PATTERN)] = None,
) -> PublicPage:
    """A page of the linked folder (or of a folder inside it); never anything above it."""
    page = public.children(get_core(), g, parent, cursor=cursor, limit=limit)
    return PublicPage(items=[PublicNode.of(n) for n in page.items], next_cursor=page.next_cursor)


@router.get(
    "/{token}/content",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"*/*": {}}, "description": "The file's bytes."},
        206: {"content": {"*/*": {}}, "description": "The requested range."},
        304: {"description": "The copy the client holds is current."},
        **errors(403, 409, 416),
    },
)
async def get_public_content(
    g: Guest,
    request: Request,
    node: InsideId = None,
    inline: bool = False,
    range_header: Annotated[str, Header(alias="range", max_length=200)] = "",
    if_none_match: Annotated[str, Header(max_length=200)] = "",
) -> Response:
    """The linked file, or a file inside the linked folder; Range works. A download counts once: a
    request that starts at the first byte counts, a resumed one does not."""
    core = get_core()

    def serve() -> Response:  # one worker-thread hop: the checks, the count, and a small file's bytes
        dl = public.download(core, g, node, counts=False)
        rng = parse_range(range_header, dl.version.size)
        fresh = not etag_matches(if_none_match, f'"{dl.version.sha256}"')
        if fresh and request.method == "GET" and (rng is None or rng[0] == 0):
            public.count_download(core, g.link)
        return file_response(core, dl, request, inline=inline, range_header=range_header, if_none_match=if_none_match)

    return await run_in_threadpool(serve)


@router.get(
    "/{token}/thumbnail",
    response_class=Response,
    responses={200: {"content": {thumbnails.MEDIA_TYPE: {}}}, 304: {"description": "Current."}, **errors(403)},
)
def get_public_thumbnail(
    g: Guest,
    node: InsideId = None,
    size: Annotated[ThumbSize, Query(description="Longer edge in pixels: 256 or 1024.")] = ThumbSize.SMALL,
    if_none_match: Annotated[str, Header(max_length=200)] = "",
) -> Response:
    """A thumbnail of a file of the link (404 ``no_thumbnail`` while there is none)."""
    core = get_core()
    ref = thumbnails.find(core, g, node or g.link.node_id, int(size))
    headers = {"Cache-Control": thumbnails.CACHE_CONTROL, "ETag": ref.etag}
    if etag_matches(if_none_match, ref.etag):
        return Response(status_code=304, headers=headers)
    return Response(thumbnails.read(core, ref), media_type=thumbnails.MEDIA_TYPE, headers=headers)


@router.get(
    "/{token}/archive",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}}, **errors(403, 409, 413)},
)
async def get_public_archive(g: Guest) -> Response:
    """The linked folder as one zip, streamed (one download)."""
    arc = await run_in_threadpool(public.zip_of, get_core(), g)
    headers = {
        "Content-Disposition": content_disposition(arc.name, False),
        "Content-Length": str(arc.size),
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(arc.chunks, headers=headers, media_type="application/zip")


@router.put(
    "/{token}/files",
    status_code=201,
    response_model=Dropped,
    responses=errors(403, 413, 422, 507),
    openapi_extra={
        "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    },
)
async def drop_file(
    g: Guest,
    request: Request,
    name: Annotated[str, Query(min_length=1, max_length=MAX_NAME_CHARS, pattern=NAME_PATTERN, description=NAME_HELP)],
) -> Dropped:
    """Add a file to a file drop (the body is the file). A taken name is numbered; nothing is overwritten."""
    core = get_core()
    node = await receive(request, lambda chunks, size: public.drop(core, g, name, chunks, size))
    return Dropped(name=name, size=node.size)


# Every public call works without a token (an open link); the bearer is only a password link's
# unlock token. Say so in the schema: no authentication, or that bearer.
for _route in router.routes:
    if isinstance(_route, APIRoute):
        _route.openapi_extra = {**(_route.openapi_extra or {}), "security": [{}]}  # beside HTTPBearer
