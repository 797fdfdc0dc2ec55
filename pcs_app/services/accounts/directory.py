"""Accounts whose passwords an external directory keeps (PCS_AUTH=cognito: an Amazon Cognito user pool).

The directory owns the password, the sign-up confirmation code and the password-reset code. PCS keeps
its own ``user`` row — it owns the files, quota and shares — linked by the directory's ``sub``
(``User.external_id``), and after a sign-in issues its own token exactly as with local accounts, so
nothing past sign-in knows which kind of account it serves. The sign-in throttle and the audit events
stay where they are (``users.sign_in``, ``passwords``); this module only talks to the directory and
turns its answers into the app's errors.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TypeVar

from sqlmodel import select

from pcs_app.adapters.auth import (
    BadCode,
    BadCredentials,
    ChallengeRequired,
    ExternalTokens,
    IdentityError,
    IdentityProvider,
    InvalidRequest,
    InvalidToken,
    NotConfirmed,
    ProviderUnavailable,
    TooManyAttempts,
    UnknownUser,
    UserExists,
    WeakPassword,
)
from pcs_app.models import User

from ..core import Core
from ..errors import Conflict, Forbidden, InvalidInput, PCSError, Throttled, Unauthorized, Unavailable

log = logging.getLogger(__name__)
T = TypeVar("T")
EXTERNAL_PASSWORD = "!external"  # User.password_hash of a directory account: no argon2 hash, no local password
# How long to wait after the directory's own attempt limit, when it does not say (Cognito never does).
DIRECTORY_RETRY_SECONDS = 60
CODE_PATTERN = r"^\S{1,64}$"  # Cognito's codes are 6 digits; stand-ins use longer ones (moto's have a prefix)
_CODE = re.compile(CODE_PATTERN)


class AccountNotConfirmed(Forbidden):
    """The account exists in the directory, but the code it mailed at sign-up was never entered."""

    code = "not_confirmed"


class UnsupportedStep(Forbidden):
    """The directory asks for a sign-in step PCS does not offer (MFA, a forced new password)."""

    code = "unsupported_step"


class BadCodeError(InvalidInput):
    code = "invalid_code"


class OtherAuthMode(Conflict):
    """A flow of the other kind of account: e.g. a reset link on a server whose passwords Cognito keeps."""

    code = "auth_mode"


def provider(core: Core) -> IdentityProvider:
    idp = core.identity
    if idp is None:
        raise OtherAuthMode("This server has local accounts: it sends no codes (PCS_AUTH=local).")
    return idp


def call(fn: Callable[[], T]) -> T:
    """Run a directory call; its errors become the app's (wrong password 401, directory down 503, …)."""
    try:
        return fn()
    except IdentityError as e:
        raise as_app_error(e) from e


def _said(e: IdentityError) -> str:
    """The directory's own words, without its error code (``"InvalidPasswordException: …"``)."""
    text = str(e)
    return text.split(": ", 1)[1] if ": " in text else text


def as_app_error(e: IdentityError) -> PCSError:
    if isinstance(e, BadCredentials):
        return Unauthorized("Wrong email or password.")
    if isinstance(e, NotConfirmed):
        return AccountNotConfirmed("Confirm your email first: enter the code we emailed you when you signed up.")
    if isinstance(e, UserExists):
        return Conflict("An account with that email already exists.")
    if isinstance(e, WeakPassword):
        return InvalidInput(f"Choose a stronger password: {_said(e)}")
    if isinstance(e, BadCode | UnknownUser):  # an unknown email looks like a wrong code: accounts cannot be probed
        return BadCodeError("That code is wrong or has expired. Ask for a new one.")
    if isinstance(e, TooManyAttempts):
        return Throttled("Too many attempts. Wait a minute, then try again.", retry_after=DIRECTORY_RETRY_SECONDS)
    if isinstance(e, ChallengeRequired):
        return UnsupportedStep(f"This account needs a sign-in step PCS does not offer ({e.challenge}).")
    if isinstance(e, InvalidRequest):
        return InvalidInput(_said(e))
    if isinstance(e, InvalidToken):  # the directory's own fresh tokens do not verify: a configuration fault
        log.error("tokens from the identity provider do not verify: %s", e)
        return Unavailable("Sign-in is misconfigured on this server; its administrator has been told.")
    if not isinstance(e, ProviderUnavailable):
        log.error("unexpected answer from the identity provider: %s", e)
    return Unavailable("The sign-in service is not answering. Try again shortly.")


def register(core: Core, email: str, password: str) -> tuple[str, bool]:
    """Create the directory account (it mails a code unless it confirms by itself): its sub, and whether confirmed."""
    ext = call(lambda: provider(core).sign_up(email, password))
    return ext.sub, ext.confirmed


def _code(code: object) -> str:
    if not isinstance(code, str) or not _CODE.match(code):
        raise BadCodeError("Enter the code from the email.")
    return code


def confirm_sign_up(core: Core, email: str, code: object) -> None:
    idp = provider(core)
    good = _code(code)
    call(lambda: idp.confirm_sign_up(email, good))


def check(core: Core, email: str, password: str) -> tuple[str, str, ExternalTokens] | None:
    """Ask the directory whether the password is right: (sub, email, tokens) with the tokens verified
    against the pool's keys, or None for a wrong email or password. Other failures raise app errors."""
    idp = provider(core)
    try:
        tokens = idp.sign_in(email, password)
    except BadCredentials:
        return None
    except IdentityError as e:
        raise as_app_error(e) from e
    who = call(lambda: idp.verify(tokens.id_token))
    return who.sub, who.email.lower(), tokens


def local_user(core: Core, sub: str, email: str) -> User:
    """The local account of directory user ``sub``: found by sub, else an older account of that email is
    linked (the directory proved the email), else one is created with its root folder."""
    from .users import create_user  # users dispatches here: imported late to keep the import graph a tree

    with core.db.write() as s:
        user = s.exec(select(User).where(User.external_id == sub)).first()
        if user is not None:
            return user
        user = s.exec(select(User).where(User.email == email)).first()
        if user is not None:
            if user.external_id is not None:  # the directory re-created the email after deleting its account
                raise Conflict("That email belongs to another account here. Ask the administrator.")
            user.external_id, user.password_hash = sub, EXTERNAL_PASSWORD
            s.add(user)
            return user
    try:
        return create_user(core, email, None, via_admin=True, external_id=sub)
    except Conflict:  # a concurrent first sign-in created it
        with core.db.read() as s:
            found = s.exec(select(User).where(User.external_id == sub)).first()
        if found is None:
            raise
        return found


def change_password(core: Core, tokens: ExternalTokens, current: str, new: str) -> None:
    call(lambda: provider(core).change_password(tokens.access_token, current, new))


def request_reset(core: Core, email: str) -> str:
    """Have the directory mail a reset code; the outcome for the audit log (never shown to the caller)."""
    try:
        provider(core).forgot_password(email)
    except (UnknownUser, InvalidRequest, NotConfirmed):  # said the same way as a sent code
        return "not_sent"
    except TooManyAttempts:
        return "throttled"
    except IdentityError as e:
        raise as_app_error(e) from e
    return "ok"


def confirm_reset(core: Core, email: str, code: object, password: str) -> None:
    idp = provider(core)
    good = _code(code)
    call(lambda: idp.confirm_forgot_password(email, good, password))


def delete(core: Core, email: str) -> None:
    """Delete the directory account (an administrator's call: the app's role needs AdminDeleteUser)."""
    try:
        provider(core).admin_delete_user(email)
    except UnknownUser:
        return
    except IdentityError as e:
        raise as_app_error(e) from e
