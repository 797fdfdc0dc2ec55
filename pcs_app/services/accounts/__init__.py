"""Accounts, sign-in limits, tokens, quotas and usage."""

from .admin import AccountInfo, Usage, list_users, list_users_as, set_quota, set_quota_as, usage
from .deletion import DeletionReport, delete_account, request_deletion
from .devices import device_label
from .passwords import RESET_PATTERN, BadResetToken, WrongPassword, change_password, confirm_reset, request_reset
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
    "RESET_PATTERN",
    "SESSION_COOKIE",
    "TOKEN_PREFIX",
    "AccountInfo",
    "BadResetToken",
    "DeletionReport",
    "IssuedToken",
    "Usage",
    "WrongPassword",
    "authenticate",
    "change_password",
    "check_password",
    "confirm_reset",
    "create_user",
    "delete_account",
    "device_label",
    "get_user",
    "hash_token",
    "issue_token",
    "lifetime",
    "list_tokens",
    "list_users",
    "list_users_as",
    "normalise_email",
    "request_deletion",
    "request_reset",
    "revoke_token",
    "set_quota",
    "set_quota_as",
    "sign_in",
    "sign_out",
    "sign_up",
    "usage",
]
