"""Bodies of the administrators' account routes."""

from __future__ import annotations

from pydantic import BaseModel, Field

from pcs_app.services.accounts import AccountInfo

from .schemas import Strict

QUOTA_MAX = 2**50  # 1 PiB: exact as a JSON double, so no client rounds past it


class AccountOut(BaseModel):
    id: int
    email: str
    is_admin: bool
    used_bytes: int
    quota_bytes: int | None
    files: int = Field(description="Files in use (not counting the trash).")

    @classmethod
    def of(cls, a: AccountInfo) -> AccountOut:
        return cls(
            id=a.id,
            email=a.email,
            is_admin=a.is_admin,
            used_bytes=a.used_bytes,
            quota_bytes=a.quota_bytes,
            files=a.files,
        )


class AccountPatch(Strict):
    quota_bytes: int | None = Field(
        description="The account's quota in bytes; null for unlimited. Lowering it below what the account holds "
        "keeps every file and refuses new bytes until it is back under.",
        ge=0,
        le=QUOTA_MAX,
    )
