"""Editing the tree: create folders, rename, move."""

from __future__ import annotations

from pcs_app.models import FOLDER, Node, utcnow

from ..access import Actor, Perm, check, check_folder, check_node
from ..core import Core
from ..errors import Conflict, Forbidden, InvalidInput
from ..names import name_key, validate_name
from ..tx import write_tx
from .common import flush_unique, path_of, require_not_root, resolve_name, touch


def create_folder(core: Core, actor: Actor, parent_id: object, name: object, on_conflict: str = "fail") -> Node:
    nfc = validate_name(name)
    with core.db.read() as s:
        owner = check_folder(s, actor, parent_id, Perm.WRITE).owner_id
    with write_tx(core, owner) as tx:
        parent = check_folder(tx.s, actor, parent_id, Perm.WRITE)
        final = resolve_name(tx.s, parent.id, nfc, on_conflict)
        node = Node(owner_id=parent.owner_id, parent_id=parent.id, name=final, name_key=name_key(final), kind=FOLDER)
        tx.s.add(node)
        flush_unique(tx.s)
        touch(tx.s, parent)
        tx.record(node, "created")
    return node


def rename(core: Core, actor: Actor, node_id: object, new_name: object, on_conflict: str = "fail") -> Node:
    return move(core, actor, node_id, None, on_conflict=on_conflict, new_name=new_name)


def move(
    core: Core,
    actor: Actor,
    node_id: object,
    new_parent_id: object | None,
    *,
    on_conflict: str = "fail",
    new_name: object | None = None,
) -> Node:
    """Move and/or rename. Moving a folder into itself or a descendant is refused."""
    nfc = validate_name(new_name) if new_name is not None else None
    with core.db.read() as s:
        owner = check_node(s, actor, node_id, Perm.WRITE).owner_id
    with write_tx(core, owner) as tx:
        s = tx.s
        got = check(s, actor, node_id, Perm.WRITE)
        node = got.node
        require_not_root(node)
        old_parent = s.get(Node, node.parent_id)
        if old_parent is None:
            raise InvalidInput("That item has no folder.")
        parent = old_parent
        if new_parent_id is not None and new_parent_id != node.parent_id:
            dest = check(s, actor, new_parent_id, Perm.WRITE)
            parent = dest.node
            if parent.kind != FOLDER:
                raise Conflict("That is a file, not a folder.")
            if parent.owner_id != node.owner_id:
                raise Forbidden("Items can only be moved within one owner's files; copy them instead.")
            if node.id == got.root:
                raise Forbidden("Only its owner can move a shared folder itself.")
            if dest.root != got.root:
                raise Forbidden("Items can only be moved within the shared folder they are in; copy them instead.")
            if node.kind == FOLDER and any(a.id == node.id for a in path_of(s, parent)):
                raise Conflict("A folder cannot be moved into itself or one of its subfolders.")
        target = nfc if nfc is not None else node.name
        if parent.id == node.parent_id and target == node.name:
            return node  # nothing to do
        final = resolve_name(s, parent.id, target, on_conflict, exclude=node.id)
        moved = parent.id != node.parent_id
        node.parent_id, node.name, node.name_key = parent.id, final, name_key(final)
        node.modified_at = utcnow() if node.kind == FOLDER else node.modified_at
        s.add(node)
        flush_unique(s)
        touch(s, parent)
        if moved:
            touch(s, old_parent)
        tx.record(node, "moved" if moved else "renamed", also=[old_parent.id] if moved else [])
    return node
