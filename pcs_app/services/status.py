"""Server health (for anyone) and totals (for administrators)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import func, literal
from sqlmodel import col, select

from pcs_app.models import FILE, Blob, Node, User

from .core import Core
from .errors import Forbidden
from .units import human_size


@dataclass(frozen=True)
class Health:
    database_ok: bool
    storage_ok: bool
    storage_ms: float | None = None

    @property
    def ok(self) -> bool:
        return self.database_ok and self.storage_ok


@dataclass(frozen=True)
class Totals:
    users: int
    files: int
    stored_bytes: int


def health(core: Core) -> Health:
    """Whether the database and the object store answer; never raises."""
    try:
        with core.db.read() as s:
            s.exec(select(literal(1))).one()
        db_ok = True
    except Exception:  # noqa: BLE001 - shown as "database not reachable"
        db_ok = False
    t0 = time.perf_counter()
    s3_ok = core.blobs.ping()
    return Health(db_ok, s3_ok, round((time.perf_counter() - t0) * 1000, 1) if s3_ok else None)


def totals(core: Core, actor: User) -> Totals:
    """Accounts, live files and stored bytes: administrators only."""
    if not actor.is_admin:
        raise Forbidden("Only administrators see the server's totals.")
    with core.db.read() as s:
        users = s.exec(select(func.count()).select_from(User)).one()
        files_n = s.exec(
            select(func.count()).select_from(Node).where(Node.kind == FILE, col(Node.trashed_at).is_(None))
        ).one()
        stored = s.exec(select(func.coalesce(func.sum(Blob.size), 0))).one()
    return Totals(users, files_n, int(stored))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def summary(t: Totals) -> str:
    """'2 accounts · 1 file · 5 B stored'."""
    return f"{_count(t.users, 'account')} · {_count(t.files, 'file')} · {human_size(t.stored_bytes)} stored"
