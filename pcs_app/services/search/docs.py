"""What the index holds for a node: a SearchDoc built from its row, where it sits (its ancestors and the
folder path shown), and its text. Subtrees are walked a level at a time in short read transactions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import tuple_
from sqlmodel import Session, col, select

from pcs_app.adapters.search import SearchDoc, classify
from pcs_app.models import FILE, FOLDER, Node, SearchText, kind_name

from ..core import Core
from ..paths import path_of
from . import texts

WALK_PAGE = 2000  # rows one query of a subtree walk reads


@dataclass(frozen=True)
class Place:
    """Where a folder is: the ids from the owner's root down to it, and its path as shown ("/" for the root)."""

    ancestors: tuple[str, ...]
    path: str

    def child(self, folder: Node) -> Place:
        return Place((*self.ancestors, folder.id), self.path.rstrip("/") + "/" + folder.name)


def place_of(s: Session, folder: Node) -> Place:
    """The Place of a folder, from its path to the root (one recursive query)."""
    nodes = path_of(s, folder)
    return Place(tuple(n.id for n in nodes), "/" + "/".join(n.name for n in nodes[1:]))


def doc_of(node: Node, parent: Place, text: str = "") -> SearchDoc:
    """The index's document for ``node`` (in the folder at ``parent``)."""
    kind = kind_name(node.kind)
    return SearchDoc(
        id=node.id,
        owner_id=node.owner_id,
        ancestor_ids=list(parent.ancestors),
        name=node.name,
        path=parent.path,
        kind=kind,
        type=classify(node.mime_type or "", node.name, kind),
        mime_type=node.mime_type or "",
        size=node.size,
        modified_at=node.modified_at,
        created_at=node.created_at,
        content=text if node.kind == FILE else "",
    )


def walk(core: Core, folder: Node, place: Place) -> Iterator[tuple[Node, Place]]:
    """Every live node below ``folder`` (at ``place``), with its parent's Place, a folder before what it holds."""
    frontier: list[tuple[str, Place]] = [(folder.id, place)]
    while frontier:
        level, frontier = frontier[:500], frontier[500:]
        places = dict(level)
        after: tuple[str, str] | None = None
        while True:
            q = select(Node).where(col(Node.parent_id).in_(list(places)), col(Node.trashed_at).is_(None))
            if after is not None:
                q = q.where(tuple_(col(Node.parent_id), col(Node.id)) > tuple_(*after))
            with core.db.read() as s:
                rows = list(s.exec(q.order_by(col(Node.parent_id), col(Node.id)).limit(WALK_PAGE)).all())
            for node in rows:
                parent = places[node.parent_id or ""]
                yield node, parent
                if node.kind == FOLDER:
                    frontier.append((node.id, parent.child(node)))
            if len(rows) < WALK_PAGE:
                break
            after = (rows[-1].parent_id or "", rows[-1].id)


# Reads a file's text when the stored row is missing or stale (the job's sandboxed reader); None: keep none.
Extractor = Callable[[Node, SearchText | None], SearchText | None]


def with_texts(core: Core, items: list[tuple[Node, Place]], extract: Extractor | None) -> tuple[list[SearchDoc], int]:
    """Documents for these nodes, their texts from the database (or read by ``extract``); and how many were read."""
    with core.db.read() as s:
        rows = texts.rows_for(s, [n.sha256 for n, _ in items if n.kind == FILE and n.sha256])
    docs: list[SearchDoc] = []
    read = 0
    for node, parent in items:
        row = rows.get(node.sha256 or "") if node.kind == FILE else None
        if extract is not None and node.kind == FILE and node.sha256:
            fresh = extract(node, row)
            if fresh is not None and fresh is not row:
                rows[fresh.sha256] = row = fresh
                read += 1
        docs.append(doc_of(node, parent, row.text if row is not None else ""))
    return docs, read
