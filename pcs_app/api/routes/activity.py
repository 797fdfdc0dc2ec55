"""The audit log through the API: your own activity, and everyone's for administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from pcs_app.services import audit
from pcs_app.wiring import get_core

from ..activity_schemas import ActivityOut, AuditEventOut
from ..deps import Actor
from ..responses import errors

router = APIRouter(prefix="/api/v1", tags=["activity"], responses=errors(400, 401))
Kind = Annotated[
    str | None,
    Query(
        max_length=40,
        pattern=r"^[a-z_.]+$",
        description=f"A group ({', '.join(audit.KINDS)}) or one action (e.g. file.upload).",
    ),
]
Before = Annotated[str | None, Query(max_length=19, pattern=r"^[0-9]+$", description="next_cursor of the page before.")]
Limit = Annotated[int, Query(ge=1, le=audit.PAGE_MAX)]


@router.get("/activity", response_model=ActivityOut)
def list_activity(user: Actor, kind: Kind = None, cursor: Before = None, limit: Limit = 50) -> ActivityOut:
    """What you did, and what happened to your files (shares, downloads, denials), newest first."""
    page = audit.activity(get_core(), user, kind=kind, cursor=cursor, limit=limit)
    return ActivityOut(items=[AuditEventOut.of(e) for e in page.items], next_cursor=page.next_cursor)


@router.get("/admin/audit", response_model=ActivityOut, tags=["admin"], responses=errors(403))
def list_audit(
    user: Actor,
    account: Annotated[int | None, Query(alias="user", ge=1, le=2**31 - 1, description="One account's events.")] = None,
    kind: Kind = None,
    cursor: Before = None,
    limit: Limit = 50,
) -> ActivityOut:
    """Everyone's audit log, newest first (administrators only)."""
    page = audit.audit_log(get_core(), user, user=account, kind=kind, cursor=cursor, limit=limit)
    return ActivityOut(items=[AuditEventOut.of(e) for e in page.items], next_cursor=page.next_cursor)
