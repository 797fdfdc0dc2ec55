"""Folders and the tree: get, list (cursor-paginated), create, rename, move, copy, trash, restore."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from pcs_app.models import FILE, FOLDER, Blob, Node, User, Version, utcnow

from .access import check_folder, check_node
from .core import Core
from .errors import Conflict, InvalidInput, NotFound
from .names import name_key, numbered, validate_name
from .tx import Tx, write_tx

SORTS = ("name", "size", "modified")
MAX_AUTORENAME = 10_000


@dataclass(frozen=True)
class Page:
    items: list[Node]
    next_cursor: str | None


# -- reading -------------------------------------------------------------------------------------


def get_node(core: Core, actor: User, node_id: object, *, allow_trashed: bool = False) -> Node:
    with core.db.read() as s:
        return check_node(s, actor, node_id, allow_trashed=allow_trashed)


def root(core: Core, actor: User) -> Node:
    return get_node(core, actor, actor.root_id)


def ancestors(core: Core, actor: User, node_id: object) -> list[Node]:
    """The path from the root to ``node_id`` (inclusive), for breadcrumbs."""
    with core.db.read() as s:
        node = check_node(s, actor, node_id)
        return _ancestors(s, node)


def _ancestors(s: Session, node: Node) -> list[Node]:
    up = select(Node.id, Node.parent_id, literal(0).label("depth")).where(Node.id == node.id).cte(recursive=True)
    up = up.union_all(select(Node.id, Node.parent_id, (up.c.depth + 1).label("depth")).where(Node.id == up.c.parent_id))
    rows = s.exec(select(Node, up.c.depth).join(up, Node.id == up.c.id).order_by(up.c.depth.desc())).all()
    return [n for n, _ in rows]


def _sort_column(sort: str):  # type: ignore[no-untyped-def]
    return {"name": Node.name_key, "size": Node.size, "modified": Node.modified_at}[sort]


def _cursor_value(node: Node, sort: str) -> object:
    if sort == "name":
        return node.name_key
    if sort == "size":
        return node.size
    return node.modified_at.isoformat()


def _encode_cursor(sort: str, desc: bool, node: Node) -> str:
    raw = json.dumps([sort, desc, node.kind, _cursor_value(node, sort), node.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str, desc: bool) -> tuple[str, object, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        c_sort, c_desc, kind, value, node_id = json.loads(raw)
        if c_sort != sort or c_desc != desc or kind not in (FOLDER, FILE) or not isinstance(node_id, str):
            raise ValueError
        if sort == "name" and not isinstance(value, str):
            raise ValueError
        if sort == "size" and (not isinstance(value, int) or isinstance(value, bool)):
            raise ValueError
        if sort == "modified":
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InvalidInput("That page cursor is not valid for this listing; start again without it.") from e
    return kind, value, node_id


def list_children(
    core: Core,
    actor: User,
    folder_id: object,
    *,
    sort: str = "name",
    desc: bool = False,
    limit: int = 200,
    cursor: str | None = None,
) -> Page:
    """One page of a folder, folders first, then by ``sort``; ``next_cursor`` continues it."""
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}.")
    if not isinstance(limit, int) or not (1 <= limit <= core.settings.list_page_max):
        raise InvalidInput(f"limit must be between 1 and {core.settings.list_page_max}.")
    col = _sort_column(sort)
    start_kind, after = FOLDER, None
    if cursor:
        start_kind, value, after_id = _decode_cursor(cursor, sort, desc)
        after = (value, after_id)
    items: list[Node] = []
    with core.db.read() as s:
        folder = check_folder(s, actor, folder_id)
        kinds = [FOLDER, FILE][[FOLDER, FILE].index(start_kind) :]
        for kind in kinds:
            want = limit + 1 - len(items)
            if want <= 0:
                break
            q = select(Node).where(Node.parent_id == folder.id, Node.trashed_at.is_(None), Node.kind == kind)  # type: ignore[union-attr]
            if after is not None and kind == start_kind:
                key = tuple_(col, Node.id)
                q = q.where(key < tuple_(*after) if desc else key > tuple_(*after))
            order = [col.desc(), Node.id.desc()] if desc else [col.asc(), Node.id.asc()]  # type: ignore[attr-defined]
            items.extend(s.exec(q.order_by(*order).limit(want)).all())
    more = len(items) > limit
    items = items[:limit]
    return Page(items, _encode_cursor(sort, desc, items[-1]) if more else None)


# -- naming --------------------------------------------------------------------------------------


def _taken(s: Session, parent_id: str, name: str, exclude: str | None = None) -> Node | None:
    q = select(Node).where(Node.parent_id == parent_id, Node.name_key == name_key(name), Node.trashed_at.is_(None))  # type: ignore[union-attr]
    if exclude:
        q = q.where(Node.id != exclude)
    return s.exec(q).first()


def resolve_name(s: Session, parent_id: str, name: str, on_conflict: str, exclude: str | None = None) -> str:
    """The name to use in ``parent_id``: ``name`` if free, a numbered one for 'rename', else Conflict."""
    if on_conflict not in ("fail", "rename"):
        raise InvalidInput("on_conflict must be 'fail' or 'rename'.")
    existing = _taken(s, parent_id, name, exclude)
    if existing is None:
        return name
    if on_conflict == "fail":
        raise Conflict(f"'{existing.name}' already exists in this folder.", existing_id=existing.id)
    for n in range(1, MAX_AUTORENAME):
        candidate = numbered(name, n)
        if len(candidate.encode()) > 255:
            raise Conflict("No free name is short enough; choose another name.")
        if _taken(s, parent_id, candidate, exclude) is None:
            return candidate
    raise Conflict("Too many items with that name; choose another name.")


def _flush_unique(s: Session) -> None:
    try:
        s.flush()
    except IntegrityError as e:
        raise Conflict("An item with that name was just created in this folder; try again.") from e


# -- writing -------------------------------------------------------------------------------------


def create_folder(core: Core, actor: User, parent_id: object, name: object, on_conflict: str = "fail") -> Node:
    nfc = validate_name(name)
    with core.db.read() as s:
        parent = check_folder(s, actor, parent_id, "write")
    with write_tx(core, parent.owner_id) as tx:
        parent = check_folder(tx.s, actor, parent_id, "write")
        final = resolve_name(tx.s, parent.id, nfc, on_conflict)
        node = Node(owner_id=parent.owner_id, parent_id=parent.id, name=final, name_key=name_key(final), kind=FOLDER)
        tx.s.add(node)
        _flush_unique(tx.s)
        _touch(tx.s, parent)
        tx.record(node, "created")
    return node


def _touch(s: Session, folder: Node) -> None:
    folder.modified_at = utcnow()
    s.add(folder)


def _require_not_root(node: Node) -> None:
    if node.parent_id is None:
        raise InvalidInput("The root folder cannot be renamed, moved or deleted.")


def rename(core: Core, actor: User, node_id: object, new_name: object, on_conflict: str = "fail") -> Node:
    return move(core, actor, node_id, None, on_conflict=on_conflict, new_name=new_name)


def move(
    core: Core,
    actor: User,
    node_id: object,
    new_parent_id: object | None,
    *,
    on_conflict: str = "fail",
    new_name: object | None = None,
) -> Node:
    """Move and/or rename. Moving a folder into itself or a descendant is refused."""
    nfc = validate_name(new_name) if new_name is not None else None
    with core.db.read() as s:
        owner = check_node(s, actor, node_id, "write").owner_id
    with write_tx(core, owner) as tx:
        s = tx.s
        node = check_node(s, actor, node_id, "write")
        _require_not_root(node)
        old_parent = s.get(Node, node.parent_id)
        assert old_parent is not None
        parent = old_parent
        if new_parent_id is not None and new_parent_id != node.parent_id:
            parent = check_folder(s, actor, new_parent_id, "write")
            if parent.owner_id != node.owner_id:
                raise InvalidInput("Items can only be moved within one owner's files.")
            if node.kind == FOLDER and any(a.id == node.id for a in _ancestors(s, parent)):
                raise Conflict("A folder cannot be moved into itself or one of its subfolders.")
        target = nfc if nfc is not None else node.name
        if parent.id == node.parent_id and target == node.name:
            return node  # nothing to do
        final = resolve_name(s, parent.id, target, on_conflict, exclude=node.id)
        moved = parent.id != node.parent_id
        node.parent_id, node.name, node.name_key = parent.id, final, name_key(final)
        node.modified_at = utcnow() if node.kind == FOLDER else node.modified_at
        s.add(node)
        _flush_unique(s)
        _touch(s, parent)
        if moved:
            _touch(s, old_parent)
        tx.record(node, "moved" if moved else "renamed")
    return node


def _live_children(s: Session, folder_id: str) -> list[Node]:
    return list(s.exec(select(Node).where(Node.parent_id == folder_id, Node.trashed_at.is_(None))).all())  # type: ignore[union-attr]


def copy(
    core: Core,
    actor: User,
    node_id: object,
    dest_parent_id: object,
    *,
    name: object | None = None,
    on_conflict: str = "fail",
) -> Node:
    """Copy a file or a whole folder. No bytes move: the copies share the originals' blobs."""
    nfc = validate_name(name) if name is not None else None
    with core.db.read() as s:
        dest_owner = check_folder(s, actor, dest_parent_id, "write").owner_id
    with write_tx(core, dest_owner) as tx:
        s = tx.s
        src = check_node(s, actor, node_id, "read")
        _require_not_root(src)
        dest = check_folder(s, actor, dest_parent_id, "write")
        if src.kind == FOLDER and any(a.id == src.id for a in _ancestors(s, dest)):
            raise Conflict("A folder cannot be copied into itself or one of its subfolders.")
        final = resolve_name(s, dest.id, nfc or src.name, on_conflict)
        added = 0
        top = _copy_one(tx, actor, src, dest.id, final)
        added += top[1]
        queue = [(src, top[0])] if src.kind == FOLDER else []
        while queue:
            old_folder, new_folder = queue.pop()
            for child in _live_children(s, old_folder.id):
                copied, size = _copy_one(tx, actor, child, new_folder.id, child.name)
                added += size
                if child.kind == FOLDER:
                    queue.append((child, copied))
        _touch(s, dest)
        tx.charge(added)
    return top[0]


