"""Keeping the search index equal to the database.

The index follows each account's change feed: ``sync_owner`` reads the owner's changes after its
cursor (table ``search_cursor``), puts the current state of every node they name into the index —
a live file or folder is (re)written, a folder with everything below it (its path and ancestors are
in each document); a trashed or deleted one is removed with everything below it — and moves the
cursor. Any number of runs, in any order, end in the same index, so a job may run twice, and a lost
one is made up by the next run or the periodic sweep (``owners_behind``). ``rebuild`` fills a fresh
index from the database and swaps it in at once.

Sharing needs no reindexing: a search asks for the user's own documents and those below the items
shared with them at that moment (see query.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import delete, exists, func
from sqlmodel import col, select

from pcs_app.models import FOLDER, Change, Node, SearchCursor, User, utcnow

from ..core import Core
from .docs import Extractor, Place, doc_of, place_of, walk, with_texts

log = logging.getLogger(__name__)

JOB = "search_sync"  # the job that runs sync_owner for one account
# Change kinds that leave every indexed field alone (the rest — created, updated, renamed, moved,
# trashed, restored, deleted, and any kind added later — are indexed).
IGNORED_KINDS = frozenset({"thumbnail", "versions", "shared", "unshared", "link"})
BATCH = 500
CHANGES_PER_ROUND = 2000

_owner_locks: dict[int, threading.Lock] = {}
_owner_locks_guard = threading.Lock()
_rebuilding = threading.Lock()  # one rebuild at a time in a process (a second would take over the first's tables)


class RebuildRunning(RuntimeError):
    """A rebuild is already under way in this process."""


@dataclass
class IndexReport:
    upserted: int = 0
    deleted: int = 0
    read: int = 0  # files whose text was read (extracted) on the way
    changes: int = 0

    def add(self, other: IndexReport) -> None:
        self.upserted += other.upserted
        self.deleted += other.deleted
        self.read += other.read
        self.changes += other.changes


def _owner_lock(owner_id: int) -> threading.Lock:
    with _owner_locks_guard:
        return _owner_locks.setdefault(owner_id, threading.Lock())


def after_commit(core: Core, owner_id: int, kinds: Iterable[str]) -> None:
    """Queue the index's catch-up on an account whose files just changed. Never raises: the write is done."""
    if core.make_jobs is None or all(k in IGNORED_KINDS for k in kinds):
        return
    try:
        core.jobs.enqueue(JOB, owner_id)
    except Exception:  # the periodic sweep catches up later
        log.exception("could not queue search indexing for account %s", owner_id)


def index_nodes(core: Core, ids: Iterable[str], extract: Extractor | None = None) -> IndexReport:
    """Put the current state of these nodes (and of everything below the folders among them) into the index."""
    wanted = list(dict.fromkeys(ids))
    report = IndexReport()
    index = core.search
    with core.db.read() as s:
        found = {n.id: n for n in s.exec(select(Node).where(col(Node.id).in_(wanted))).all()} if wanted else {}
        live = [n for n in found.values() if n.trashed_at is None and n.parent_id is not None]
        places: dict[str, Place] = {}
        for n in live:
            parent = s.get(Node, n.parent_id)
            if parent is not None and parent.id not in places:
                places[parent.id] = place_of(s, parent)
    gone = [i for i in wanted if i not in found or found[i].trashed_at is not None]
    if gone:
        index.delete(gone)
        index.delete_below(gone)
        report.deleted += len(gone)
    pending: list[tuple[Node, Place]] = []

    def flush() -> None:
        docs, read = with_texts(core, pending, extract)
        index.upsert(docs)
        report.upserted += len(docs)
        report.read += read
        pending.clear()

    for node in live:
        place = places.get(node.parent_id or "")
        if place is None:
            continue  # its folder went meanwhile: that change is indexed in its turn
        pending.append((node, place))
        if node.kind == FOLDER:
            for item in walk(core, node, place.child(node)):
                pending.append(item)
                if len(pending) >= BATCH:
                    flush()
        if len(pending) >= BATCH:
            flush()
    if pending:
        flush()
    _drop_if_gone(core, [n.id for n in live])
    return report


def _drop_if_gone(core: Core, ids: list[str]) -> None:
    """Written documents whose node was trashed or deleted meanwhile leave the index again (a later
    change's run may have finished first; searches check the database anyway)."""
    if not ids:
        return
    with core.db.read() as s:
        still = set(s.exec(select(Node.id).where(col(Node.id).in_(ids), col(Node.trashed_at).is_(None))).all())
    gone = [i for i in ids if i not in still]
    if gone:
        core.search.delete(gone)
        core.search.delete_below(gone)


def cursor_of(core: Core, owner_id: int) -> int:
    with core.db.read() as s:
        row = s.get(SearchCursor, owner_id)
        return row.seq if row is not None else 0


