"""Share links, from the owner's side: create, list, change, revoke. (Using one: sharing/public.py.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from argon2 import PasswordHasher
from sqlmodel import col, select

from pcs_app.models import FOLDER, Node, ShareLink, User, looks_like_id, utcnow

from .. import audit
from ..access import Actor, Perm, check, check_node
from ..core import Core
from ..errors import Conflict, InvalidInput, NotFound
from ..tree.common import require_not_root
from ..tx import Tx, write_tx
from .tokens import link_token, token_hash

MAX_DOWNLOADS = 1_000_000
MAX_LIFETIME = timedelta(days=3650)
LINK_CHANGE = "link"  # the change-feed kind that tells the owner's views a link changed or was used
_hasher = PasswordHasher()
UNSET: Any = object()  # "leave as it is" for update_link's optional fields


class BadTime(InvalidInput):
    """A well-formed time that makes no sense now (in the past, too far ahead)."""

    code, status = "invalid_time", 422


@dataclass(frozen=True)
class LinkView:
    """A link as its owner sees it: the token (to copy again), its address and its state."""

    link: ShareLink
    node: Node
    token: str
    url: str

    @property
    def state(self) -> LinkState:
        return state_of(self.link)


LinkState = Literal["active", "expired", "exhausted", "revoked"]


def state_of(link: ShareLink, now: datetime | None = None) -> LinkState:
    """active, expired, exhausted or revoked."""
    now = now or utcnow()
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at is not None and link.expires_at <= now:
        return "expired"
    if link.max_downloads is not None and link.downloads >= link.max_downloads:
        return "exhausted"
    return "active"


def view(core: Core, link: ShareLink, node: Node) -> LinkView:
    token = link_token(core, link)
    return LinkView(link, node, token, f"{core.settings.effective_public_url}/s/{token}")


def _expiry(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput("expires_at must be a date and time with a time zone.")
    if value <= utcnow():
        raise BadTime("expires_at must be in the future.")
    if value > utcnow() + MAX_LIFETIME:
        raise BadTime("A link can live at most ten years.")
    return value


def _password_hash(core: Core, value: object) -> str | None:
    if value is None:
        return None
    minimum = core.settings.password_min_length
    if not isinstance(value, str) or not (minimum <= len(value) <= 1024):
        raise InvalidInput(f"A link password has {minimum} to 1024 characters.")
    return _hasher.hash(value)


def _max_downloads(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not (1 <= value <= MAX_DOWNLOADS):
        raise InvalidInput(f"max_downloads must be between 1 and {MAX_DOWNLOADS:,}.")
    return value


def _check_upload_only(node: Node, upload_only: object) -> bool:
    if not isinstance(upload_only, bool):
        raise InvalidInput("upload_only must be true or false.")
    if upload_only and node.kind != FOLDER:
        raise Conflict("A file drop needs a folder: visitors upload into it.")
    return upload_only


def create_link(
    core: Core,
    actor: Actor,
    node_id: object,
    *,
    expires_at: object = None,
    password: object = None,
    max_downloads: object = None,
    upload_only: object = False,
    notify_downloads: object = False,
) -> LinkView:
    """A new link to a file or folder (only its owner may share it). ``notify_downloads``: mail the
    owner when it is first downloaded."""
    expires, limit = _expiry(expires_at), _max_downloads(max_downloads)
    pw_hash = _password_hash(core, password)
    with core.db.read() as s:
        owner = check_node(s, actor, node_id, Perm.MANAGE).owner_id
    with write_tx(core, owner) as tx:
        node = check_node(tx.s, actor, node_id, Perm.MANAGE)
        require_not_root(node)
        link = ShareLink(
            node_id=node.id,
            owner_id=node.owner_id,
            token_hash="",
            expires_at=expires,
            password_hash=pw_hash,
            max_downloads=limit,
            upload_only=_check_upload_only(node, upload_only),
            notify_downloads=_flag(notify_downloads),
        )
        link.token_hash = token_hash(link_token(core, link))
        tx.s.add(link)
        tx.s.flush()
        tx.record(node, LINK_CHANGE, sharers=False)
        _audit(tx, "link.create", link, node)
    return view(core, link, node)


def _own_link(tx: Tx, actor: Actor, link_id: object) -> tuple[ShareLink, Node]:
    link = tx.s.get(ShareLink, link_id) if looks_like_id(link_id) else None
    if link is None or link.revoked_at is not None:
        raise NotFound("No such link.")
    # Only someone who may manage the item sees its links: another account's id looks missing.
    got = check(tx.s, actor, link.node_id, Perm.MANAGE, allow_trashed=True)
    return link, got.node


def _owner_of_link(core: Core, link_id: object) -> int:
    with core.db.read() as s:
        link = s.get(ShareLink, link_id) if looks_like_id(link_id) else None
    if link is None:
        raise NotFound("No such link.")
    return link.owner_id


def update_link(
    core: Core,
    actor: Actor,
    link_id: object,
    *,
    expires_at: object = UNSET,
    password: object = UNSET,
    max_downloads: object = UNSET,
    upload_only: object = UNSET,
    notify_downloads: object = UNSET,
) -> LinkView:
    """Change a link's options; None clears expiry, password or limit. The token stays the same."""
    with write_tx(core, _owner_of_link(core, link_id)) as tx:
        link, node = _own_link(tx, actor, link_id)
        if expires_at is not UNSET:
            link.expires_at = _expiry(expires_at)
        if password is not UNSET:
            link.password_hash = _password_hash(core, password)
            link.password_version += 1  # unlocks made with the old password end
        if max_downloads is not UNSET:
            link.max_downloads = _max_downloads(max_downloads)
        if upload_only is not UNSET:
            link.upload_only = _check_upload_only(node, upload_only)
        if notify_downloads is not UNSET:
            link.notify_downloads = _flag(notify_downloads)
        tx.s.add(link)
        tx.record(node, LINK_CHANGE, sharers=False)
        _audit(tx, "link.update", link, node)
    return view(core, link, node)


