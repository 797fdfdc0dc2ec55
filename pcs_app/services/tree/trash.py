"""The trash: move items (and everything below them) there, list it a page at a time, bring them back.
(Deleting for good: tree/purge.py.)"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, tuple_, update
from sqlmodel import Session, col, select

from pcs_app.models import FOLDER, Node, User, utcnow

from ..access import Actor, Perm, check, check_node
from ..core import Core
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, PCSError
from ..names import name_key, numbered
from ..paths import path_of
from ..tx import Tx, write_tx
from .common import TRASH_TOP, flush_unique, owner_root, require_not_root, subtree_ids, taken, touch

_BATCH = 500


def trash(core: Core, actor: Actor, node_id: object) -> Node:
    """Move an item (and everything below it) to the trash; it keeps counting against the quota."""
    with core.db.read() as s:
        owner = check_node(s, actor, node_id, Perm.WRITE).owner_id
    with write_tx(core, owner) as tx:
        return _trash_in(tx, actor, node_id)


def trash_many(core: Core, actor: Actor, ids: list[str]) -> dict[str, Node | PCSError]:
    """Move many items to the trash, one transaction per owner (a whole folder of them costs one commit,
    not one each); each item still succeeds or fails on its own."""
    out: dict[str, Node | PCSError] = {}
    owners: dict[int, list[str]] = {}
    with core.db.read() as s:
        for i in ids:
            try:
                owners.setdefault(check_node(s, actor, i, Perm.WRITE).owner_id, []).append(i)
            except PCSError as e:
                out[i] = e
    for owner, group in owners.items():
        with write_tx(core, owner) as tx:
            for i in group:
                try:
                    out[i] = _trash_in(tx, actor, i)
                except PCSError as e:  # checked before anything is changed: the others go on
                    out[i] = e
    return out


def _trash_in(tx: Tx, actor: Actor, node_id: object) -> Node:
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
    parent = s.get(Node, node.parent_id)
    node.trashed_at, node.trash_root = now, True
    node.trashed_from = "/" + "/".join(n.name for n in path_of(s, parent)[1:]) if parent is not None else "/"
    s.add(node)
    if parent is not None:
        touch(s, parent)
    tx.record(node, "trashed")
    return node


def restored_name(s: Session, parent_id: str, name: str) -> str:
    """``name`` if free in the folder, else 'name (restored)', then 'name (restored 2)', …"""
    if taken(s, parent_id, name) is None:
        return name
    for n in range(1, 10_000):
        candidate = numbered(name, "restored" if n == 1 else f"restored {n}")
        if taken(s, parent_id, candidate) is None:
            return candidate
    raise InvalidInput("Too many items with that name; rename the one in the folder first.")


def _folder_at(tx: Tx, owner_id: int, path: str) -> Node:
    """The live folder at ``path`` ("/Photos/2024") in the owner's files, made where it is missing."""
    s = tx.s
    folder = s.get(Node, owner_root(s, owner_id))
    if folder is None:
        raise NotFound("The root folder is missing.")
    for part in (p for p in path.split("/") if p):
        found = taken(s, folder.id, part)
        if found is None or found.kind != FOLDER:
            name = part if found is None else restored_name(s, folder.id, part)
            found = Node(owner_id=owner_id, parent_id=folder.id, name=name, name_key=name_key(name), kind=FOLDER)
            s.add(found)
            flush_unique(s)
            touch(s, folder)
            tx.record(found, "created")
        folder = found
    return folder


def restore(core: Core, actor: Actor, node_id: object, on_conflict: str = "rename") -> Node:
    """Bring a trashed item back to its folder. Folders that are gone are made again; a name taken in
    the meantime gives 'name (restored)' (with on_conflict='fail': a Conflict instead)."""
    if on_conflict not in ("fail", "rename"):
        raise InvalidInput("on_conflict must be 'fail' or 'rename'.")
    with core.db.read() as s:
        owner = check_node(s, actor, node_id, Perm.WRITE, allow_trashed=True).owner_id
    with write_tx(core, owner) as tx:
        return _restore_in(tx, actor, node_id, on_conflict)


