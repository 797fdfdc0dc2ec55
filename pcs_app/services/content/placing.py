"""Placing many stored contents in one write transaction.

The common case, a new name with new content, costs a few multi-row statements for the whole group
(blobs, nodes, versions, the nodes' version ids, the folders' times) instead of a dozen ORM round
trips per file. Anything else (a name that is taken, content already stored, a second file of the
same name or content in the group, a hash-first item) goes through ``place`` in a savepoint of its
own, so it fails alone. Changes are recorded item by item, in the order the items came, so every
feed holds the group's changes in that order with no gap.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy import select as sql_select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from pcs_app.models import FILE, FOLDER, Blob, Node, Version, new_id, utcnow

from .. import audit
from ..access import Actor, LinkVisitor, Perm, check_folder
from ..errors import Conflict, Forbidden, PCSError
from ..names import name_key
from ..tree.common import flush_unique, taken, touch
from ..tx import Tx
from .commit import Incoming, place

IN_CHUNK = 500
NODE_COLUMNS = (
    "id",
    "owner_id",
    "parent_id",
    "name",
    "name_key",
    "kind",
    "size",
    "mime_type",
    "sha256",
    "version_id",
    "created_at",
    "modified_at",
    "trashed_at",
    "trash_root",
    "trashed_from",
)


class OwnerChanged(Exception):
    """The folder belongs to another account than the transaction's: commit it under that one."""

    def __init__(self, owner: int) -> None:
        super().__init__(f"the folder belongs to account {owner}")
        self.owner = owner


@dataclass(eq=False)
class Job:
    """One stored content to make visible, and (once done) what became of it."""

    actor: Actor
    parent_id: str
    item: Incoming
    dirs: tuple[str, ...] = ()  # valid folder names to find or create below parent_id first
    owner: int | None = None  # the folder's owner, when the caller knows it
    keep_same: bool = False  # a file of that name with the same content is the result (no new version)
    node: Node | None = None
    kind: str = ""  # created | updated | unchanged
    error: BaseException | None = None
    dropped: str | None = None  # an object that turned out not to be needed (same content stored)
    done: bool = False
    # The request the job is for (its audit actor and address), whichever thread commits it.
    context: audit.Context | None = field(default_factory=audit.current)

    def reset(self) -> None:
        self.node, self.kind, self.error, self.dropped = None, "", None, None


@dataclass(frozen=True)
class _Seen:
    id: str
    kind: str
    sha256: str | None
    size: int


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(values), IN_CHUNK):
        yield values[i : i + IN_CHUNK]


