"""The two tree queries the usage counters need inside a write transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from pcs_app.models import FILE, FOLDER, Node

ROOT = "\0root"  # top_of's answer for the root folder itself


def top_of(s: Session, folder_id: str, root_id: str | None = None) -> str:
    """The id of the top-level folder ``folder_id`` is in (or is); ROOT for the root itself.

    Walks up by primary key through the session, whose identity map usually holds the folder already
    (the gate loaded it); with the owner's ``root_id`` a folder at the top, or the root, costs no query."""
    if folder_id == root_id:
        return ROOT
    below: str | None = None
    here: str = folder_id
    for _ in range(10_000):  # deeper than any path
        node = s.get(Node, here)
        if node is None:
            break
        if node.parent_id is None:
            return below if below is not None else ROOT
        if node.parent_id == root_id:
            return node.id
        below, here = node.id, node.parent_id
    raise LookupError(f"folder {folder_id} does not lead up to a root")


def files_below(s: Session, folder_id: str, trashed_at: datetime | None) -> list[tuple[str, str | None, int]]:
    """(name, mime type, size) of every file below the folder whose trashed_at is ``trashed_at``
    (None: the live ones), going down only through folders that match too. One query."""
    cond = col(Node.trashed_at).is_(None) if trashed_at is None else col(Node.trashed_at) == trashed_at
    fields = (col(Node.id), col(Node.kind), col(Node.name), col(Node.mime_type), col(Node.size))
    down = sql_select(*fields).where(col(Node.parent_id) == folder_id, cond).cte(recursive=True)
    down = down.union_all(
        sql_select(*fields).join(down, col(Node.parent_id) == down.c.id).where(down.c.kind == FOLDER, cond)
    )
    q = sql_select(down.c.name, down.c.mime_type, down.c.size).where(down.c.kind == FILE)
    return [(str(name), mime, int(size)) for name, mime, size in s.connection().execute(q).all()]
