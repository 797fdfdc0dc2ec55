"""Administration through the API: accounts and their quotas (administrators only; others get 403)."""

from __future__ import annotations

from fastapi import APIRouter

from pcs_app.services import accounts
from pcs_app.wiring import get_core

from ..account_schemas import AccountOut, AccountPatch
from ..deps import Actor
from ..responses import errors

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses=errors(400, 401, 403))


@router.get("/users", response_model=list[AccountOut])
def list_users(user: Actor) -> list[AccountOut]:
    """Every account with what it holds and its quota."""
    return [AccountOut.of(a) for a in accounts.list_users_as(get_core(), user)]


@router.patch("/users/{user_id}", response_model=AccountOut, responses=errors(404))
def patch_user(user_id: int, body: AccountPatch, user: Actor) -> AccountOut:
    """Change an account's quota (``quota_bytes``; null: unlimited)."""
    return AccountOut.of(accounts.set_quota_as(get_core(), user, user_id, body.quota_bytes))
