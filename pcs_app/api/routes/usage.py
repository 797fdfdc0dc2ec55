"""Usage through the API: your dashboard (and its daily series as CSV); for administrators, every
account's usage, the server's totals and health, and the monthly AWS estimate."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from pcs_app.services import usage
from pcs_app.wiring import get_core

from ..activity_schemas import AccountUsageOut, CostsOut, OverviewOut, UsageDashboardOut
from ..deps import Actor
from ..responses import errors

router = APIRouter(prefix="/api/v1", tags=["usage"], responses=errors(400, 401))
SORT_PATTERN = "^(" + "|".join(usage.SORTS) + ")$"
Days = Annotated[int, Query(ge=1, le=366, description="How many days of the daily series (today included).")]


@router.get("/usage", response_model=UsageDashboardOut)
def get_usage(user: Actor, days: Days = 90) -> UsageDashboardOut:
    """Your storage against your quota, by type and top-level folder, per day, the largest files and
    folders, your links' downloads and what deduplication saves you. Live: an upload shows at once."""
    return UsageDashboardOut.of(usage.dashboard(get_core(), user, days))


@router.get(
    "/usage/daily.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "day, stored_bytes, uploads, …, one row a day."}},
)
def get_usage_csv(user: Actor, days: Days = 90) -> Response:
    """The daily series as CSV."""
    body = usage.daily_csv(get_core(), user, days)
    headers = {"Content-Disposition": 'attachment; filename="pcs-usage.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/admin/usage", response_model=list[AccountUsageOut], tags=["admin"], responses=errors(403))
def admin_usage(
    user: Actor,
    sort: Annotated[str, Query(pattern=SORT_PATTERN, description=f"One of {', '.join(usage.SORTS)}.")] = "used_bytes",
    order: Literal["asc", "desc"] = "desc",
) -> list[AccountUsageOut]:
    """Every account's usage (administrators only), sorted by ``sort``."""
    return [AccountUsageOut(**vars(a)) for a in usage.accounts_usage(get_core(), user, sort, order)]


@router.get("/admin/overview", response_model=OverviewOut, tags=["admin"], responses=errors(403))
def admin_overview(user: Actor) -> OverviewOut:
    """Totals (accounts, files, bytes, deduplication, daily active users), the job queue and storage health."""
    return OverviewOut.of(usage.overview(get_core(), user))


@router.get("/admin/costs", response_model=CostsOut, tags=["admin"], responses=errors(403))
def admin_costs(
    user: Actor,
    multiplier: Annotated[float, Query(ge=0, le=1000, description="Scale the measured month (the slider).")] = 1.0,
) -> CostsOut:
    """The monthly AWS bill for the last 30 days' use, and for ``multiplier`` times as much, with the
    dated price table's assumptions and how it compares with the published ballpark."""
    return CostsOut.of(usage.cost_estimate(get_core(), user, multiplier))
