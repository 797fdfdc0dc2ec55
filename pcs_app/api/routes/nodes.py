"""Folders and the tree: read, list, create, rename/move, copy, trash, restore, bulk actions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from pcs_app.services import sharing, tree
from pcs_app.wiring import get_core

from ..deps import Actor
from ..ids import NodeId
from ..responses import ON_FOLDERS, errors, links
from ..schemas import (
    CURSOR_PATTERN,
    BulkFolder,
    BulkFolderInto,
    BulkIds,
    BulkInto,
    BulkItem,
    BulkOut,
    CopyRequest,
    ErrorOut,
    NewFolder,
    NodeDetail,
    NodeOut,
    NodePage,
    NodePatch,
    RestoreRequest,
)

router = APIRouter(
    prefix="/api/v1",
    tags=["nodes"],
    responses=errors(400, 401, 404),
)
# The largest page is a setting (PCS_LIST_PAGE_MAX): the service checks it, the OpenAPI schema shows it.
PageLimit = Annotated[int, Query(ge=1, json_schema_extra={"x-pcs-page-max": True})]
Cursor = Annotated[str | None, Query(max_length=4096, pattern=CURSOR_PATTERN)]


@router.get("/nodes/root", response_model=NodeOut)
def get_root(user: Actor) -> NodeOut:
    return NodeOut.of(tree.root(get_core(), user))


@router.get("/nodes/{node_id:id}", response_model=NodeDetail)
def get_node(node_id: NodeId, user: Actor) -> NodeDetail:
    path = tree.ancestors(get_core(), user, node_id)
    return NodeDetail(**NodeOut.of(path[-1]).model_dump(), path=[NodeOut.of(n) for n in path[:-1]])


@router.get("/nodes/{node_id:id}/children", response_model=NodePage, responses=errors(409))
def list_children(
    node_id: NodeId,
    user: Actor,
    sort: Literal["name", "size", "modified"] = "name",
    order: Literal["asc", "desc"] = "asc",
    limit: PageLimit = 200,
    cursor: Cursor = None,
) -> NodePage:
    """A page of a folder (folders first); pass next_cursor back as cursor for the next page."""
    core = get_core()
    page = tree.list_children(core, user, node_id, sort=sort, desc=order == "desc", limit=limit, cursor=cursor)
    shared = sharing.marked(core, user, page.items)
    return NodePage(items=[NodeOut.of(n, n.id in shared) for n in page.items], next_cursor=page.next_cursor)


@router.post(
    "/nodes/{node_id:id}/folders",
    status_code=201,
    response_model=NodeOut,
    responses={**errors(403, 409), **links(201, ON_FOLDERS)},
)
def create_folder(node_id: NodeId, body: NewFolder, user: Actor) -> NodeOut:
    return NodeOut.of(tree.create_folder(get_core(), user, node_id, body.name, body.on_conflict))


@router.patch("/nodes/{node_id:id}", response_model=NodeOut, responses=errors(403, 409))
def patch_node(node_id: NodeId, body: NodePatch, user: Actor) -> NodeOut:
    """Rename (name) and/or move (parent_id)."""
    return NodeOut.of(
        tree.move(get_core(), user, node_id, body.parent_id, on_conflict=body.on_conflict, new_name=body.name)
    )


@router.post("/nodes/{node_id:id}/copy", status_code=201, response_model=NodeOut, responses=errors(403, 409))
def copy_node(node_id: NodeId, body: CopyRequest, user: Actor) -> NodeOut:
    return NodeOut.of(
        tree.copy(get_core(), user, node_id, body.parent_id, name=body.name, on_conflict=body.on_conflict)
    )


@router.delete(
    "/nodes/{node_id:id}", response_model=NodeOut, responses={**errors(403), **links(200, ("restore_node",))}
)
def delete_node(node_id: NodeId, user: Actor) -> NodeOut:
    """Move to the trash (restorable)."""
    return NodeOut.of(tree.trash(get_core(), user, node_id))


@router.post("/nodes/{node_id:id}/restore", response_model=NodeOut, responses=errors(403, 409))
def restore_node(node_id: NodeId, user: Actor, body: RestoreRequest | None = None) -> NodeOut:
    return NodeOut.of(tree.restore(get_core(), user, node_id, (body or RestoreRequest()).on_conflict))


def _bulk(op: str, ids: list[str], parent_id: str | None, user: Actor) -> BulkOut:
    return _bulk_out(tree.apply(get_core(), user, op, ids, parent_id))


def _bulk_out(result: tree.BulkResult) -> BulkOut:
    items = [
        BulkItem(
            id=o.id,
            status=o.status,
            node=NodeOut.of(o.node) if o.node is not None else None,
            error=ErrorOut(error=o.error.code, message=o.error.message) if o.error is not None else None,
        )
        for o in result.outcomes
    ]
    return BulkOut(done=len(result.done), unchanged=len(result.unchanged), failed=len(result.failed), items=items)


@router.post("/bulk/move", response_model=BulkOut, tags=["bulk"])
def bulk_move(body: BulkInto, user: Actor) -> BulkOut:
    """Move many items into one folder; each succeeds or fails on its own (see ``items``)."""
    return _bulk("move", body.ids, body.parent_id, user)


@router.post("/bulk/copy", response_model=BulkOut, tags=["bulk"])
def bulk_copy(body: BulkInto, user: Actor) -> BulkOut:
    """Copy many items into one folder (names that clash are numbered)."""
    return _bulk("copy", body.ids, body.parent_id, user)


@router.post("/bulk/trash", response_model=BulkOut, tags=["bulk"])
def bulk_trash(body: BulkIds, user: Actor) -> BulkOut:
    """Move many items to the trash."""
    return _bulk("trash", body.ids, None, user)


@router.post("/bulk/restore", response_model=BulkOut, tags=["bulk"])
def bulk_restore(body: BulkIds, user: Actor) -> BulkOut:
    """Bring many items back from the trash."""
    return _bulk("restore", body.ids, None, user)


@router.post("/nodes/{node_id:id}/bulk", response_model=BulkOut, tags=["bulk"], responses=errors(403, 409))
def bulk_folder(node_id: NodeId, body: BulkFolder, user: Actor) -> BulkOut:
    """Move, copy or trash everything in a folder except ``exclude`` ("select all N in this folder"),
    however many entries it holds, in one request; each entry succeeds or fails on its own."""
    dest = body.parent_id if isinstance(body, BulkFolderInto) else None
    return _bulk_out(tree.apply_folder(get_core(), user, body.op, node_id, body.exclude, dest))
