"""GET /api/v1/nodes/{node_id}/thumbnail: a file's WebP thumbnail, cached for a year by content."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from pcs_app.services import thumbnails
from pcs_app.services.core import get_core

from .routes import Actor
from .schemas import ErrorOut

router = APIRouter(prefix="/api/v1", responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}})


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


@router.get(
    "/nodes/{node_id}/thumbnail",
    tags=["files"],
    response_class=Response,
    responses={
        200: {"content": {thumbnails.MEDIA_TYPE: {}}, "description": "The thumbnail (WebP)."},
        304: {"description": "The copy the client holds is current."},
        400: {"model": ErrorOut},
    },
)
def get_thumbnail(
    node_id: str,
    user: Actor,
    size: Annotated[int, Query(description="Longer edge in pixels: 256 or 1024.")] = 256,
    v: Annotated[str | None, Query(max_length=64, description="Any content tag (e.g. sha256): busts caches.")] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The file's thumbnail; 404 ``no_thumbnail`` (``state`` pending or unavailable) when there is none."""
    core = get_core()
    ref = thumbnails.find(core, user, node_id, size)
    headers = {"Cache-Control": thumbnails.CACHE_CONTROL, "ETag": ref.etag}
    if _matches(if_none_match, ref.etag):
        return Response(status_code=304, headers=headers)
    return Response(thumbnails.read(core, ref), media_type=thumbnails.MEDIA_TYPE, headers=headers)
