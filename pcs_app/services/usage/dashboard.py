"""One account's usage dashboard, read in O(days + types x folders + links): never a scan of files or events.

Every figure is the rolled-up tables plus the events still waiting for the roll-up (each summed in
one statement, so a roll-up committing meanwhile is seen whole or not at all): an upload shows at
once. Storage over time runs back from today's ``used_bytes`` through each day's recorded change.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, union_all
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from pcs_app.models import FILE, Node, ShareLink, UsageDaily, UsageEvent, UsageSnapshot, UsageTotal, User, utcnow

from .. import audit
from ..core import Core
from ..errors import Forbidden, InvalidInput
from .categories import TYPES

MAX_DAYS = 366
LARGEST = 10
SERIES = ("stored", "upload", "download")
SERVER = 0  # usage_snapshot's row for the whole server


@dataclass(frozen=True)
class Share:
    """Files and bytes of one type or one top-level folder."""

    key: str  # a type, or a folder id ("" for the files at the top)
    name: str
    files: int
    bytes: int


@dataclass(frozen=True)
class Day:
    day: date
    stored_bytes: int  # used_bytes at the end of the day
    uploads: int
    upload_bytes: int
    downloads: int
    download_bytes: int


@dataclass(frozen=True)
class BigFile:
    id: str
    name: str
    size: int
    mime_type: str | None
    parent_id: str | None
    modified_at: datetime


@dataclass(frozen=True)
class LinkActivity:
    id: str
    node_id: str
    name: str
    downloads: int
    max_downloads: int | None
    upload_only: bool
    created_at: datetime
    last_access_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True)
class Dashboard:
    used_bytes: int  # every version and the trash: what the quota counts
    quota_bytes: int | None
    files: int  # files in use (not counting the trash)
    live_bytes: int  # their current content
    by_type: dict[str, int]  # live bytes per type: image, video, audio, document, archive, other
    types: list[Share]  # the same with file counts, every type
    folders: list[Share]  # live bytes per top-level folder, largest first ("" = files at the top)
    daily: list[Day]  # oldest first, one per day up to today
    largest_files: list[BigFile]
    largest_folders: list[Share]  # the ten largest top-level folders
    links: list[LinkActivity]  # share links not revoked, most downloaded first
    dedup_saved_bytes: int  # bytes this account stores once for several files or versions
    measured_at: datetime | None  # when dedup_saved_bytes was measured (the roll-up job)


def _user(core: Core, actor: object) -> User:
    if not isinstance(actor, User) or actor.id is None:
        raise Forbidden("This needs an account: sign in first.")
    with core.db.read() as s:
        user = s.get(User, actor.id)
    if user is None:
        raise Forbidden("This needs an account: sign in first.")
    return user


def check_days(days: object) -> int:
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"days must be between 1 and {MAX_DAYS}.")
    return days


def live_counts(s: Session, user_ids: list[int]) -> dict[int, dict[str, tuple[int, int]]]:
    """Per account: live item ("<type>/<folder>") -> (files, bytes), tables plus waiting events."""
    total = (col(UsageTotal.user_id), col(UsageTotal.item), col(UsageTotal.n), col(UsageTotal.bytes))
    rolled = sql_select(*total).where(col(UsageTotal.user_id).in_(user_ids), col(UsageTotal.metric) == "live")
    event = (col(UsageEvent.user_id), col(UsageEvent.item), col(UsageEvent.n), col(UsageEvent.bytes))
    waiting = sql_select(*event).where(col(UsageEvent.user_id).in_(user_ids), col(UsageEvent.metric) == "live")
    both = union_all(rolled, waiting).subquery()
    q = sql_select(both.c.user_id, both.c.item, func.sum(both.c.n), func.sum(both.c.bytes)).group_by(
        both.c.user_id, both.c.item
    )
    rows = s.connection().execute(q).all()
    out: dict[int, dict[str, tuple[int, int]]] = {u: {} for u in user_ids}
    for user_id, item, n, b in rows:
        if n or b:
            out[int(user_id)][str(item)] = (int(n), int(b))
    return out


def daily_sums(s: Session, user_ids: list[int], since: date, metrics: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """(user, day, metric, n, bytes) from ``since`` on, tables plus waiting events."""
    d = (col(UsageDaily.user_id), col(UsageDaily.day), col(UsageDaily.metric), col(UsageDaily.n), col(UsageDaily.bytes))
    rolled = sql_select(*d).where(
        col(UsageDaily.user_id).in_(user_ids), col(UsageDaily.metric).in_(metrics), col(UsageDaily.day) >= since
    )
    e = (col(UsageEvent.user_id), col(UsageEvent.day), col(UsageEvent.metric), col(UsageEvent.n), col(UsageEvent.bytes))
    waiting = sql_select(*e).where(
        col(UsageEvent.user_id).in_(user_ids), col(UsageEvent.metric).in_(metrics), col(UsageEvent.day) >= since
    )
    both = union_all(rolled, waiting).subquery()
    q = sql_select(both.c.user_id, both.c.day, both.c.metric, func.sum(both.c.n), func.sum(both.c.bytes)).group_by(
        both.c.user_id, both.c.day, both.c.metric
    )
    return [tuple(r) for r in s.connection().execute(q).all()]


def _series(user: User, rows: list[tuple[Any, ...]], days: int, today: date) -> list[Day]:
    by: dict[tuple[date, str], tuple[int, int]] = {}
    for _, day, metric, n, b in rows:
        d = day if isinstance(day, date) else date.fromisoformat(str(day))
        by[(d, str(metric))] = (int(n), int(b))
    first = max(today - timedelta(days=days - 1), user.created_at.date())
    out: list[Day] = []
    stored = user.used_bytes
    d = today
    while d >= first:  # backwards: the end of day d is the end of d+1 minus d+1's change
        up, down = by.get((d, "upload"), (0, 0)), by.get((d, "download"), (0, 0))
        out.append(Day(d, stored, up[0], up[1], down[0], down[1]))
        stored -= by.get((d, "stored"), (0, 0))[1]
        d -= timedelta(days=1)
    return out[::-1]


def _names(s: Session, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {i: n for i, n in s.exec(select(Node.id, Node.name).where(col(Node.id).in_(ids))).all()}


def dashboard(core: Core, actor: object, days: object = 90) -> Dashboard:
    """The signed-in account's usage: totals, by type and folder, a daily series, the largest files
    and folders, its links, and what deduplication saves it."""
    user = _user(core, actor)
    n_days = check_days(days)
    audit.flush(core)  # downloads this process still holds (other processes write theirs within 0.25 s)
    today = utcnow().date()
    uid = user.id or 0
    with core.db.read() as s:
        live = live_counts(s, [uid])[uid]
        rows = daily_sums(s, [uid], today - timedelta(days=n_days - 1), SERIES)
        big = s.exec(
            select(Node)
            .where(Node.owner_id == uid, Node.kind == FILE, col(Node.trashed_at).is_(None))
            .order_by(col(Node.size).desc())
            .limit(LARGEST)
        ).all()
        links = s.exec(
            select(ShareLink, Node.name)
            .join(Node, col(Node.id) == col(ShareLink.node_id))
            .where(ShareLink.owner_id == uid, col(ShareLink.revoked_at).is_(None))
        ).all()
        snap = s.get(UsageSnapshot, uid)
        by_type = {t: [0, 0] for t in TYPES}
        by_folder: dict[str, list[int]] = {}
        for item, (n, b) in live.items():
            kind, _, top = item.partition("/")
            for table, key in ((by_type, kind), (by_folder, top)):
                got = table.setdefault(key, [0, 0])
                got[0] += n
                got[1] += b
        names = _names(s, [k for k in by_folder if k])
    folders = sorted(
        (Share(k, names.get(k, "") if k else "", n, b) for k, (n, b) in by_folder.items() if n or b),
        key=lambda f: (-f.bytes, f.name),
    )
    types = [Share(t, t, n, b) for t, (n, b) in by_type.items()]
    saved = max(snap.logical_bytes - snap.stored_bytes, 0) if snap is not None else 0
    return Dashboard(
        used_bytes=user.used_bytes,
        quota_bytes=user.quota_bytes,
        files=sum(t.files for t in types),
        live_bytes=sum(t.bytes for t in types),
        by_type={t.key: t.bytes for t in types},
        types=types,
        folders=folders,
        daily=_series(user, rows, n_days, today),
        largest_files=[BigFile(n.id, n.name, n.size, n.mime_type, n.parent_id, n.modified_at) for n in big],
        largest_folders=[f for f in folders if f.key][:LARGEST],
        links=sorted(
            (
                LinkActivity(
                    link.id,
                    link.node_id,
                    name,
                    link.downloads,
                    link.max_downloads,
                    link.upload_only,
                    link.created_at,
                    link.last_access_at,
                    link.expires_at,
                )
                for link, name in links
            ),
            key=lambda x: (-x.downloads, x.name),
        ),
        dedup_saved_bytes=saved,
        measured_at=snap.computed_at if snap is not None else None,
    )


CSV_COLUMNS = ("day", "stored_bytes", "uploads", "upload_bytes", "downloads", "download_bytes")


def daily_csv(core: Core, actor: object, days: object = 90) -> str:
    """The daily series as CSV (a header, then one line per day, oldest first)."""
    user = _user(core, actor)
    n_days = check_days(days)
    today = utcnow().date()
    with core.db.read() as s:
        rows = daily_sums(s, [user.id or 0], today - timedelta(days=n_days - 1), SERIES)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for d in _series(user, rows, n_days, today):
        writer.writerow([d.day.isoformat(), d.stored_bytes, d.uploads, d.upload_bytes, d.downloads, d.download_bytes])
    return out.getvalue()