def _copy_one(tx: Tx, actor: User, src: Node, parent_id: str, name: str) -> tuple[Node, int]:
    s = tx.s
    node = Node(
        owner_id=tx.user_id,
        parent_id=parent_id,
        name=name,
        name_key=name_key(name),
        kind=src.kind,
        size=src.size,
        mime_type=src.mime_type,
        sha256=src.sha256,
    )
    s.add(node)
    _flush_unique(s)
    size = 0
    if src.kind == FILE and src.version_id is not None:
        old = s.get(Version, src.version_id)
        assert old is not None
        v = Version(
            node_id=node.id,
            blob_id=old.blob_id,
            size=old.size,
            sha256=old.sha256,
            mime_type=old.mime_type,
            author_id=actor.id,
        )
        s.add(v)
        s.exec(update(Blob).where(Blob.id == old.blob_id).values(refcount=Blob.refcount + 1))  # type: ignore[call-overload]
        s.flush()
        node.version_id = v.id
        s.add(node)
        size = old.size
    tx.record(node, "created")
    return node, size


def _subtree_ids(s: Session, root_id: str, trashed_at: datetime | None) -> list[str]:
    """Ids below ``root_id`` whose trashed_at equals ``trashed_at`` (None: the live ones)."""
    cond = Node.trashed_at.is_(None) if trashed_at is None else Node.trashed_at == trashed_at  # type: ignore[union-attr]
    down = select(Node.id).where(Node.parent_id == root_id, cond).cte(recursive=True)
    down = down.union_all(select(Node.id).where(Node.parent_id == down.c.id, cond))
    return list(s.exec(select(down.c.id)).all())


