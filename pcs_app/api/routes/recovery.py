"""Getting things back: a file's versions (list, restore, pin, delete) and the trash (list, delete for
good, empty). Restoring a trashed item is ``POST /nodes/{id}/restore`` (nodes.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from starlette.concurrency import run_in_threadpool

from pcs_app.models import ROW_ID_MAX, Node
from pcs_app.services import content, tree
from pcs_app.wiring import get_core

from ..deps import Actor
from ..ids import NodeId
from ..responses import errors
from ..schemas import NodeOut, PurgeOut, TrashItemOut, TrashPageOut, VersionOut, VersionPatch
from .nodes import Cursor, PageLimit

router = APIRouter(prefix="/api/v1", responses=errors(400, 401, 404))
VersionId = Annotated[int, Path(ge=1, le=ROW_ID_MAX, description="A version's id (GET …/versions lists them).")]


@router.get("/nodes/{node_id:id}/versions", response_model=list[VersionOut], tags=["versions"])
def list_versions(node_id: NodeId, user: Actor) -> list[VersionOut]:
    """The file's versions, newest first (``current`` marks its content now)."""
    return [
        VersionOut.of(e.version, author=e.author, current=e.current) for e in content.history(get_core(), user, node_id)
    ]


@router.post(
    "/nodes/{node_id:id}/versions/{version_id:num}/restore",
    status_code=201,
    response_model=VersionOut,
    responses=errors(403, 409, 507),
    tags=["versions"],
)
def restore_version(node_id: NodeId, version_id: VersionId, user: Actor) -> VersionOut:
    """Make an old version the current content again. It comes back as a new version (the one it
    replaces stays in the history); no byte is copied, but it counts against the quota again."""
    v = content.restore_version(get_core(), user, node_id, version_id)
    return VersionOut.of(v, author=user.email if v.author_id == user.id else None, current=True)


@router.patch(
    "/nodes/{node_id:id}/versions/{version_id:num}",
    response_model=VersionOut,
    responses=errors(403, 409),
    tags=["versions"],
)
def patch_version(node_id: NodeId, version_id: VersionId, body: VersionPatch, user: Actor) -> VersionOut:
    """Pin a version (retention never thins it) or unpin it."""
    return VersionOut.of(content.pin_version(get_core(), user, node_id, version_id, body.pinned))


@router.delete(
    "/nodes/{node_id:id}/versions/{version_id:num}",
    status_code=204,
    response_class=Response,
    responses=errors(403, 409),
    tags=["versions"],
)
def delete_version(node_id: NodeId, version_id: VersionId, user: Actor) -> Response:
    """Delete one old version for good (not the current one: 409)."""
    content.delete_version(get_core(), user, node_id, version_id)
    return Response(status_code=204)


def _trash_item(n: Node) -> TrashItemOut:
    return TrashItemOut(**NodeOut.of(n).model_dump(), trashed_from=n.trashed_from or "/")


@router.get("/trash", response_model=TrashPageOut, tags=["trash"])
def list_trash(user: Actor, limit: PageLimit = 200, cursor: Cursor = None) -> TrashPageOut:
    """What you deleted, newest first, a page at a time: pass next_cursor back as cursor."""
    page = tree.list_trash(get_core(), user, limit=limit, cursor=cursor)
    return TrashPageOut(items=[_trash_item(n) for n in page.items], next_cursor=page.next_cursor)


@router.delete("/trash/{node_id:id}", response_model=PurgeOut, responses=errors(403), tags=["trash"])
async def delete_forever(node_id: NodeId, user: Actor) -> PurgeOut:
    """Delete one item of the trash for good (a folder with everything in it). Its bytes are reclaimed
    by garbage collection once nothing else refers to them."""
    report = await run_in_threadpool(tree.delete_forever, get_core(), user, node_id)
    return PurgeOut(items=report.items, bytes=report.bytes)


@router.delete("/trash", response_model=PurgeOut, tags=["trash"])
async def empty_trash(user: Actor) -> PurgeOut:
    """Delete everything in the trash for good."""
    report = await run_in_threadpool(tree.empty_trash, get_core(), user)
    return PurgeOut(items=report.items, bytes=report.bytes)
