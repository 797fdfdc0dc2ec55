"""The trash: move items (and everything below them) there, bring them back, list it."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, select

from pcs_app.models import FOLDER, Node, User, utcnow

from ..access import Actor, Perm, check, check_node
from ..core import Core
from ..errors import Forbidden, NotFound
from ..names import name_key
from ..tx import write_tx
from .common import flush_unique, owner_root, require_not_root, resolve_name, subtree_ids, touch

_BATCH = 500


def trash(core: Core, actor: Actor, node_id: object) -> Node:
    """Move an item (and everything below it) to the trash; it keeps counting against the quota."""
    with core.db.read() as s:
        owner = check_node(s, actor, node_id, Perm.WRITE).owner_id
    with write_tx(core, owner) as tx:
        s = tx.s
        got = check(s, actor, node_id, Perm.WRITE)
        node = got.node
        require_not_root(node)
        if node.id == got.root:
            raise Forbidden("Only its owner can delete a shared folder itself; leave the share instead.")
        now = utcnow()
        below = subtree_ids(s, node.id, None) if node.kind == FOLDER else []
        for i in range(0, len(below), _BATCH):
            s.exec(update(Node).where(col(Node.id).in_(below[i : i + _BATCH])).values(trashed_at=now))
        node.trashed_at, node.trash_root = now, True
        s.add(node)
        parent = s.get(Node, node.parent_id)
        if parent is not None:
            touch(s, parent)
        tx.record(node, "trashed")
    return node


def restore(core: Core, actor: Actor, node_id: object, on_conflict: str = "rename") -> Node:
    """Bring a trashed item back to its folder (renamed if its name was taken meanwhile)."""
    with core.db.read() as s:
        owner = check_node(s, actor, node_id, Perm.WRITE, allow_trashed=True).owner_id
    with write_tx(core, owner) as tx:
        s = tx.s
        node = check_node(s, actor, node_id, Perm.WRITE, allow_trashed=True)
        if node.trashed_at is None or not node.trash_root:
            raise NotFound("That item is not in the trash.")
        parent = s.get(Node, node.parent_id)
        if parent is None or parent.trashed_at is not None:
            parent = s.get(Node, owner_root(s, node.owner_id))
            if parent is None:
                raise NotFound("The root folder is missing.")
        final = resolve_name(s, parent.id, node.name, on_conflict)
        below = subtree_ids(s, node.id, node.trashed_at) if node.kind == FOLDER else []
        for i in range(0, len(below), _BATCH):
            s.exec(update(Node).where(col(Node.id).in_(below[i : i + _BATCH])).values(trashed_at=None))
        node.trashed_at, node.trash_root = None, False
        node.parent_id, node.name, node.name_key = parent.id, final, name_key(final)
        s.add(node)
        flush_unique(s)
        touch(s, parent)
        tx.record(node, "restored")
    return node


def list_trash(core: Core, actor: User, limit: int = 200) -> list[Node]:
    with core.db.read() as s:
        return list(
            s.exec(
                select(Node)
                .where(Node.owner_id == actor.id, col(Node.trash_root).is_(True))
                .order_by(col(Node.trashed_at).desc())
                .limit(limit)
            ).all()
        )
