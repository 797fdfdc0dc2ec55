"""The change feed, health and server totals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from pcs_app.services import changes, status
from pcs_app.wiring import get_core

from ..deps import Actor
from ..responses import errors
from ..schemas import ChangeOut, ChangesOut, HealthOut, TotalsOut

router = APIRouter(prefix="/api/v1")


@router.get("/changes", response_model=ChangesOut, tags=["changes"], responses=errors(401))
async def get_changes(
    user: Actor,
    since: Annotated[int, Query(ge=0)] = 0,
    timeout: Annotated[float, Query(ge=0, le=300)] = 0,
    limit: Annotated[int, Query(ge=1, le=changes.MAX_LIMIT)] = changes.DEFAULT_LIMIT,
) -> ChangesOut:
    """Changes after ``since``. With ``timeout`` > 0 the call waits (long-poll) until there are some."""
    page = await changes.wait_for_changes(get_core(), user, since, timeout, limit)
    return ChangesOut(changes=[ChangeOut.of(ch) for ch in page.changes], cursor=page.cursor, has_more=page.has_more)


@router.get("/health", tags=["meta"], response_model=HealthOut, responses={503: {"model": HealthOut}})
def health() -> JSONResponse:
    """Liveness for load balancers: 200 when the database and storage answer, else 503."""
    h = status.health(get_core())
    return JSONResponse({"database": h.database_ok, "storage": h.storage_ok}, status_code=200 if h.ok else 503)


@router.get("/admin/totals", tags=["admin"], response_model=TotalsOut, responses=errors(401, 403))
def totals(user: Actor) -> TotalsOut:
    """Accounts, files and stored bytes (administrators only)."""
    t = status.totals(get_core(), user)
    return TotalsOut(users=t.users, files=t.files, stored_bytes=t.stored_bytes)
