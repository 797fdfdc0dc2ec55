"""What a write transaction tells the audit log and the usage counters (services/tx.py calls this).

``Tx.record`` hands each change to ``Ledger.on_record`` when it is recorded, while the rows still show
what the change did: the live bytes a trash takes away are those of the subtree it has just marked;
an upload over a file adds its new version's bytes and takes away the previous version's. Each
change becomes one audit row and, where the files in use change, signed deltas of bytes and files
per (type, top-level folder). ``flush`` writes them in the change's own transaction (one multi-row
INSERT per table); ``after_commit`` writes the JSON lines and tells the owner when the quota is
crossed (80 %, 100 %). A savepoint that fails takes its entries with it (``mark`` / ``rollback``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from sqlmodel import col, select

from pcs_app.models import FILE, FOLDER, Node, User, Version, utcnow

from .. import audit
from ..notify import triggers
from .categories import category
from .walk import ROOT, files_below, top_of

if TYPE_CHECKING:
    from ..core import Core
    from ..tx import Tx

# Kinds their services audit themselves (sharing), or that change nothing a person did (thumbnails).
SKIP = frozenset({"shared", "unshared", "link", "thumbnail"})
ACTIONS = {
    "renamed": "node.rename",
    "moved": "node.move",
    "trashed": "node.trash",
    "restored": "node.restore",
    "deleted": "node.delete",
    "versions": "version.change",
}
COPY, VERSION_RESTORE = "copy", "version_restore"  # values of Tx.op, set by the services that do them
QUOTA_LEVELS = (100, 80)

Files = Iterable[tuple[str, str | None, int]]


@dataclass
class Ledger:
    enabled: ClassVar[bool] = True  # the benchmark's switch (bench/dashboard.py); always on otherwise
    audit: list[dict[str, Any]] = field(default_factory=lambda: list[dict[str, Any]]())
    usage: list[tuple[int, str, str, int, int]] = field(default_factory=lambda: list[tuple[int, str, str, int, int]]())
    tops: dict[str, str] = field(default_factory=lambda: dict[str, str]())

    def mark(self) -> tuple[int, int]:
        return len(self.audit), len(self.usage)

    def rollback(self, mark: tuple[int, int]) -> None:
        """Forget what was noted since ``mark`` (its savepoint was rolled back)."""
        del self.audit[mark[0] :], self.usage[mark[1] :]
        self.tops.clear()

    def note(self, row: dict[str, Any]) -> None:
        """An audit row written with this transaction (services that audit their own changes)."""
        if self.enabled:
            self.audit.append(row)

    def _top(self, tx: Tx, node: Node, parent_id: str | None) -> str:
        if parent_id is None:
            return ""
        top = self.tops.get(parent_id)
        if top is None:
            top = self.tops[parent_id] = top_of(tx.s, parent_id, root_of(tx))
        if top == ROOT:
            return node.id if node.kind == FOLDER else ""  # a top-level folder counts as itself
        return top

    def _live(self, owner: int, files: Files, top: str, sign: int) -> None:
        by: dict[str, list[int]] = {}
        for name, mime, size in files:
            got = by.setdefault(category(mime, name), [0, 0])
            got[0] += 1
            got[1] += size
        self.usage += [(owner, "live", f"{kind}/{top}", sign * n, sign * b) for kind, (n, b) in by.items()]

    def _files(self, tx: Tx, node: Node, *, trashed: bool = False) -> Files:
        """The node's file, or the files below the folder: live, or trashed with it (``trashed``)."""
        if node.kind == FILE:
            return [(node.name, node.mime_type, node.size)]
        return files_below(tx.s, node.id, node.trashed_at if trashed else None)

    def on_record(self, tx: Tx, node: Node, kind: str, also: Iterable[str]) -> None:
        """Note what this change did (called by Tx.record, in the transaction)."""
        if not self.enabled or kind in SKIP:
            return
        owner = tx.user_id
        action = ACTIONS.get(kind, f"node.{kind}"[:32])
        if kind == "created":
            copied = tx.op == COPY
            action = "node.copy" if copied else ("folder.create" if node.kind == FOLDER else "file.upload")
            # A new folder is empty unless it is a copy's top, shown with everything below it.
            files: Files = self._files(tx, node) if node.kind == FILE or copied else ()
            self._live(owner, files, self._top(tx, node, node.parent_id), +1)
            if node.kind == FILE and not copied:
                self._uploaded(owner, node)
        elif kind == "updated":
            action = "version.restore" if tx.op == VERSION_RESTORE else "file.upload"
            top = self._top(tx, node, node.parent_id)
            newest = tx.s.exec(
                select(Version.size, Version.mime_type)
                .where(Version.node_id == node.id)
                .order_by(col(Version.id).desc())
                .limit(2)
            ).all()
            if len(newest) == 2:
                self._live(owner, [(node.name, newest[1][1], newest[1][0])], top, -1)
            self._live(owner, [(node.name, node.mime_type, node.size)], top, +1)
            if tx.op != VERSION_RESTORE:
                self._uploaded(owner, node)
        elif kind == "moved":
            old = next(iter(also), None)
            before, after = self._top(tx, node, old), self._top(tx, node, node.parent_id)
            self.tops.clear()  # the paths below the moved item changed
            if before != after:
                files = list(self._files(tx, node))
                self._live(owner, files, before, -1)
                self._live(owner, files, after, +1)
        elif kind in ("trashed", "restored"):
            trashed = kind == "trashed"
            files = self._files(tx, node, trashed=trashed)
            self._live(owner, files, self._top(tx, node, node.parent_id), -1 if trashed else +1)
        self.audit.append(audit.node_row(action, audit.who(), node))

    def _uploaded(self, owner: int, node: Node) -> None:
        self.usage.append((owner, "upload", "", 1, node.size))

    def flush(self, tx: Tx) -> None:
        """Write the noted rows in the transaction, before it commits."""
        if not self.enabled:
            return
        totals: dict[tuple[int, str, str], list[int]] = {}
        for user_id, metric, item, n, b in self.usage:
            got = totals.setdefault((user_id, metric, item), [0, 0])
            got[0] += n
            got[1] += b
        if tx.charged:
            totals[(tx.user_id, "stored", "")] = [0, tx.charged]
        today = utcnow().date()
        ctx = audit.current()
        actors = {r["actor_id"] for r in self.audit} | {ctx.actor_id if ctx is not None else None}
        database = str(tx.s.connection().engine.url)
        for actor_id in sorted(a for a in actors if a is not None):  # a group commit holds others' uploads
            if first_today(database, actor_id, today):
                totals[(actor_id, "active", "")] = [1, 0]
        rows = [
            {"user_id": u, "day": today, "metric": m, "item": i, "n": n, "bytes": b}
            for (u, m, i), (n, b) in totals.items()
            if n or b or m == "active"
        ]
        if self.audit or rows:
            audit.write(tx.s, self.audit, rows)

    def after_commit(self, core: Core, tx: Tx) -> None:
        """The JSON lines, and the owner's mail when this transaction crossed 80 % or 100 % of the quota."""
        if not self.enabled:
            return
        audit.emit(core, self.audit)
        limit = tx.quota_bytes
        if tx.charged > 0 and limit:
            before, after = tx.used_bytes, tx.used_bytes + tx.charged
            for level in QUOTA_LEVELS:
                if before < limit * level / 100 <= after:
                    triggers.quota_reached(core, tx.user_id, level, after, limit)
                    break


_roots: dict[tuple[str, int], str | None] = {}
_roots_lock = threading.Lock()


def root_of(tx: Tx) -> str | None:
    """The owner's root folder id (an account's root never changes; remembered per process)."""
    key = (str(tx.s.connection().engine.url), tx.user_id)
    with _roots_lock:
        if key in _roots:
            return _roots[key]
    root = tx.s.exec(select(User.root_id).where(User.id == tx.user_id)).first()
    with _roots_lock:
        _roots[key] = root
    return root


_active: set[tuple[str, int, date]] = set()
_active_lock = threading.Lock()


def first_today(database: str, user_id: int, today: date) -> bool:
    """True the first time this process sees the account (of that database) active today."""
    with _active_lock:
        if (database, user_id, today) in _active:
            return False
        if any(d != today for _, _, d in _active):
            _active.clear()
        _active.add((database, user_id, today))
        return True
