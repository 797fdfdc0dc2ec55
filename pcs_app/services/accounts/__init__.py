"""Accounts, sign-in limits, tokens, quotas and usage."""

from .admin import AccountInfo, Usage, list_users, list_users_as, set_quota, set_quota_as, usage
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
    "AccountInfo",
    "IssuedToken",
    "Usage",
    "authenticate",
    "check_password",
    "create_user",
    "get_user",
    "hash_token",
    "issue_token",
    "lifetime",
    "list_tokens",
    "list_users",
    "list_users_as",
    "normalise_email",
    "revoke_token",
    "set_quota",
    "set_quota_as",
    "sign_in",
    "sign_out",
    "sign_up",
    "usage",
]
