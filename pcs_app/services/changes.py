"""The change feed: what changed in a user's files since a cursor, with long-poll."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from sqlmodel import col, select

from pcs_app.models import Change, User

from .core import Core
from .errors import InvalidInput

MAX_LIMIT = 5000
DEFAULT_LIMIT = 1000


@dataclass(frozen=True)
class ChangePage:
    changes: list[Change]
    cursor: int
    has_more: bool


def changes_since(core: Core, actor: User, since: object, limit: object = DEFAULT_LIMIT) -> ChangePage:
    if not isinstance(since, int) or isinstance(since, bool) or since < 0:
        raise InvalidInput("since must be a whole number, 0 or more.")
    if not isinstance(limit, int) or isinstance(limit, bool) or not (1 <= limit <= MAX_LIMIT):
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}.")
    with core.db.read() as s:
        rows = list(
            s.exec(
                select(Change)
                .where(Change.user_id == actor.id, Change.seq > since)
                .order_by(col(Change.seq))
                .limit(limit + 1)
            ).all()
        )
        if not rows:
            head = s.exec(select(User.change_seq).where(User.id == actor.id)).one()
            if since > head:
                raise InvalidInput(f"since={since} is ahead of this account's feed ({head}); start again from 0.")
    more = len(rows) > limit
    rows = rows[:limit]
    return ChangePage(rows, rows[-1].seq if rows else since, more)


def current_cursor(core: Core, actor: User) -> int:
    with core.db.read() as s:
        return s.exec(select(User.change_seq).where(User.id == actor.id)).one()


async def wait_for_changes(
    core: Core, actor: User, since: object, timeout: object, limit: object = DEFAULT_LIMIT
) -> ChangePage:
    """Return as soon as there are changes after ``since``, or an empty page after ``timeout`` seconds."""
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout < 0:
        raise InvalidInput("timeout must be 0 or more seconds.")
    deadline = time.monotonic() + min(float(timeout), core.settings.longpoll_max_seconds)
    while True:
        page = await asyncio.to_thread(changes_since, core, actor, since, limit)
        remaining = deadline - time.monotonic()
        if page.changes or remaining <= 0:
            return page
        # The broker wakes us for writes in this process (or any, with Redis); the periodic
        # re-check catches writes made by other processes without Redis (the job worker, the CLI).
        await core.broker.wait(actor.id or 0, min(remaining, core.broker.recheck_seconds))
