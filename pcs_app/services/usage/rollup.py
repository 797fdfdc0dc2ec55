"""The roll-up job: fold usage events into per-day and all-time tables, and measure what needs a scan.

Events are consumed: one transaction deletes a batch (``DELETE … RETURNING``) and adds it to
``usage_daily`` and ``usage_total``, so a reader that sums the tables and the events still waiting
(usage/dashboard.py) sees each event exactly once, and two roll-ups at once cannot count one twice
(the second finds the rows gone). What cannot be counted as it happens is measured here, only for
accounts that changed: the distinct contents an account holds (its bytes saved by deduplication), the
server's stored bytes, and — once per account, or on demand — a baseline of the live counters rebuilt
from the files themselves (for accounts older than the counters, and as a check).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, delete, func, literal, update
from sqlalchemy import select as sql_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from pcs_app.models import (
    FILE,
    FOLDER,
    Blob,
    Node,
    UsageDaily,
    UsageEvent,
    UsageSnapshot,
    UsageTotal,
    User,
    Version,
    utcnow,
)

from ..core import Core
from ..tx import write_tx
from .categories import category
from .dashboard import SERVER

BATCH = 50_000
MEASURE_PER_RUN = 200


@dataclass
class RollupReport:
    events: int = 0
    batches: int = 0
    measured: int = 0
    baselines: int = 0
    users: set[int] = field(default_factory=lambda: set[int]())


def _insert(s: Session) -> Any:
    bind = s.get_bind()
    return sqlite.insert if bind.dialect.name == "sqlite" else postgresql.insert


def _add(s: Session, model: type[UsageDaily] | type[UsageTotal], keys: list[str], rows: list[dict[str, Any]]) -> None:
    """Add the rows' n and bytes to the table (insert, or add to the existing row)."""
    if not rows:
        return
    stmt = _insert(s)(model)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys,
        set_={"n": stmt.table.c.n + stmt.excluded.n, "bytes": stmt.table.c.bytes + stmt.excluded.bytes},
    )
    s.connection().execute(stmt, rows)


def _mark(s: Session, user_ids: set[int], **values: Any) -> None:
    """Create the accounts' snapshot rows where missing, then set ``values`` on them."""
    if not user_ids:
        return
    stmt = _insert(s)(UsageSnapshot).on_conflict_do_nothing(index_elements=["user_id"])
    s.connection().execute(
        stmt, [{"user_id": u, "logical_bytes": 0, "stored_bytes": 0, "dirty": True} for u in user_ids]
    )
    s.exec(update(UsageSnapshot).where(col(UsageSnapshot.user_id).in_(user_ids)).values(**values))


def fold(core: Core, batch: int = BATCH) -> tuple[int, set[int]]:
    """Fold one batch of the oldest events into the tables; (events folded, accounts they concern)."""
    with core.db.write() as s:
        oldest = select(UsageEvent.id).order_by(col(UsageEvent.id)).limit(batch).scalar_subquery()
        rows = s.exec(
            delete(UsageEvent)
            .where(col(UsageEvent.id).in_(oldest))
            .returning(
                col(UsageEvent.user_id),
                col(UsageEvent.day),
                col(UsageEvent.metric),
                col(UsageEvent.item),
                col(UsageEvent.n),
                col(UsageEvent.bytes),
            )
        ).all()
        daily: dict[tuple[Any, ...], list[int]] = {}
        total: dict[tuple[Any, ...], list[int]] = {}
        for user_id, day, metric, item, n, b in rows:
            for table, key in ((daily, (user_id, day, metric, item)), (total, (user_id, metric, item))):
                got = table.setdefault(key, [0, 0])
                got[0] += n
                got[1] += b
        _add(
            s,
            UsageDaily,
            ["user_id", "day", "metric", "item"],
            [
                {"user_id": u, "day": d, "metric": m, "item": i, "n": n, "bytes": b}
                for (u, d, m, i), (n, b) in daily.items()
            ],
        )
        _add(
            s,
            UsageTotal,
            ["user_id", "metric", "item"],
            [{"user_id": u, "metric": m, "item": i, "n": n, "bytes": b} for (u, m, i), (n, b) in total.items()],
        )
        users = {u for u, _, _, _, _, _ in rows}
        # Empty live counters (a folder emptied or deleted) are dropped, so reads never meet them.
        s.exec(
            delete(UsageTotal).where(
                col(UsageTotal.user_id).in_(users),
                col(UsageTotal.metric) == "live",
                col(UsageTotal.n) == 0,
                col(UsageTotal.bytes) == 0,
            )
        )
        changed = {u for u, _, m, _, _, _ in rows if m in ("live", "stored")}
        _mark(s, changed, dirty=True)
    return len(rows), users


