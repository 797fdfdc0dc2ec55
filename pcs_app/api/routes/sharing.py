"""Sharing, from the owner's side: links and grants; and what others share with me."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from pcs_app.models import ID_LENGTH, ID_PATTERN
from pcs_app.services import sharing
from pcs_app.wiring import get_core

from ..deps import Actor
from ..ids import NodeId
from ..responses import errors
from ..sharing_schemas import GrantOut, GrantPatch, LinkOut, LinkPatch, NewGrant, NewLink, SharedOut

router = APIRouter(prefix="/api/v1", tags=["sharing"], responses=errors(400, 401, 404))
LinkId = Annotated[str, Path(pattern=ID_PATTERN, min_length=ID_LENGTH, max_length=ID_LENGTH)]
GrantId = Annotated[str, Path(pattern=ID_PATTERN, min_length=ID_LENGTH, max_length=ID_LENGTH)]


@router.post("/nodes/{node_id:id}/links", status_code=201, response_model=LinkOut, responses=errors(403, 409))
def create_link(node_id: NodeId, body: NewLink, user: Actor) -> LinkOut:
    """A link that opens the file or folder to whoever has it (optionally: expiry, password, limit, drop)."""
    made = sharing.create_link(
        get_core(),
        user,
        node_id,
        expires_at=body.expires_at,
        password=body.password,
        max_downloads=body.max_downloads,
        upload_only=body.upload_only,
        notify_downloads=body.notify_downloads,
    )
    return LinkOut.of(made)


@router.get("/nodes/{node_id:id}/links", response_model=list[LinkOut], responses=errors(403))
def list_node_links(node_id: NodeId, user: Actor) -> list[LinkOut]:
    """The item's links (revoked ones are gone), newest first."""
    return [LinkOut.of(v) for v in sharing.links_of(get_core(), user, node_id)]


@router.get("/links", response_model=list[LinkOut])
def list_links(user: Actor) -> list[LinkOut]:
    """All my links, newest first."""
    return [LinkOut.of(v) for v in sharing.my_links(get_core(), user)]


@router.patch("/links/{link_id:id}", response_model=LinkOut, responses=errors(403, 409))
def update_link(link_id: LinkId, body: LinkPatch, user: Actor) -> LinkOut:
    """Change a link's options (the fields sent); its address stays the same."""
    changes: dict[str, Any] = {k: getattr(body, k) for k in body.model_fields_set}
    for flag in ("upload_only", "notify_downloads"):
        if flag in changes and changes[flag] is None:
            changes[flag] = False
    return LinkOut.of(sharing.update_link(get_core(), user, link_id, **changes))


@router.delete("/links/{link_id:id}", status_code=204, responses=errors(403))
def revoke_link(link_id: LinkId, user: Actor) -> Response:
    """End a link: from now on it answers 410."""
    sharing.revoke_link(get_core(), user, link_id)
    return Response(status_code=204)


@router.post("/nodes/{node_id:id}/grants", status_code=201, response_model=GrantOut, responses=errors(403, 409))
def create_grant(node_id: NodeId, body: NewGrant, user: Actor) -> GrantOut:
    """Share with another account as viewer or editor (sharing again changes the role)."""
    return GrantOut.of(sharing.share(get_core(), user, node_id, body.email, body.role))


@router.get("/nodes/{node_id:id}/grants", response_model=list[GrantOut], responses=errors(403))
def list_grants(node_id: NodeId, user: Actor) -> list[GrantOut]:
    """Who the item is shared with."""
    return [GrantOut.of(v) for v in sharing.grants_on(get_core(), user, node_id)]


@router.patch("/grants/{grant_id:id}", response_model=GrantOut, responses=errors(403))
def update_grant(grant_id: GrantId, body: GrantPatch, user: Actor) -> GrantOut:
    """Change a recipient's role (the owner only)."""
    return GrantOut.of(sharing.change_role(get_core(), user, grant_id, body.role))


@router.delete("/grants/{grant_id:id}", status_code=204, responses=errors(403))
def delete_grant(grant_id: GrantId, user: Actor) -> Response:
    """End a share: the owner unshares, or the recipient leaves."""
    sharing.remove(get_core(), user, grant_id)
    return Response(status_code=204)


@router.get("/shared", response_model=list[SharedOut])
def shared_with_me(user: Actor) -> list[SharedOut]:
    """What others share with me: each item with my role and its owner's email."""
    return [SharedOut.of(v) for v in sharing.shared_with(get_core(), user)]
