"""Bodies of the sign-up confirmation and reset-code routes (PCS_AUTH=cognito: Cognito mails the codes)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from pcs_app.services.accounts import CODE_PATTERN, EMAIL_PATTERN

from .activity_schemas import NewPassword
from .schemas import Strict

CODE = Field(pattern=CODE_PATTERN, description="The code from the email.")


class PendingOut(BaseModel):
    """A sign-up that must be confirmed with the emailed code before it can sign in."""

    status: Literal["confirm"] = "confirm"
    email: str
    message: str


class SignUpConfirm(Strict):
    email: str = Field(max_length=320, pattern=EMAIL_PATTERN)
    code: str = CODE


class ResetCode(Strict):
    email: str = Field(max_length=320, pattern=EMAIL_PATTERN)
    code: str = CODE
    password: str = NewPassword
