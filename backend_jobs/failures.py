"""Jobs that failed every attempt: kept in the database, listed by ``pcs jobs failed``, retried on demand."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from pcs_app.models import JobFailure, utcnow

if TYPE_CHECKING:
    from pcs_app.adapters.queue import Failure, JobQueue
    from pcs_app.services.core import Core


def record(core: Core, failure: Failure) -> JobFailure:
    """Keep a final failure (again for the same task id: the newest error wins)."""
    args = json.dumps(list(failure.args), default=str)
    row = JobFailure(
        task_id=failure.task_id[:64],
        job=failure.job[:100],
        subject=str(failure.args[0])[:200] if failure.args else None,
        args=args if len(args) <= 4000 else json.dumps(["(arguments too long to keep)"]),
        attempts=failure.attempts,
        error=failure.error[:2000],
        traceback=failure.traceback[-20000:],
    )
    try:
        with core.db.write() as s:
            s.add(row)
    except IntegrityError:
        with core.db.write() as s:
            old = s.exec(select(JobFailure).where(JobFailure.task_id == row.task_id)).one()
            old.attempts, old.error, old.traceback = row.attempts, row.error, row.traceback
            old.failed_at, old.resolved_at = utcnow(), None
            s.add(old)
            row = old
    return row


def list_failed(core: Core, *, include_resolved: bool = False, limit: int = 100) -> list[JobFailure]:
    """The newest failures first; resolved ones (retried) only when asked."""
    q = select(JobFailure).order_by(col(JobFailure.id).desc()).limit(limit)
    if not include_resolved:
        q = q.where(col(JobFailure.resolved_at).is_(None))
    with core.db.read() as s:
        return list(s.exec(q).all())


def retry(core: Core, queue: JobQueue, failure_id: int) -> str | None:
    """Queue a failed job again and mark its failure resolved; returns the new task id."""
    with core.db.read() as s:
        row = s.get(JobFailure, failure_id)
    if row is None:
        raise LookupError(f"no failed job #{failure_id}")
    task_id = queue.enqueue(row.job, *json.loads(row.args))
    with core.db.write() as s:
        fresh = s.get(JobFailure, failure_id)
        if fresh is not None:
            fresh.resolved_at = utcnow()
            s.add(fresh)
    return task_id
