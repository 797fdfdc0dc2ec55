"""Reading content: a file (or a version) with Range and validators, zips, versions, thumbnails."""

from __future__ import annotations

from enum import IntEnum
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from pcs_app.models import ROW_ID_MAX
from pcs_app.services import archive, content, thumbnails
from pcs_app.wiring import get_core

from ..deps import Actor, Credentials
from ..http import content_disposition, etag_matches
from ..ids import NodeId
from ..responses import errors
from ..schemas import ID_LENGTH, ID_PATTERN
from ..serve import file_response


class ThumbSize(IntEnum):
    SMALL = thumbnails.SIZES[0]
    LARGE = thumbnails.SIZES[1]


router = APIRouter(
    prefix="/api/v1",
    tags=["files"],
    responses=errors(400, 401, 404),
)


@router.head("/nodes/{node_id:id}/content", include_in_schema=False)
@router.get(
    "/nodes/{node_id:id}/content",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"*/*": {}}, "description": "The file's bytes, with its own content type."},
        206: {"content": {"*/*": {}}, "description": "The requested range."},
        304: {"description": "The copy the client holds is current."},
        **errors(409, 416),
    },
)
async def download(
    node_id: NodeId,
    request: Request,
    caller: Credentials,
    version: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None,
    inline: bool = False,
    range_header: Annotated[str, Header(alias="range", max_length=200)] = "",
    if_none_match: Annotated[str, Header(max_length=200)] = "",
) -> Response:
    """Download a file (or one of its versions), streamed, with HTTP Range support."""
    core = get_core()

    def serve() -> Response:  # one worker-thread hop: sign-in, the checks, and a small file's bytes
        dl = content.open_download(core, caller.user(), node_id, version)
        return file_response(core, dl, request, inline=inline, range_header=range_header, if_none_match=if_none_match)

    return await run_in_threadpool(serve)


@router.get(
    "/archive",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}}, **errors(413)},
)
async def download_archive(
    user: Actor,
    ids: Annotated[
        list[Annotated[str, Query(pattern=ID_PATTERN, min_length=ID_LENGTH, max_length=ID_LENGTH)]],
        Query(min_length=1, max_length=1000, description="1 to 1,000 files and folders (repeats count once)."),
    ],
    exclude: Annotated[
        list[Annotated[str, Query(pattern=ID_PATTERN, min_length=ID_LENGTH, max_length=ID_LENGTH)]],
        Query(max_length=1000, description="Items inside those folders to leave out of the zip."),
    ] = [],  # noqa: B006 - FastAPI copies query defaults
) -> Response:
    """Files and folders as one zip (stored, zip64), streamed as it is read from storage."""
    arc = await run_in_threadpool(archive.build, get_core(), user, ids, exclude)
    headers = {
        "Content-Disposition": content_disposition(arc.name, False),
        "Content-Length": str(arc.size),
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(arc.chunks, headers=headers, media_type="application/zip")


@router.get(
    "/nodes/{node_id:id}/thumbnail",
    response_class=Response,
    responses={
        200: {"content": {thumbnails.MEDIA_TYPE: {}}, "description": "The thumbnail (WebP)."},
        304: {"description": "The copy the client holds is current."},
    },
)
def get_thumbnail(
    node_id: NodeId,
    user: Actor,
    size: Annotated[ThumbSize, Query(description="Longer edge in pixels: 256 or 1024.")] = ThumbSize.SMALL,
    v: Annotated[str, Query(max_length=64, description="Any content tag (e.g. sha256): busts caches.")] = "",
    if_none_match: Annotated[str, Header(max_length=200)] = "",
) -> Response:
    """The file's thumbnail; 404 ``no_thumbnail`` (``state`` pending or unavailable) when there is none."""
    core = get_core()
    ref = thumbnails.find(core, user, node_id, int(size))
    headers = {"Cache-Control": thumbnails.CACHE_CONTROL, "ETag": ref.etag}
    if etag_matches(if_none_match, ref.etag):
        return Response(status_code=304, headers=headers)
    return Response(thumbnails.read(core, ref), media_type=thumbnails.MEDIA_TYPE, headers=headers)