def revoke_link(core: Core, actor: Actor, link_id: object) -> None:
    """End a link for good: it answers 'gone' from now on."""
    with write_tx(core, _owner_of_link(core, link_id)) as tx:
        link, node = _own_link(tx, actor, link_id)
        link.revoked_at = utcnow()
        tx.s.add(link)
        tx.record(node, LINK_CHANGE, sharers=False)
        _audit(tx, "link.revoke", link, node)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("notify_downloads must be true or false.")
    return value


def _audit(tx: Tx, action: str, link: ShareLink, node: Node) -> None:
    options = {
        "expires_at": link.expires_at,
        "password": link.password_hash is not None,
        "max_downloads": link.max_downloads,
        "upload_only": link.upload_only,
        "notify_downloads": link.notify_downloads,
    }
    tx.ledger.note(
        audit.row(
            action,
            audit.who(),
            target_type="link",
            target_id=link.id,
            target=node.name,
            owner_id=link.owner_id,
            detail={"node": node.id, **options},
        )
    )


def links_of(core: Core, actor: Actor, node_id: object) -> list[LinkView]:
    """The item's links that were not revoked, newest first (for whoever may manage it)."""
    with core.db.read() as s:
        node = check_node(s, actor, node_id, Perm.MANAGE)
        rows = s.exec(
            select(ShareLink)
            .where(ShareLink.node_id == node.id, col(ShareLink.revoked_at).is_(None))
            .order_by(col(ShareLink.created_at).desc())
        ).all()
    return [view(core, link, node) for link in rows]


def my_links(core: Core, user: User, limit: int = 1000) -> list[LinkView]:
    """Every link of the user's that was not revoked, newest first."""
    with core.db.read() as s:
        rows = s.exec(
            select(ShareLink, Node)
            .join(Node, col(Node.id) == col(ShareLink.node_id))
            .where(ShareLink.owner_id == user.id, col(ShareLink.revoked_at).is_(None))
            .order_by(col(ShareLink.created_at).desc())
            .limit(limit)
        ).all()
    return [view(core, link, node) for link, node in rows]
