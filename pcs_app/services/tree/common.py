"""Row-level rules shared by everything that edits the tree: the "name already taken" query, free
names, the unique-name flush, touching a folder, the root's protection, and walking up and down."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pcs_app.models import Node, User, utcnow

from ..errors import Conflict, Forbidden, InvalidInput
from ..names import MAX_NAME_CHARS, name_key, numbered
from ..paths import path_of as path_of

MAX_AUTORENAME = 10_000
NAME_CONFLICTS = ("fail", "rename")

# "Is a top item of the trash", written as the bare column: the exact term of ix_node_trash's WHERE,
# which is how SQLite knows it may use that partial index (``trash_root IS 1`` or ``= 1`` read the
# owner's whole tree and sorted it: a trash page of 50,000 took 40 ms instead of a few).
TRASH_TOP = text("node.trash_root")


def taken(s: Session, parent_id: str, name: str, exclude: str | None = None) -> Node | None:
    """The live item called ``name`` (case-insensitively) in ``parent_id``, if any."""
    q = select(Node).where(Node.parent_id == parent_id, Node.name_key == name_key(name), col(Node.trashed_at).is_(None))
    if exclude:
        q = q.where(Node.id != exclude)
    return s.exec(q).first()


def resolve_name(s: Session, parent_id: str, name: str, on_conflict: str, exclude: str | None = None) -> str:
    """The name to use in ``parent_id``: ``name`` if free, a numbered one for 'rename', else Conflict."""
    if on_conflict not in NAME_CONFLICTS:
        raise InvalidInput("on_conflict must be 'fail' or 'rename'.")
    existing = taken(s, parent_id, name, exclude)
    if existing is None:
        return name
    if on_conflict == "fail":
        raise Conflict(f"'{existing.name}' already exists in this folder.", existing_id=existing.id)
    return free_name(s, parent_id, name, exclude)


def free_name(s: Session, parent_id: str, name: str, exclude: str | None = None, start: int = 1) -> str:
    """The first of 'name (1)', 'name (2)', … not taken in ``parent_id``."""
    for n in range(start, MAX_AUTORENAME):
        candidate = numbered(name, n)
        if len(candidate) > MAX_NAME_CHARS:
            raise Conflict("No free name is short enough; choose another name.")
        if taken(s, parent_id, candidate, exclude) is None:
            return candidate
    raise Conflict("Too many items with that name; choose another name.")


def flush_unique(s: Session) -> None:
    """Flush, turning a lost race for a name into a clear Conflict."""
    try:
        s.flush()
    except IntegrityError as e:
        raise Conflict("An item with that name was just created in this folder; try again.") from e


def touch(s: Session, folder: Node) -> None:
    folder.modified_at = utcnow()
    s.add(folder)


def require_not_root(node: Node) -> None:
    if node.parent_id is None:
        raise Forbidden("The root folder cannot be renamed, moved, copied or deleted.")


def subtree_ids(s: Session, root_id: str, trashed_at: datetime | None) -> list[str]:
    """Ids below ``root_id`` whose trashed_at equals ``trashed_at`` (None: the live ones)."""
    cond = col(Node.trashed_at).is_(None) if trashed_at is None else col(Node.trashed_at) == trashed_at
    down = select(Node.id).where(Node.parent_id == root_id, cond).cte(recursive=True)
    down = down.union_all(select(Node.id).where(Node.parent_id == down.c.id, cond))
    return list(s.exec(select(down.c.id)).all())


def owner_root(s: Session, owner_id: int) -> str:
    root_id = s.exec(select(User.root_id).where(User.id == owner_id)).one()
    if root_id is None:
        raise InvalidInput("That account has no root folder.")
    return root_id
