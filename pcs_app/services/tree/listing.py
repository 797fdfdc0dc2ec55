"""Reading the tree: one node, its path, and a folder's listing in keyset-paginated pages."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, tuple_
from sqlmodel import col, select

from pcs_app.models import FILE, FOLDER, Node, User

from ..access import Actor, Perm, check_folder, check_node, visible_path
from ..core import Core
from ..errors import InvalidInput

SORTS = ("name", "size", "modified")


@dataclass(frozen=True)
class Page:
    items: list[Node]
    next_cursor: str | None


def get_node(core: Core, actor: Actor, node_id: object, *, allow_trashed: bool = False) -> Node:
    with core.db.read() as s:
        return check_node(s, actor, node_id, Perm.READ, allow_trashed=allow_trashed)


def root(core: Core, actor: User) -> Node:
    return get_node(core, actor, actor.root_id)


def ancestors(core: Core, actor: Actor, node_id: object) -> list[Node]:
    """The path down to ``node_id`` (inclusive) as the actor sees it, for breadcrumbs: from the owner's
    root for the owner, from the shared item for everyone else (nothing above it is revealed)."""
    with core.db.read() as s:
        return visible_path(s, actor, check_node(s, actor, node_id, Perm.READ))


def _sort_column(sort: str) -> Any:
    return {"name": col(Node.name_key), "size": col(Node.size), "modified": col(Node.modified_at)}[sort]


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
            if not isinstance(value, str):
                raise ValueError
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InvalidInput("That page cursor is not valid for this listing; start again without it.") from e
    return kind, value, node_id


def check_limit(core: Core, limit: object) -> int:
    """A page size between 1 and PCS_LIST_PAGE_MAX."""
    if not isinstance(limit, int) or isinstance(limit, bool) or not (1 <= limit <= core.settings.list_page_max):
        raise InvalidInput(f"limit must be between 1 and {core.settings.list_page_max}.")
    return limit


def list_children(
    core: Core,
    actor: Actor,
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
    check_limit(core, limit)
    column = _sort_column(sort)
    start_kind, after = FOLDER, None
    if cursor:
        start_kind, value, after_id = _decode_cursor(cursor, sort, desc)
        after = (value, after_id)
    items: list[Node] = []
    with core.db.read() as s:
        folder = check_folder(s, actor, folder_id, Perm.READ)
        kinds = [FOLDER, FILE][[FOLDER, FILE].index(start_kind) :]
        for kind in kinds:
            want = limit + 1 - len(items)
            if want <= 0:
                break
            q = select(Node).where(Node.parent_id == folder.id, col(Node.trashed_at).is_(None), Node.kind == kind)
            if after is not None and kind == start_kind:
                key = tuple_(column, col(Node.id))
                q = q.where(key < tuple_(*after) if desc else key > tuple_(*after))
            order = [column.desc(), col(Node.id).desc()] if desc else [column.asc(), col(Node.id).asc()]
            items.extend(s.exec(q.order_by(*order).limit(want)).all())
    more = len(items) > limit
    items = items[:limit]
    return Page(items, _encode_cursor(sort, desc, items[-1]) if more else None)


def count_children(core: Core, actor: Actor, folder_id: object) -> int:
    """How many live entries a folder holds."""
    with core.db.read() as s:
        folder = check_folder(s, actor, folder_id, Perm.READ)
        q = select(func.count()).select_from(Node).where(Node.parent_id == folder.id, col(Node.trashed_at).is_(None))
        return int(s.exec(q).one())


def list_window(
    core: Core, actor: Actor, folder_id: object, *, sort: str = "name", desc: bool = False, offset: int, limit: int
) -> tuple[int, list[Node]]:
    """Rows ``offset`` .. ``offset + limit`` of a folder in listing order, and how many it holds in all:
    what a scrolled (virtualized) view needs to jump anywhere, e.g. straight to the end of 100,000 rows."""
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}.")
    check_limit(core, limit)
    if isinstance(offset, bool) or offset < 0:
        raise InvalidInput("offset must be a whole number, 0 or more.")
    column = _sort_column(sort)
    order = [column.desc(), col(Node.id).desc()] if desc else [column.asc(), col(Node.id).asc()]
    items: list[Node] = []
    with core.db.read() as s:
        folder = check_folder(s, actor, folder_id, Perm.READ)
        live = (Node.parent_id == folder.id, col(Node.trashed_at).is_(None))
        counts = dict(s.exec(select(Node.kind, func.count()).where(*live).group_by(Node.kind)).all())
        n_folders, total = int(counts.get(FOLDER, 0)), int(sum(counts.values()))
        if offset < n_folders:
            q = select(Node).where(*live, Node.kind == FOLDER).order_by(*order).offset(offset).limit(limit)
            items.extend(s.exec(q).all())
        want = limit - len(items)
        if want > 0 and offset + len(items) < total:
            q = select(Node).where(*live, Node.kind == FILE).order_by(*order)
            items.extend(s.exec(q.offset(max(0, offset - n_folders)).limit(want)).all())
    return total, items


def child_ids(
    core: Core, actor: Actor, folder_id: object, exclude: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """Every live entry of a folder (in name order), less ``exclude``: a whole-folder selection."""
    with core.db.read() as s:
        folder = check_folder(s, actor, folder_id, Perm.READ)
        q = (
            select(Node.id)
            .where(Node.parent_id == folder.id, col(Node.trashed_at).is_(None))
            .order_by(col(Node.kind), col(Node.name_key), col(Node.id))  # folders ('dir') first
        )
        return [i for i in s.exec(q).all() if i not in exclude]
