"""A file's versions: every upload over it keeps the previous content. List, download (download.py),
restore one (it becomes the current content again, as a new version: nothing is lost, no byte is
copied), delete one, pin one (retention never thins it). Retention thins old versions by age."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, delete, select, update

from pcs_app.models import FILE, Blob, Node, User, Version, is_row_id, utcnow

from ..access import Actor, Perm, check_node
from ..core import Core
from ..errors import Conflict, NotFound
from ..tx import write_tx

RESTORED = "updated"  # a restored version is a new current content, like an upload


def list_versions(core: Core, actor: Actor, node_id: object) -> list[Version]:
    """Newest first."""
    with core.db.read() as s:
        node = check_node(s, actor, node_id, Perm.READ)
        return list(s.exec(select(Version).where(Version.node_id == node.id).order_by(col(Version.id).desc())).all())


@dataclass(frozen=True)
class VersionEntry:
    """One line of a file's history, as people see it."""

    version: Version
    author: str | None  # the email of who uploaded it (None: a visitor through a link, or gone)
    current: bool


def history(core: Core, actor: Actor, node_id: object) -> list[VersionEntry]:
    """A file's versions, newest first, with who made each and which one is current."""
    with core.db.read() as s:
        node = check_node(s, actor, node_id, Perm.READ)
        rows = s.exec(
            select(Version, User.email)
            .outerjoin(User, col(User.id) == col(Version.author_id))
            .where(Version.node_id == node.id)
            .order_by(col(Version.id).desc())
        ).all()
        return [VersionEntry(v, email, v.id == node.version_id) for v, email in rows]


def _version_of(core: Core, actor: Actor, node_id: object, version_id: object, need: Perm) -> tuple[int, Node]:
    with core.db.read() as s:
        node = check_node(s, actor, node_id, need)
        if node.kind != FILE:
            raise Conflict("Folders have no versions.")
        ok = is_row_id(version_id)
        v = s.get(Version, version_id) if ok else None
        if v is None or v.node_id != node.id:
            raise NotFound("No such version of this file.")
    return node.owner_id, node


def restore_version(core: Core, actor: Actor, node_id: object, version_id: object) -> Version:
    """Make an old version the current content again (as a new version; the old one stays)."""
    owner, _ = _version_of(core, actor, node_id, version_id, Perm.WRITE)
    with write_tx(core, owner) as tx:
        tx.op = "version_restore"  # audit + usage: not an upload
        s = tx.s
        node = check_node(s, actor, node_id, Perm.WRITE)
        old = s.get(Version, version_id)
        if old is None or old.node_id != node.id:
            raise NotFound("No such version of this file.")
        if node.version_id == old.id:
            return old  # already current
        tx.charge(old.size)
        s.exec(update(Blob).where(col(Blob.id) == old.blob_id).values(refcount=col(Blob.refcount) + 1))
        author = actor.id if isinstance(actor, User) else None
        new = Version(
            node_id=node.id,
            blob_id=old.blob_id,
            size=old.size,
            sha256=old.sha256,
            mime_type=old.mime_type,
            author_id=author,
        )
        s.add(new)
        s.flush()
        node.version_id, node.size, node.sha256, node.mime_type = new.id, new.size, new.sha256, new.mime_type
        node.modified_at = utcnow()
        s.add(node)
        tx.record(node, RESTORED)
    return new


def delete_version(core: Core, actor: Actor, node_id: object, version_id: object) -> None:
    """Delete one old version (never the current one)."""
    owner, _ = _version_of(core, actor, node_id, version_id, Perm.WRITE)
    with write_tx(core, owner) as tx:
        node = check_node(tx.s, actor, node_id, Perm.WRITE)
        v = tx.s.get(Version, version_id)
        if v is None or v.node_id != node.id:
            raise NotFound("No such version of this file.")
        if node.version_id == v.id:
            raise Conflict("That is the current version; upload or restore another first.")
        _drop_versions(tx.s, [v])
        tx.charge(-v.size)
        tx.record(node, "versions")