def restore_many(core: Core, actor: Actor, ids: list[str]) -> dict[str, Node | PCSError]:
    """Bring many items back (names that clash are renamed), one transaction per owner; if that
    transaction fails, its items are restored one by one so each gets its own outcome."""
    out: dict[str, Node | PCSError] = {}
    owners: dict[int, list[str]] = {}
    with core.db.read() as s:
        for i in ids:
            try:
                node = check_node(s, actor, i, Perm.WRITE, allow_trashed=True)
                if node.trashed_at is None or not node.trash_root:
                    raise NotFound("That item is not in the trash.")
                owners.setdefault(node.owner_id, []).append(i)
            except PCSError as e:
                out[i] = e
    for owner, group in owners.items():
        try:
            with write_tx(core, owner) as tx:
                done = {i: _restore_in(tx, actor, i, "rename") for i in group}
            out.update(done)
        except PCSError:
            for i in group:
                try:
                    out[i] = restore(core, actor, i)
                except PCSError as e:
                    out[i] = e
    return out


def _restore_in(tx: Tx, actor: Actor, node_id: object, on_conflict: str) -> Node:
    s = tx.s
    node = check_node(s, actor, node_id, Perm.WRITE, allow_trashed=True)
    if node.trashed_at is None or not node.trash_root:
        raise NotFound("That item is not in the trash.")
    parent = s.get(Node, node.parent_id)
    # Its folder if that is still there (even renamed or moved); else the path it was at, made
    # again. (An item whose folder was deleted for good hangs under the root: purge.py.)
    rehomed = parent is not None and parent.parent_id is None and (node.trashed_from or "/") != "/"
    if parent is None or parent.trashed_at is not None or rehomed:
        parent = _folder_at(tx, node.owner_id, node.trashed_from or "/")
    clash = taken(s, parent.id, node.name)
    if clash is not None and on_conflict == "fail":
        raise Conflict(f"'{clash.name}' is in that folder now.", existing_id=clash.id)
    final = restored_name(s, parent.id, node.name)
    below = subtree_ids(s, node.id, node.trashed_at) if node.kind == FOLDER else []
    for i in range(0, len(below), _BATCH):
        s.exec(update(Node).where(col(Node.id).in_(below[i : i + _BATCH])).values(trashed_at=None))
    node.trashed_at, node.trash_root, node.trashed_from = None, False, None
    node.parent_id, node.name, node.name_key = parent.id, final, name_key(final)
    s.add(node)
    flush_unique(s)
    touch(s, parent)
    tx.record(node, "restored")
    return node


@dataclass(frozen=True)
class TrashPage:
    items: list[Node]
    next_cursor: str | None


def _cursor(node: Node) -> str:
    assert node.trashed_at is not None
    raw = json.dumps([node.trashed_at.isoformat(), node.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime, str]:
    try:
        when, node_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        at = datetime.fromisoformat(when)
        if at.tzinfo is None or not isinstance(node_id, str):
            raise ValueError
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InvalidInput("That page cursor is not valid for the trash; start again without it.") from e
    return at, node_id


def list_trash(core: Core, actor: User, *, limit: object = 200, cursor: str | None = None) -> TrashPage:
    """What the user put in the trash, newest first, a page at a time (one index range scan)."""
    if not isinstance(limit, int) or isinstance(limit, bool) or not (1 <= limit <= core.settings.list_page_max):
        raise InvalidInput(f"limit must be between 1 and {core.settings.list_page_max}.")
    q = select(Node).where(Node.owner_id == actor.id, TRASH_TOP)
    if cursor:
        at, node_id = _after(cursor)
        q = q.where(tuple_(col(Node.trashed_at), col(Node.id)) < tuple_(at, node_id))
    with core.db.read() as s:
        rows = list(s.exec(q.order_by(col(Node.trashed_at).desc(), col(Node.id).desc()).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return TrashPage(rows, _cursor(rows[-1]) if more else None)


def trash_count(core: Core, actor: User) -> int:
    """How many items the user's trash holds (its top items; one index count)."""
    with core.db.read() as s:
        return s.exec(select(func.count()).select_from(Node).where(Node.owner_id == actor.id, TRASH_TOP)).one()
