"""The administrators' view: every account's usage, the server's totals and health, and what this
much use would cost a month on AWS (the dated price table of services/costs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from pcs_app.models import JobFailure, MailOutbox, UsageEvent, UsageSnapshot, User, utcnow

from .. import costs, status
from ..core import Core
from ..errors import Forbidden, InvalidInput
from ..notify import outbox
from .dashboard import SERVER, daily_sums, live_counts

WINDOW = 30  # days counted as "recent" (uploads, downloads, monthly active users, mails)
GB = 1024**3
SORTS = ("email", "used_bytes", "quota_bytes", "files", "live_bytes", "uploads", "downloads", "last_active")
MAX_MULTIPLIER = 1000.0


def _admin(actor: object) -> User:
    if not isinstance(actor, User) or not actor.is_admin:
        raise Forbidden("Only administrators may do that.")
    return actor


@dataclass(frozen=True)
class AccountUsage:
    id: int
    email: str
    is_admin: bool
    used_bytes: int
    quota_bytes: int | None
    files: int
    live_bytes: int
    uploads: int  # in the last 30 days
    upload_bytes: int
    downloads: int
    download_bytes: int
    last_active: date | None  # within the last 30 days


def accounts_usage(
    core: Core, actor: object, sort: object = "used_bytes", order: object = "desc"
) -> list[AccountUsage]:
    """Every account with its usage, sorted by ``sort`` (one of SORTS), ``order`` asc or desc."""
    _admin(actor)
    if sort not in SORTS or order not in ("asc", "desc"):
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}; order asc or desc.")
    since = utcnow().date() - timedelta(days=WINDOW - 1)
    with core.db.read() as s:
        users = list(s.exec(select(User)).all())
        ids = [u.id for u in users if u.id is not None]
        live = live_counts(s, ids)
        recent = daily_sums(s, ids, since, ("upload", "download", "active"))
    sums: dict[tuple[int, str], list[int]] = {}
    last: dict[int, date] = {}
    for user_id, day, metric, n, b in recent:
        got = sums.setdefault((int(user_id), str(metric)), [0, 0])
        got[0] += int(n)
        got[1] += int(b)
        d = day if isinstance(day, date) else date.fromisoformat(str(day))
        last[int(user_id)] = max(last.get(int(user_id), d), d)
    out: list[AccountUsage] = []
    for u in users:
        uid = u.id or 0
        mine = live.get(uid, {})
        up, down = sums.get((uid, "upload"), [0, 0]), sums.get((uid, "download"), [0, 0])
        out.append(
            AccountUsage(
                uid,
                u.email,
                u.is_admin,
                u.used_bytes,
                u.quota_bytes,
                sum(n for n, _ in mine.values()),
                sum(b for _, b in mine.values()),
                up[0],
                up[1],
                down[0],
                down[1],
                last.get(uid),
            )
        )
    key = str(sort)
    present = [a for a in out if getattr(a, key) is not None]
    absent = [a for a in out if getattr(a, key) is None]  # no quota, never active: always last
    present.sort(key=lambda a: (getattr(a, key), a.email), reverse=order == "desc")
    return present + sorted(absent, key=lambda a: a.email)


@dataclass(frozen=True)
class QueueHealth:
    pending: int  # jobs waiting for a worker
    retrying: int  # jobs waiting for their next attempt
    failed: int  # jobs that used up their attempts (pcs jobs failed)
    oldest_failure: datetime | None
    usage_events_waiting: int  # for the roll-up
    oldest_usage_day: date | None
    mail: outbox.MailHealth


@dataclass(frozen=True)
class Overview:
    accounts: int
    files: int
    live_bytes: int  # current content of the files in use
    logical_bytes: int  # every version of every file, trash included (the sum of used_bytes)
    stored_bytes: int  # in storage, each content once
    dedup_saved_bytes: int
    measured_at: datetime | None  # when stored_bytes was measured (the roll-up job)
    active_today: int
    active_users: int  # in the last 30 days
    active_daily: list[tuple[date, int]]  # daily active users, oldest first
    queue: QueueHealth
    health: status.Health


def queue_health(core: Core) -> QueueHealth:
    jobs = core.jobs
    with core.db.read() as s:
        failed, oldest = s.exec(
            select(func.count(), func.min(JobFailure.failed_at)).where(col(JobFailure.resolved_at).is_(None))
        ).one()
        waiting, first_day = s.exec(select(func.count(), func.min(UsageEvent.day))).one()
        oldest_day: date | None = first_day
    return QueueHealth(
        jobs.pending_count(),
        jobs.scheduled_count(),
        int(failed),
        oldest,
        int(waiting),
        oldest_day,
        outbox.health(core),
    )


def overview(core: Core, actor: object) -> Overview:
    """Totals, daily active users, the job queue and storage health."""
    _admin(actor)
    today = utcnow().date()
    since = today - timedelta(days=WINDOW - 1)
    with core.db.read() as s:
        ids = [i for i in s.exec(select(User.id)).all() if i is not None]
        logical = int(s.exec(select(func.coalesce(func.sum(User.used_bytes), 0))).one())
        live = live_counts(s, ids)
        active = daily_sums(s, ids, since, ("active",))
        snap = s.get(UsageSnapshot, SERVER)
    per_day: dict[date, set[int]] = {}
    for user_id, day, _, _, _ in active:
        d = day if isinstance(day, date) else date.fromisoformat(str(day))
        per_day.setdefault(d, set()).add(int(user_id))
    stored = snap.stored_bytes if snap is not None else logical
    return Overview(
        accounts=len(ids),
        files=sum(n for counts in live.values() for n, _ in counts.values()),
        live_bytes=sum(b for counts in live.values() for _, b in counts.values()),
        logical_bytes=logical,
        stored_bytes=stored,
        dedup_saved_bytes=max((snap.logical_bytes if snap else logical) - stored, 0),
        measured_at=snap.computed_at if snap is not None else None,
        active_today=len(per_day.get(today, set())),
        active_users=len(set[int]().union(*per_day.values())),
        active_daily=[
            (since + timedelta(days=i), len(per_day.get(since + timedelta(days=i), set()))) for i in range(WINDOW)
        ],
        queue=queue_health(core),
        health=status.health(core),
    )


@dataclass(frozen=True)
class CostView:
    usage: costs.Usage  # the last 30 days, measured
    current: costs.Estimate
    multiplier: float
    projected: costs.Estimate  # usage scaled by ``multiplier`` (the page's slider)
    comparisons: tuple[costs.Comparison, ...]  # this model beside the published ballpark
    explanations: list[str]  # why it differs, in words (one per comparison)
    ballpark: str
    prices_as_of: str


def measured_usage(core: Core) -> costs.Usage:
    """The last 30 days of use, in the cost model's terms."""
    since = utcnow().date() - timedelta(days=WINDOW - 1)
    with core.db.read() as s:
        ids = [i for i in s.exec(select(User.id)).all() if i is not None]
        rows = daily_sums(s, ids, since, ("upload", "download", "active"))
        snap = s.get(UsageSnapshot, SERVER)
        stored = (
            snap.stored_bytes
            if snap is not None
            else int(s.exec(select(func.coalesce(func.sum(User.used_bytes), 0))).one())
        )
        mails = int(
            s.exec(
                select(func.count()).where(
                    col(MailOutbox.status) == "sent", col(MailOutbox.sent_at) >= utcnow() - timedelta(days=WINDOW)
                )
            ).one()
        )
    sums = {"upload": [0, 0], "download": [0, 0]}
    active: set[int] = set()
    for user_id, _, metric, n, b in rows:
        if metric == "active":
            active.add(int(user_id))
        else:
            sums[str(metric)][0] += int(n)
            sums[str(metric)][1] += int(b)
    download_gb = sums["download"][1] / GB
    return costs.Usage(
        stored_gb=stored / GB,
        uploads=sums["upload"][0],
        upload_gb=sums["upload"][1] / GB,
        downloads=sums["download"][0],
        download_gb=download_gb,
        egress_gb=download_gb + len(active) * costs.EGRESS_GB_PER_ACTIVE_USER,
        mails=mails,
        active_users=len(active),
    )


def cost_estimate(core: Core, actor: object, multiplier: object = 1.0) -> CostView:
    """The monthly AWS bill for the measured month, and for ``multiplier`` times as much use."""
    _admin(actor)
    if (
        not isinstance(multiplier, (int, float))
        or isinstance(multiplier, bool)
        or not 0 <= multiplier <= MAX_MULTIPLIER
    ):
        raise InvalidInput(f"multiplier must be between 0 and {MAX_MULTIPLIER:g}.")
    usage = measured_usage(core)
    comparisons = costs.compare_with_ballpark()
    return CostView(
        usage=usage,
        current=costs.estimate(usage),
        multiplier=float(multiplier),
        projected=costs.estimate(costs.project(usage, float(multiplier))),
        comparisons=comparisons,
        explanations=[costs.explain(c) for c in comparisons],
        ballpark=costs.BALLPARK_TEXT,
        prices_as_of=costs.PRICES_AS_OF,
    )