def measure(core: Core, user_id: int) -> None:
    """An account's bytes over every version (logical) and over its distinct contents (stored once)."""
    with core.db.write() as s:
        _mark(s, {user_id}, dirty=False)  # cleared first: a change during the scan marks it again
    mine = select(Version.blob_id).join(Node, col(Node.id) == col(Version.node_id)).where(Node.owner_id == user_id)
    with core.db.read() as s:
        logical = s.exec(
            select(func.coalesce(func.sum(Version.size), 0))
            .join(Node, col(Node.id) == col(Version.node_id))
            .where(Node.owner_id == user_id)
        ).one()
        stored = s.exec(select(func.coalesce(func.sum(Blob.size), 0)).where(col(Blob.id).in_(mine))).one()
    with core.db.write() as s:
        _mark(s, {user_id}, logical_bytes=int(logical), stored_bytes=int(stored), computed_at=utcnow())


def measure_server(core: Core) -> None:
    """Bytes over every account's versions (logical) and in storage (each content once)."""
    with core.db.read() as s:
        logical = s.exec(select(func.coalesce(func.sum(User.used_bytes), 0))).one()
        stored = s.exec(select(func.coalesce(func.sum(Blob.size), 0)).where(col(Blob.refcount) > 0)).one()
    with core.db.write() as s:
        _mark(s, {SERVER}, logical_bytes=int(logical), stored_bytes=int(stored), computed_at=utcnow(), dirty=False)


def live_files(s: Session, root_id: str) -> list[tuple[str, str | None, int, str]]:
    """(name, mime type, size, top-level folder id or "") of every live file below ``root_id``. One query."""
    live = col(Node.trashed_at).is_(None)
    top = case((col(Node.kind) == FOLDER, col(Node.id)), else_=literal("")).label("top")
    fields = (col(Node.id), col(Node.kind), col(Node.name), col(Node.mime_type), col(Node.size))
    down = sql_select(*fields, top).where(col(Node.parent_id) == root_id, live).cte(recursive=True)
    down = down.union_all(
        sql_select(*fields, down.c.top).join(down, col(Node.parent_id) == down.c.id).where(down.c.kind == FOLDER, live)
    )
    q = sql_select(down.c.name, down.c.mime_type, down.c.size, down.c.top).where(down.c.kind == FILE)
    return [(str(name), mime, int(size), str(t)) for name, mime, size, t in s.connection().execute(q).all()]


def rebuild(core: Core, user_id: int) -> None:
    """Recount an account's live counters from its files (under its lock: no change slips between)."""
    with write_tx(core, user_id) as tx:
        s = tx.s
        root_id = s.exec(select(User.root_id).where(User.id == user_id)).one()
        counts: dict[str, list[int]] = {}
        for name, mime, size, top in live_files(s, root_id or ""):
            got = counts.setdefault(f"{category(mime, name)}/{top}", [0, 0])
            got[0] += 1
            got[1] += size
        # Waiting events first, as the roll-up takes them (the same lock order on PostgreSQL).
        s.exec(delete(UsageEvent).where(col(UsageEvent.user_id) == user_id, col(UsageEvent.metric) == "live"))
        s.exec(delete(UsageTotal).where(col(UsageTotal.user_id) == user_id, col(UsageTotal.metric) == "live"))
        if counts:
            s.connection().execute(
                _insert(s)(UsageTotal),
                [{"user_id": user_id, "metric": "live", "item": k, "n": n, "bytes": b} for k, (n, b) in counts.items()],
            )
        _mark(s, {user_id}, baseline_at=utcnow(), dirty=True)


def roll_up(core: Core, batch: int = BATCH, max_batches: int = 1000) -> RollupReport:
    """The periodic job: fold every waiting event, then measure what changed and baseline new accounts."""
    report = RollupReport()
    for _ in range(max_batches):
        n, users = fold(core, batch)
        report.events += n
        report.batches += 1 if n else 0
        report.users |= users
        if n < batch:
            break
    with core.db.read() as s:
        fresh = s.exec(
            select(User.id)
            .outerjoin(UsageSnapshot, col(UsageSnapshot.user_id) == col(User.id))
            .where(col(UsageSnapshot.baseline_at).is_(None))
            .limit(MEASURE_PER_RUN)
        ).all()
    for user_id in fresh:
        if user_id is not None:
            rebuild(core, user_id)
            report.baselines += 1
    with core.db.read() as s:
        dirty = s.exec(
            select(UsageSnapshot.user_id)
            .where(col(UsageSnapshot.dirty).is_(True), UsageSnapshot.user_id != SERVER)
            .order_by(col(UsageSnapshot.computed_at))
            .limit(MEASURE_PER_RUN)
        ).all()
    for user_id in dirty:
        measure(core, user_id)
        report.measured += 1
    if report.measured or report.baselines:
        measure_server(core)
    return report