def pin_version(core: Core, actor: Actor, node_id: object, version_id: object, pinned: bool) -> Version:
    """Keep a version whatever retention says (or let retention judge it again)."""
    owner, _ = _version_of(core, actor, node_id, version_id, Perm.WRITE)
    with write_tx(core, owner) as tx:
        node = check_node(tx.s, actor, node_id, Perm.WRITE)
        v = tx.s.get(Version, version_id)
        if v is None or v.node_id != node.id:
            raise NotFound("No such version of this file.")
        v.pinned = bool(pinned)
        tx.s.add(v)
        tx.record(node, "versions")
    return v


def _drop_versions(s: Session, versions: Sequence[Version]) -> None:
    for v in versions:
        s.exec(update(Blob).where(col(Blob.id) == v.blob_id).values(refcount=col(Blob.refcount) - 1))
    s.exec(delete(Version).where(col(Version.id).in_([v.id for v in versions])))


# -- retention -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kept:
    """What retention decided for one version."""

    id: int
    created_at: datetime
    pinned: bool
    current: bool


def thin(versions: Sequence[Kept], now: datetime, keep_all_days: int, most: int) -> set[int]:
    """The ids retention deletes: keep everything younger than ``keep_all_days``; older, the newest
    version of each day up to 30 days and of each week after that; at most ``most`` in all (the oldest
    go first). The current version and pinned ones always stay (and count)."""
    newest_first = sorted(versions, key=lambda v: (v.created_at, v.id), reverse=True)
    keep: list[Kept] = []
    slots: set[tuple[str, object]] = set()
    for v in newest_first:
        age = now - v.created_at
        if v.current or v.pinned or age < timedelta(days=keep_all_days):
            keep.append(v)
            continue
        slot: tuple[str, object] = (
            ("day", v.created_at.date())
            if age < timedelta(days=30)
            else ("week", tuple(v.created_at.isocalendar()[:2]))
        )
        if slot not in slots:
            slots.add(slot)
            keep.append(v)
    # Over the cap: drop the oldest that may go.
    droppable = [v for v in reversed(keep) if not (v.current or v.pinned)]
    over = len(keep) - most
    dropped_by_cap = {v.id for v in droppable[: max(over, 0)]}
    kept_ids = {v.id for v in keep} - dropped_by_cap
    return {v.id for v in versions} - kept_ids


def apply_retention(core: Core, page: int = 500) -> int:
    """Thin old versions of every file (a periodic job); returns how many versions went. Files are
    visited a page at a time in id order; only those with an old version among several are read."""
    s_ = core.settings
    cutoff = utcnow() - timedelta(days=s_.versions_keep_all_days)
    gone, after = 0, ""
    while True:
        with core.db.read() as s:
            candidates = list(
                s.exec(
                    select(Version.node_id)
                    .where(col(Version.node_id) > after)
                    .group_by(col(Version.node_id))
                    .having(func.count() > 1, func.min(Version.created_at) < cutoff)
                    .order_by(col(Version.node_id))
                    .limit(page)
                ).all()
            )
        if not candidates:
            return gone
        after = candidates[-1]
        for node_id in candidates:
            gone += _thin_one(core, node_id)


def _thin_one(core: Core, node_id: str) -> int:
    s_ = core.settings
    with core.db.read() as s:
        owner = s.exec(select(Node.owner_id).where(Node.id == node_id)).first()
    if owner is None:
        return 0
    with write_tx(core, owner) as tx:
        rows = list(tx.s.exec(select(Version).where(Version.node_id == node_id)).all())
        live = tx.s.get(Node, node_id)
        if live is None:
            return 0
        doomed_ids = thin(
            [Kept(v.id or 0, v.created_at, v.pinned, v.id == live.version_id) for v in rows],
            utcnow(),
            s_.versions_keep_all_days,
            s_.versions_max,
        )
        doomed = [v for v in rows if v.id in doomed_ids]
        if doomed:
            _drop_versions(tx.s, doomed)
            tx.charge(-sum(v.size for v in doomed))
            tx.record(live, "versions", sharers=False)
    return len(doomed)
