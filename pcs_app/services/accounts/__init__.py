"""Accounts, sign-in limits and tokens."""

from .tokens import (
    SESSION_COOKIE,
    TOKEN_PREFIX,
    IssuedToken,
    authenticate,
    hash_token,
    issue_token,
    lifetime,
    list_tokens,
    revoke_token,
    sign_out,
)
from .users import (
    EMAIL_PATTERN,
    check_password,
    create_user,
    get_user,
    normalise_email,
    sign_in,
    sign_up,
)

__all__ = [
    "EMAIL_PATTERN",
    "SESSION_COOKIE",
    "TOKEN_PREFIX",
    "IssuedToken",
    "authenticate",
    "check_password",
    "create_user",
    "get_user",
    "hash_token",
    "issue_token",
    "lifetime",
    "list_tokens",
    "normalise_email",
    "revoke_token",
    "sign_in",
    "sign_out",
    "sign_up",
]
