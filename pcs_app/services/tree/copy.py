"""Copying files and whole folders. No bytes move: the copies share the originals' blobs.

A folder is copied in bounded transactions (``COPY_CHUNK`` items each), so a huge tree never holds
the database's write lock for long. While it is being built the new top folder is hidden (it carries
a ``trashed_at`` without being a trash root: listed nowhere, reachable by nobody); one small last
transaction gives it its final name and shows it. A crash in between leaves only a hidden tree, which
permanent deletion reclaims (``abandoned_copies``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from pcs_app.models import FILE, FOLDER, Blob, Node, Version, utcnow

from ..access import Actor, Perm, check_folder, check_node
from ..core import Core
from ..errors import Conflict, NotFound
from ..names import name_key, validate_name
from ..tx import Tx, write_tx
from .common import flush_unique, path_of, require_not_root, resolve_name, touch

COPY_CHUNK = 500


@dataclass
class _Pending:
    """Folders whose children are still to be copied: (source folder id, copy's id, last child id done)."""

    src: str
    dst: str
    after: str = ""


def copy(
    core: Core,
    actor: Actor,
    node_id: object,
    dest_parent_id: object,
    *,
    name: object | None = None,
    on_conflict: str = "fail",
) -> Node:
    """Copy a file or a whole folder into ``dest_parent_id`` (charged to the destination's owner)."""
    nfc = validate_name(name) if name is not None else None
    with core.db.read() as s:
        dest_owner = check_folder(s, actor, dest_parent_id, Perm.WRITE).owner_id
        src = check_node(s, actor, node_id, Perm.READ)
    if src.kind == FILE:
        with write_tx(core, dest_owner) as tx:
            tx.op = "copy"  # audit + usage: a copy, not an upload
            src, dest, final = _check_target(tx.s, actor, node_id, dest_parent_id, nfc, on_conflict)
            top = _copy_one(tx, actor, src, dest.id, final)
            touch(tx.s, dest)
            tx.record(top, "created")
        return top
    with write_tx(core, dest_owner) as tx:
        src, dest, final = _check_target(tx.s, actor, node_id, dest_parent_id, nfc, on_conflict)
        top = _copy_one(tx, actor, src, dest.id, final, hidden=True)
    pending = [_Pending(src.id, top.id)]
    while pending:
        with write_tx(core, dest_owner) as tx:
            _copy_chunk(tx, actor, pending)
            # A heartbeat: garbage collection takes a hidden top untouched for a while for abandoned.
            tx.s.exec(update(Node).where(col(Node.id) == top.id).values(trashed_at=utcnow()))
    with write_tx(core, dest_owner) as tx:
        tx.op = "copy"  # audit + usage: the copy's whole tree is shown now
        s = tx.s
        dest = check_folder(s, actor, dest_parent_id, Perm.WRITE)
        shown = s.get(Node, top.id)
        if shown is None:
            raise NotFound("The copy was removed while it was being made.")
        final = resolve_name(s, dest.id, top.name, on_conflict)
        shown.trashed_at, shown.name, shown.name_key, shown.modified_at = None, final, name_key(final), utcnow()
        s.add(shown)
        flush_unique(s)
        touch(s, dest)
        tx.record(shown, "created")
    return shown


def _check_target(
    s: Session, actor: Actor, node_id: object, dest_parent_id: object, name: str | None, on_conflict: str
) -> tuple[Node, Node, str]:
    src = check_node(s, actor, node_id, Perm.READ)
    require_not_root(src)
    dest = check_folder(s, actor, dest_parent_id, Perm.WRITE)
    if src.kind == FOLDER and any(a.id == src.id for a in path_of(s, dest)):
        raise Conflict("A folder cannot be copied into itself or one of its subfolders.")
    return src, dest, resolve_name(s, dest.id, name or src.name, on_conflict)


def _copy_chunk(tx: Tx, actor: Actor, pending: list[_Pending]) -> None:
    """Copy up to COPY_CHUNK children of the pending folders, depth first."""
    done = 0
    while pending and done < COPY_CHUNK:
        job = pending[-1]
        kids = tx.s.exec(
            select(Node)
            .where(Node.parent_id == job.src, col(Node.trashed_at).is_(None), col(Node.id) > job.after)
            .order_by(col(Node.id))
            .limit(COPY_CHUNK - done)
        ).all()
        if not kids:
            pending.pop()
            continue
        for child in kids:
            copied = _copy_one(tx, actor, child, job.dst, child.name)
            if child.kind == FOLDER:
                pending.insert(len(pending) - 1, _Pending(child.id, copied.id))
        job.after = kids[-1].id
        done += len(kids)


def _copy_one(tx: Tx, actor: Actor, src: Node, parent_id: str, name: str, *, hidden: bool = False) -> Node:
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
        trashed_at=utcnow() if hidden else None,
    )
    s.add(node)
    flush_unique(s)
    if src.kind == FILE and src.version_id is not None:
        old = s.get(Version, src.version_id)
        if old is None:
            raise NotFound(f"'{src.name}' lost its content while being copied.")
        v = Version(
            node_id=node.id,
            blob_id=old.blob_id,
            size=old.size,
            sha256=old.sha256,
            mime_type=old.mime_type,
            author_id=actor.id,
        )
        s.add(v)
        s.exec(update(Blob).where(col(Blob.id) == old.blob_id).values(refcount=col(Blob.refcount) + 1))
        s.flush()
        node.version_id = v.id
        s.add(node)
        tx.charge(old.size)
    return node


def abandoned_copies(s: Session, older_than: datetime) -> list[str]:
    """Hidden tops of copies that never finished (their process died), untouched since ``older_than``."""
    parent = aliased(Node)
    rows = s.exec(
        select(Node.id)
        .join(parent, col(parent.id) == col(Node.parent_id))
        .where(
            col(Node.trashed_at).is_not(None),
            col(Node.trash_root).is_(False),
            col(parent.trashed_at).is_(None),
            col(Node.trashed_at) < older_than,
        )
    ).all()
    return list(rows)
