"""Usage and audit events of reads: downloads (a file, a zip), written by the buffer, never in the way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select

from pcs_app.models import Node, User, utcnow

from .. import audit
from ..core import Core
from .ledger import first_today


def _rows(core: Core, owner_id: int, size: int) -> list[dict[str, Any]]:
    today = utcnow().date()
    rows = [{"user_id": owner_id, "day": today, "metric": "download", "item": "", "n": 1, "bytes": size}]
    ctx = audit.current()
    if ctx is not None and ctx.actor_id is not None and first_today(str(core.db.engine.url), ctx.actor_id, today):
        rows.append({"user_id": ctx.actor_id, "day": today, "metric": "active", "item": "", "n": 1, "bytes": 0})
    return rows


def downloaded(core: Core, node: Node, size: int) -> None:
    """A download of ``node`` began (the whole file, or a range from its first byte): it counts for the
    file's owner, whoever downloads it (an account, or a link visitor: the request's context says)."""
    ctx = audit.current()
    detail: dict[str, object] = {"bytes": size}
    if ctx is not None and ctx.link_id:
        detail["link"] = ctx.link_id
    audit.record(
        core,
        "file.download",
        usage=_rows(core, node.owner_id, size),
        target_type="node",
        target_id=node.id,
        target=node.name,
        owner_id=node.owner_id,
        detail=detail,
    )


def archived(core: Core, ids: Sequence[str], name: str, size: int) -> None:
    """A zip of these items is built to stream (it counts for the owner of the first of them)."""
    with core.db.read() as s:
        owner = s.exec(select(Node.owner_id).where(col(Node.id).in_(list(ids)))).first()
    if owner is None:
        return
    ctx = audit.current()
    detail: dict[str, object] = {"bytes": size, "items": len(ids)}
    if ctx is not None and ctx.link_id:
        detail["link"] = ctx.link_id
    audit.record(
        core,
        "archive.download",
        usage=_rows(core, owner, size),
        target_type="node",
        target_id=ids[0] if len(ids) == 1 else None,
        target=name,
        owner_id=owner,
        detail=detail,
    )


def active(core: Core, user: User) -> None:
    """The account did something today (a sign-in, a request): counted once a day per process."""
    today = utcnow().date()
    if user.id is not None and first_today(str(core.db.engine.url), user.id, today):
        audit.buffer_usage(
            core, [{"user_id": user.id, "day": today, "metric": "active", "item": "", "n": 1, "bytes": 0}]
        )