class _Run:
    """The state of one ``place_all``: folders checked, names and contents known, rows to insert."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.s = tx.s
        self.folders: dict[tuple[int, str], Node] = {}
        self.subfolders: dict[tuple[str, str], Node] = {}
        self.fresh: set[str] = set()  # folders created in this transaction
        self.names: dict[tuple[str, str], _Seen] = {}  # (folder id, name key) -> live item found there
        self.claimed: set[tuple[str, str]] = set()  # names this transaction has placed something at
        self.stored: set[str] = set()  # sha256s with a blob row (or placed in this transaction)
        self.nodes: list[Node] = []
        self.blobs: list[dict[str, Any]] = []
        self.versions: list[dict[str, Any]] = []
        self.touched: set[str] = set()

    # -- where each item goes --------------------------------------------------------------------
    def target(self, job: Job, *, create: bool) -> Node | None:
        """The folder the job's file goes into; None when a folder on its path is missing and
        ``create`` is false (it is then created in turn, in the order of the items)."""
        key = (id(job.actor), job.parent_id)
        parent = self.folders.get(key)
        if parent is None:
            parent = check_folder(self.s, job.actor, job.parent_id, Perm.WRITE)
            if parent.owner_id != self.tx.user_id:
                raise OwnerChanged(parent.owner_id)
            self.folders[key] = parent
        if job.dirs and isinstance(job.actor, LinkVisitor):
            raise Forbidden("This link only lets you add files, not folders.")
        for name in job.dirs:
            found = self._subfolder(job.actor, parent, name, create)
            if found is None:
                return None
            parent = found
        return parent

    def _subfolder(self, actor: Actor, parent: Node, name: str, create: bool) -> Node | None:
        key = (parent.id, name_key(name))
        found = self.subfolders.get(key)
        if found is not None:
            return found
        fresh = parent.id in self.fresh and key not in self.claimed  # nothing can be there yet
        existing = None if fresh else taken(self.s, parent.id, name)
        if existing is None:
            if not create:
                return None
            found = Node(owner_id=parent.owner_id, parent_id=parent.id, name=name, name_key=key[1], kind=FOLDER)
            self.s.add(found)
            flush_unique(self.s)
            touch(self.s, parent)
            self.tx.record(found, "created")
            self.fresh.add(found.id)
            self.claimed.add(key)
        elif existing.kind != FOLDER:
            raise Conflict(f"'{existing.name}' is a file here, so it cannot be a folder.", existing_id=existing.id)
        else:
            found = check_folder(self.s, actor, existing.id, Perm.WRITE)
        self.subfolders[key] = found
        return found

    # -- what is there already ---------------------------------------------------------------------
    def load(self, placed: list[tuple[Job, Node | None]]) -> None:
        """Read, in a few queries, the live items at the names and the contents the group brings."""
        keys: dict[str, set[str]] = {}
        for job, parent in placed:
            if parent is not None and parent.id not in self.fresh:
                keys.setdefault(parent.id, set()).add(name_key(job.item.name))
        conn = self.s.connection()  # plain rows: cheaper than ORM objects, and only a few are needed
        for parent_id, wanted in keys.items():
            for part in _chunks(sorted(wanted)):
                rows = conn.execute(
                    sql_select(
                        col(Node.name_key), col(Node.id), col(Node.kind), col(Node.sha256), col(Node.size)
                    ).where(
                        col(Node.parent_id) == parent_id, col(Node.name_key).in_(part), col(Node.trashed_at).is_(None)
                    )
                ).all()
                self.names.update(((parent_id, r[0]), _Seen(r[1], r[2], r[3], r[4])) for r in rows)
        shas = sorted({job.item.sha256 for job, _ in placed})
        for part in _chunks(shas):
            self.stored.update(conn.execute(select(Blob.sha256).where(col(Blob.sha256).in_(part))).scalars())

    # -- placing -------------------------------------------------------------------------------------
    def place(self, job: Job, parent: Node) -> None:
        item = job.item
        key = (parent.id, name_key(item.name))
        existing = None if key in self.claimed else self.names.get(key)
        new_name = existing is None and key not in self.claimed
        try:
            if (
                job.keep_same
                and existing is not None
                and existing.kind == FILE
                and (existing.sha256, existing.size) == (item.sha256, item.size)
            ):
                job.node, job.kind, job.dropped = self.s.get(Node, existing.id), "unchanged", item.new_key
            elif new_name and item.sha256 not in self.stored and item.new_key is not None:
                self._add(job, parent, key[1])
            else:
                self._place_alone(job, parent)
        except (PCSError, IntegrityError) as e:
            job.error = e
        # Later items at this name or with this content see this one's rows: they take the careful path.
        self.claimed.add(key)
        self.stored.add(item.sha256)

    def _add(self, job: Job, parent: Node, key: str) -> None:
        item = job.item
        self.tx.charge(item.size)
        now = utcnow()
        node = Node(
            id=new_id(),
            owner_id=parent.owner_id,
            parent_id=parent.id,
            name=item.name,
            name_key=key,
            kind=FILE,
            size=item.size,
            mime_type=item.mime_type,
            sha256=item.sha256,
            created_at=now,
            modified_at=now,
        )
        self.nodes.append(node)
        self.blobs.append(
            {"sha256": item.sha256, "size": item.size, "s3_key": item.new_key, "refcount": 1, "created_at": now}
        )
        author = job.actor.id if not isinstance(job.actor, LinkVisitor) else None
        self.versions.append(
            {
                "node_id": node.id,
                "size": item.size,
                "sha256": item.sha256,
                "mime_type": item.mime_type,
                "author_id": author,
                "created_at": now,
                "pinned": False,
            }
        )
        self.touched.add(parent.id)
        # The node is not a row yet: name its folder so those it is shared with through it hear of it.
        self.tx.record(node, "created", also=(parent.id,))
        job.node, job.kind = node, "created"

    def _place_alone(self, job: Job, parent: Node) -> None:
        self.flush()
        before = taken(self.s, parent.id, job.item.name)
        with self.tx.savepoint():
            node, dropped = place(self.tx, job.actor, parent, job.item)
        job.node, job.dropped = node, dropped
        job.kind = "updated" if before is not None and before.id == node.id else "created"

    def flush(self) -> None:
        """Write the rows of the items added so far: a handful of multi-row statements."""
        if not self.nodes:
            return
        conn = self.s.connection()
        blob_ids = list(
            conn.execute(insert(Blob).returning(col(Blob.id), sort_by_parameter_order=True), self.blobs).scalars()
        )
        conn.execute(insert(Node), [{c: getattr(n, c) for c in NODE_COLUMNS} for n in self.nodes])
        for row, blob_id in zip(self.versions, blob_ids, strict=True):
            row["blob_id"] = blob_id
        version_ids = list(
            conn.execute(
                insert(Version).returning(col(Version.id), sort_by_parameter_order=True), self.versions
            ).scalars()
        )
        conn.execute(
            sql_update(Node).where(col(Node.id) == bindparam("node")).values(version_id=bindparam("version")),
            [{"node": n.id, "version": v} for n, v in zip(self.nodes, version_ids, strict=True)],
        )
        conn.execute(sql_update(Node).where(col(Node.id).in_(sorted(self.touched))).values(modified_at=utcnow()))
        for node, version_id in zip(self.nodes, version_ids, strict=True):
            node.version_id = version_id
        self.nodes, self.blobs, self.versions, self.touched = [], [], [], set()


def place_all(tx: Tx, jobs: list[Job]) -> None:
    """Place every job in the open transaction ``tx``: each gets its node (and kind) or its error.

    Raises only what undoes the whole transaction (a database error outside any one item's savepoint).
    """
    run = _Run(tx)
    placed: list[tuple[Job, Node | None]] = []
    for job in jobs:
        try:
            placed.append((job, run.target(job, create=False)))
        except (PCSError, OwnerChanged) as e:
            job.error = e
    run.load(placed)
    for job, parent in placed:
        with audit.acting(job.context):  # what it records is its request's
            _place_one(run, job, parent)
    run.flush()


def _place_one(run: _Run, job: Job, parent: Node | None) -> None:
    if parent is None:
        # Its path needs new folders: create them now, in order, after the rows of the items
        # before it (a file placed earlier may hold the name a folder wants).
        try:
            parent = run.target(job, create=False)
            if parent is None:
                run.flush()
                parent = run.target(job, create=True)
        except PCSError as e:
            job.error = e
            return
        if parent is None:  # (target creates every missing folder when asked to)
            return
    run.place(job, parent)
