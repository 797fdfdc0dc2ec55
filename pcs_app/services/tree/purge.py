"""Deleting for good what is in the trash: the items, their versions, their shares and links.

Only references go: each version's blob loses one reference, and garbage collection deletes the
bytes no reference holds any more. A big folder goes in bounded transactions, deepest items first,
its own row last, so a crash midway leaves a smaller folder still in the trash (deleting it again
finishes the job) and never a file whose bytes are gone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, literal, update
from sqlmodel import Session, col, select

from pcs_app.models import FILE, FOLDER, Blob, Grant, Node, ShareLink, User, Version, utcnow

from ..access import Actor, Perm, account, check_node
from ..core import Core
from ..errors import NotFound
from ..tx import write_tx
from .common import TRASH_TOP, owner_root

CHUNK = 500
DELETED = "deleted"  # the change-feed kind of an item deleted for good


@dataclass
class PurgeReport:
    items: int = 0
    bytes: int = 0  # logical bytes no longer counted against the owner (every version)

    def add(self, other: PurgeReport) -> None:
        self.items += other.items
        self.bytes += other.bytes


def _deepest_first(s: Session, root: Node, *, whole: bool = False) -> list[str]:
    """The trashed subtree under ``root`` (same trashed_at; ``whole``: every item below), deepest
    first, ``root`` last."""
    cond = literal(True) if whole else col(Node.trashed_at) == root.trashed_at
    down = select(Node.id, literal(1).label("depth")).where(Node.parent_id == root.id, cond).cte(recursive=True)
    down = down.union_all(select(Node.id, (down.c.depth + 1).label("depth")).where(Node.parent_id == down.c.id, cond))
    rows = s.exec(select(down.c.id, down.c.depth).order_by(down.c.depth.desc())).all()
    return [r[0] for r in rows] + [root.id]


def _drop(s: Session, ids: list[str]) -> tuple[int, int]:
    """Delete these nodes with everything that hangs on them; (bytes uncounted, blobs unreferenced)."""
    conn = s.connection()  # plain statements: the ORM would match every deleted row in the session
    versions = conn.execute(select(Version.blob_id, Version.size).where(col(Version.node_id).in_(ids))).all()
    by_count: dict[int, list[int]] = {}
    for blob_id, count in Counter(b for b, _ in versions).items():
        by_count.setdefault(count, []).append(blob_id)
    for count, blob_ids in by_count.items():  # one statement per distinct count (usually one)
        conn.execute(update(Blob).where(col(Blob.id).in_(blob_ids)).values(refcount=col(Blob.refcount) - count))
    for table in (Version, Grant, ShareLink):
        conn.execute(delete(table).where(col(table.node_id).in_(ids)))
    conn.execute(delete(Node).where(col(Node.id).in_(ids)))
    for node in [o for o in s.identity_map.values() if isinstance(o, Node) and o.id in set(ids)]:
        s.expunge(node)  # gone from the database: the session must not write it back
    return sum(size for _, size in versions), len(versions)


def _rehome_inner_trash(core: Core, owner_id: int, ids: list[str], at: datetime) -> None:
    """Items trashed on their own before their folder was are separate entries of the trash: they
    stay there, hung under the owner's root (their ``trashed_from`` still says where they were)."""
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        with write_tx(core, owner_id) as tx:
            root_id = owner_root(tx.s, owner_id)
            tx.s.exec(
                update(Node)
                .where(col(Node.parent_id).in_(chunk), TRASH_TOP, col(Node.trashed_at) != at)
                .values(parent_id=root_id)
            )


def purge(core: Core, owner_id: int, root_id: str, *, hidden_copy: bool = False) -> PurgeReport:
    """Delete a trash root and everything under it (no access check: callers do it). ``hidden_copy``:
    the hidden top of a copy that never finished (tree/copy.py), with all it holds."""
    report = PurgeReport()
    with core.db.read() as s:
        root = s.get(Node, root_id)
        if root is None or root.trashed_at is None or root.trash_root == hidden_copy:
            raise NotFound("That item is not in the trash.")
        ids = _deepest_first(s, root, whole=hidden_copy)
    if not hidden_copy and root.kind == FOLDER:
        _rehome_inner_trash(core, owner_id, ids, root.trashed_at)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        with write_tx(core, owner_id) as tx:
            last = chunk[-1] == root_id
            node = tx.s.get(Node, root_id) if last else None
            freed, _ = _drop(tx.s, chunk)
            tx.charge(-freed)
            if node is not None:
                tx.record(node, DELETED)
        report.items += len(chunk)
        report.bytes += freed
    return report


def delete_forever(core: Core, actor: Actor, node_id: object) -> PurgeReport:
    """Delete an item in the trash for good (its owner only)."""
    with core.db.read() as s:
        node = check_node(s, actor, node_id, Perm.OWN, allow_trashed=True)
    if node.trashed_at is None or not node.trash_root:
        raise NotFound("That item is not in the trash.")
    return purge(core, node.owner_id, node.id)


def _purge_roots(core: Core, owner_id: int, roots: list[tuple[str, str]]) -> PurgeReport:
    """Delete these trash roots of one owner: files ``CHUNK`` to a transaction, folders one by one."""
    report = PurgeReport()
    files = [node_id for node_id, kind in roots if kind == FILE]
    for i in range(0, len(files), CHUNK):
        with write_tx(core, owner_id) as tx:
            nodes = tx.s.exec(
                select(Node).where(
                    col(Node.id).in_(files[i : i + CHUNK]),
                    Node.owner_id == owner_id,
                    TRASH_TOP,
                    col(Node.trashed_at).is_not(None),
                )
            ).all()  # still in the trash (not restored meanwhile)
            if not nodes:
                continue
            for node in nodes:
                tx.record(node, DELETED)
            freed, _ = _drop(tx.s, [n.id for n in nodes])
            tx.charge(-freed)
        report.items += len(nodes)
        report.bytes += freed
    for node_id, kind in roots:
        if kind != FILE:
            try:
                report.add(purge(core, owner_id, node_id))
            except NotFound:
                continue  # restored or deleted meanwhile
    return report


def empty_trash(core: Core, actor: User) -> PurgeReport:
    """Delete everything in the user's trash for good."""
    report = PurgeReport()
    owner = account(actor).id or 0
    while True:
        with core.db.read() as s:
            roots = s.exec(select(Node.id, Node.kind).where(Node.owner_id == owner, TRASH_TOP).limit(CHUNK * 10)).all()
        if not roots:
            return report
        done = _purge_roots(core, owner, [(i, k) for i, k in roots])
        if done.items == 0:
            return report  # everything listed went meanwhile
        report.add(done)


def purge_expired(core: Core, limit: int = 10_000) -> PurgeReport:
    """Delete for good what has been in any trash longer than PCS_TRASH_DAYS (a periodic job)."""
    report = PurgeReport()
    days = core.settings.trash_days
    if days <= 0:
        return report
    cutoff = utcnow() - timedelta(days=days)
    with core.db.read() as s:
        rows = s.exec(
            select(Node.id, Node.owner_id, Node.kind).where(TRASH_TOP, col(Node.trashed_at) < cutoff).limit(limit)
        ).all()
    by_owner: dict[int, list[tuple[str, str]]] = {}
    for node_id, owner_id, kind in rows:
        by_owner.setdefault(owner_id, []).append((node_id, kind))
    for owner_id, roots in by_owner.items():
        report.add(_purge_roots(core, owner_id, roots))
    return report
