"""Server status for the landing page and health checks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from pcs_app.models import FILE, Blob, Node, User

from .core import Core


@dataclass(frozen=True)
class StatusReport:
    database_ok: bool
    storage_ok: bool
    users: int
    files: int
    stored_bytes: int


def report(core: Core) -> StatusReport:
    """Counts and reachability; never raises (a failing part shows as not ok)."""
    try:
        with core.db.read() as s:
            users = s.exec(select(func.count()).select_from(User)).one()
            files_n = s.exec(
                select(func.count()).select_from(Node).where(Node.kind == FILE, Node.trashed_at.is_(None))
            ).one()  # type: ignore[union-attr]
            stored = s.exec(select(func.coalesce(func.sum(Blob.size), 0))).one()
        db_ok = True
    except Exception:  # noqa: BLE001 - shown to the user as "database not reachable"
        users = files_n = stored = 0
        db_ok = False
    return StatusReport(db_ok, core.blobs.ping(), users, files_n, int(stored))


def human_size(n: int) -> str:
    """1536 -> '1.5 KiB'."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def summary(r: StatusReport) -> str:
    """'2 accounts · 1 file · 5 B stored'."""
    return f"{_count(r.users, 'account')} · {_count(r.files, 'file')} · {human_size(r.stored_bytes)} stored"