def trash(core: Core, actor: User, node_id: object) -> Node:
    """Move an item (and everything below it) to the trash; it keeps counting against the quota."""
    with core.db.read() as s:
        owner = check_node(s, actor, node_id, "write").owner_id
    with write_tx(core, owner) as tx:
        s = tx.s
        node = check_node(s, actor, node_id, "write")
        _require_not_root(node)
        now = utcnow()
        below = _subtree_ids(s, node.id, None) if node.kind == FOLDER else []
        for i in range(0, len(below), 500):
            s.exec(update(Node).where(Node.id.in_(below[i : i + 500])).values(trashed_at=now))  # type: ignore[call-overload,attr-defined]
        node.trashed_at, node.trash_root = now, True
        s.add(node)
        parent = s.get(Node, node.parent_id)
        if parent is not None:
            _touch(s, parent)
        tx.record(node, "trashed")
    return node


def restore(core: Core, actor: User, node_id: object, on_conflict: str = "rename") -> Node:
    """Bring a trashed item back to its folder (renamed if its name was taken meanwhile)."""
    with core.db.read() as s:
        owner = check_node(s, actor, node_id, "write", allow_trashed=True).owner_id
    with write_tx(core, owner) as tx:
        s = tx.s
        node = check_node(s, actor, node_id, "write", allow_trashed=True)
        if node.trashed_at is None or not node.trash_root:
            raise NotFound("That item is not in the trash.")
        parent = s.get(Node, node.parent_id)
        if parent is None or parent.trashed_at is not None:
            parent = s.get(Node, _owner_root(s, node.owner_id))
            assert parent is not None
        final = resolve_name(s, parent.id, node.name, on_conflict)
        below = _subtree_ids(s, node.id, node.trashed_at) if node.kind == FOLDER else []
        for i in range(0, len(below), 500):
            s.exec(update(Node).where(Node.id.in_(below[i : i + 500])).values(trashed_at=None))  # type: ignore[call-overload,attr-defined]
        node.trashed_at, node.trash_root = None, False
        node.parent_id, node.name, node.name_key = parent.id, final, name_key(final)
        s.add(node)
        _flush_unique(s)
        _touch(s, parent)
        tx.record(node, "restored")
    return node


def _owner_root(s: Session, owner_id: int) -> str:
    root_id = s.exec(select(User.root_id).where(User.id == owner_id)).one()
    assert root_id is not None
    return root_id


def list_trash(core: Core, actor: User, limit: int = 200) -> list[Node]:
    with core.db.read() as s:
        return list(
            s.exec(
                select(Node)
                .where(Node.owner_id == actor.id, Node.trash_root.is_(True))  # type: ignore[attr-defined]
                .order_by(Node.trashed_at.desc())  # type: ignore[union-attr]
                .limit(limit)
            ).all()
        )