def set_cursor(core: Core, owner_id: int, seq: int) -> None:
    with core.db.write() as s:
        row = s.get(SearchCursor, owner_id) or SearchCursor(user_id=owner_id)
        row.seq, row.updated_at = seq, utcnow()
        s.add(row)


def sync_owner(core: Core, owner_id: int, extract: Extractor | None = None, max_rounds: int = 50) -> IndexReport:
    """Index what changed in this account's files since the index last looked; returns what was done."""
    report = IndexReport()
    with _owner_lock(owner_id):  # runs for one account in this process take turns
        for _ in range(max_rounds):
            since = cursor_of(core, owner_id)
            with core.db.read() as s:
                rows = s.exec(
                    select(Change.seq, Change.node_id, Change.kind, Node.owner_id)
                    .join(Node, col(Node.id) == col(Change.node_id), isouter=True)
                    .where(Change.user_id == owner_id, Change.seq > since)
                    .order_by(col(Change.seq))
                    .limit(CHANGES_PER_ROUND)
                ).all()
            if not rows:
                break
            # Changes to others' items shared with this account are their owner's to index.
            ids = [
                node_id for _, node_id, kind, owner in rows if kind not in IGNORED_KINDS and owner in (owner_id, None)
            ]
            done = index_nodes(core, ids, extract)
            done.changes = len(rows)
            report.add(done)
            set_cursor(core, owner_id, rows[-1][0])
            if len(rows) < CHANGES_PER_ROUND:
                break
    return report


def owners_behind(core: Core, limit: int = 1000) -> list[int]:
    """Accounts with changes the index has not followed yet."""
    cursor = select(SearchCursor.seq).where(col(SearchCursor.user_id) == col(User.id)).scalar_subquery()
    with core.db.read() as s:
        ids = s.exec(
            select(User.id).where(col(User.change_seq) > func.coalesce(cursor, 0)).order_by(col(User.id)).limit(limit)
        ).all()
    return [i for i in ids if i is not None]


def drop_stale_cursors(core: Core) -> int:
    """Forget the cursors of accounts that no longer exist."""
    gone = ~exists().where(col(User.id) == col(SearchCursor.user_id))
    with core.db.write() as s:
        return int(s.exec(delete(SearchCursor).where(gone)).rowcount)


def rebuild(core: Core, extract: Extractor | None = None, progress: Callable[[int], None] | None = None) -> IndexReport:
    """Fill a fresh index with every live file and folder, swap it in, then apply what changed meanwhile.

    Raises RebuildRunning when this process is rebuilding already."""
    if not _rebuilding.acquire(blocking=False):
        raise RebuildRunning("the search index is being rebuilt already")
    try:
        return _rebuild(core, extract, progress)
    finally:
        _rebuilding.release()


def _rebuild(core: Core, extract: Extractor | None, progress: Callable[[int], None] | None) -> IndexReport:
    report = IndexReport()
    with core.db.read() as s:
        heads = {u.id: (u.change_seq, u.root_id) for u in s.exec(select(User).order_by(col(User.id))).all()}
    with core.search.rebuild() as building:
        for _user_id, (_, root_id) in heads.items():
            with core.db.read() as s:
                root = s.get(Node, root_id) if root_id else None
            if root is None:
                continue
            pending: list[tuple[Node, Place]] = []
            for item in walk(core, root, Place((root.id,), "/")):
                pending.append(item)
                if len(pending) >= BATCH:
                    docs, read = with_texts(core, pending, extract)
                    building.upsert(docs)
                    report.upserted, report.read = report.upserted + len(docs), report.read + read
                    pending.clear()
                    if progress is not None:
                        progress(report.upserted)
            if pending:
                docs, read = with_texts(core, pending, extract)
                building.upsert(docs)
                report.upserted, report.read = report.upserted + len(docs), report.read + read
                if progress is not None:
                    progress(report.upserted)
    # The fresh index is as new as the feeds' heads read before it: follow each feed on from there.
    for user_id, (head, _) in heads.items():
        if user_id is not None:
            set_cursor(core, user_id, head)
            report.add(sync_owner(core, user_id, extract))
    return report


def needs_rebuild(core: Core) -> bool:
    """True when the index is empty but files exist (a new index file or cluster, or one of another version)."""
    if core.search.count() > 0:
        return False
    with core.db.read() as s:
        q = select(Node.id).where(col(Node.parent_id).is_not(None), col(Node.trashed_at).is_(None)).limit(1)
        return s.exec(q).first() is not None


__all__ = [
    "IndexReport",
    "RebuildRunning",
    "after_commit",
    "doc_of",
    "index_nodes",
    "owners_behind",
    "rebuild",
    "sync_owner",
]
