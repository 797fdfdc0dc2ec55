"""Changing a password (with the current one), and "forgot password": a single-use link by mail.

A reset link carries a random secret; only its sha256 is stored, with an expiry
(PCS_PASSWORD_RESET_MINUTES). Using it sets the new password, spends every other link of the
account, and ends every session (whoever had the old password is signed out). Asking for a link
answers the same whether the email has an account or not; requests are limited per client address
(429) and, silently, per account (PCS_PASSWORD_RESET_MAX_PER_HOUR).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from pcs_app.adapters.auth import ExternalTokens
from pcs_app.models import ApiToken, PasswordReset, Throttle, User, utcnow

from .. import audit
from ..core import Core
from ..errors import Forbidden, InvalidInput, Throttled
from ..notify import triggers
from . import directory, throttle
from .users import MAX_PASSWORD, check_password, normalise_email

RESET_PREFIX = "pcsr_"
RESET_PATTERN = r"^pcsr_[A-Za-z0-9_-]{43}$"
_RESET = re.compile(RESET_PATTERN)
_WINDOW = timedelta(hours=1)
_hasher = PasswordHasher()


class BadResetToken(InvalidInput):
    code = "invalid_token"


class WrongPassword(Forbidden):
    """The current password, asked again before a change that needs it, was wrong."""

    code = "wrong_password"


def _user(actor: object) -> User:
    if not isinstance(actor, User) or actor.id is None:
        raise Forbidden("This needs an account: sign in first.")
    return actor


def verify(core: Core, user: User, password: object, address: str | None) -> ExternalTokens | None:
    """Check the account's password again (before a change that needs it), throttled as sign-ins are.
    With Cognito the directory checks it, and the tokens of that sign-in are returned."""
    keys = throttle.sign_in_keys(core, user.email, address)
    throttle.check_sign_in(core, keys, throttle.is_known(core, user.id, address))
    with core.db.read() as s:
        stored = s.exec(select(User.password_hash).where(User.id == user.id)).one()
    tokens = None
    if core.identity is not None:
        found = None
        if isinstance(password, str) and len(password) <= MAX_PASSWORD and stored == directory.EXTERNAL_PASSWORD:
            found = directory.check(core, user.email, password)
        ok = found is not None and found[0] == user.external_id
        tokens = found[2] if found else None
    else:
        try:
            ok = isinstance(password, str) and len(password) <= MAX_PASSWORD and _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            ok = False
    if not ok:
        throttle.record_failure(core, keys)
        raise WrongPassword("That is not your current password.")
    return tokens


def _end_sessions(s: Session, user_id: int, keep: str | None) -> None:
    q = update(ApiToken).where(col(ApiToken.user_id) == user_id, col(ApiToken.revoked_at).is_(None))
    if keep is not None:
        q = q.where(col(ApiToken.id) != keep)
    s.exec(q.values(revoked_at=utcnow()))


def change_password(
    core: Core,
    actor: object,
    current: object,
    new: object,
    address: str | None = None,
    *,
    keep_token: str | None = None,
) -> None:
    """Set a new password (the current one is needed); every other session and token ends."""
    user = _user(actor)
    tokens = verify(core, user, current, address)
    new_pw = check_password(core, new)
    if tokens is not None:  # Cognito keeps it: change it there (verify proved `current` is a str)
        directory.change_password(core, tokens, str(current), new_pw)
    with core.db.write() as s:
        if tokens is None:
            s.exec(update(User).where(col(User.id) == user.id).values(password_hash=_hasher.hash(new_pw)))
        _end_sessions(s, user.id or 0, keep_token)
    audit.record_now(core, "password.change", user, target_type="account", target=user.email, owner_id=user.id)


def request_reset(core: Core, email: object, address: str | None) -> None:
    """Mail a reset link if the email has an account. Says nothing either way (Throttled per address)."""
    email_n = normalise_email(email)
    now = utcnow()
    limit = core.settings.password_reset_max_per_hour
    if core.identity is not None:
        with core.db.write() as s:
            _count_request(core, s, address, now)
            user = s.exec(select(User).where(User.email == email_n)).first()
        # Cognito mails the code (and limits requests per account itself).
        _audit_request(core, email_n, user, directory.request_reset(core, email_n), address)
        return
    with core.db.write() as s:
        _count_request(core, s, address, now)
        user = s.exec(select(User).where(User.email == email_n)).first()
        outcome = "unknown_account" if user is None else "ok"
        secret = RESET_PREFIX + secrets.token_urlsafe(32)
        if user is not None:
            recent = s.exec(
                select(func.count()).where(PasswordReset.user_id == user.id, PasswordReset.created_at > now - _WINDOW)
            ).one()
            if recent >= limit:
                outcome = "throttled"  # quietly: the answer must not tell that the account exists
            else:
                ttl = timedelta(minutes=core.settings.password_reset_minutes)
                s.add(PasswordReset(user_id=user.id or 0, token_hash=_digest(secret), expires_at=now + ttl))
    if user is not None and outcome == "ok":
        triggers.password_reset(core, user, secret)
    _audit_request(core, email_n, user, outcome, address)


def _count_request(core: Core, s: Session, address: str | None, now: datetime) -> None:
    """Count a reset request against the client address's hourly limit (Throttled past it)."""
    key = f"reset:{throttle.address_hash(core, address or '')}"
    row = s.get(Throttle, key) or Throttle(key=key, failures=0, window_start=now)
    if row.window_start + _WINDOW <= now:
        row.failures, row.window_start = 0, now
    if row.failures >= core.settings.password_reset_max_per_hour:
        wait = int((row.window_start + _WINDOW - now).total_seconds()) + 1
        raise Throttled("Too many reset requests from here. Try again later.", retry_after=wait)
    row.failures += 1
    s.add(row)


def _audit_request(core: Core, email_n: str, user: User | None, outcome: str, address: str | None) -> None:
    by = audit.Who(user.id if user else None, email_n, address, _agent())
    r = audit.row(
        "password.reset_request",
        by,
        outcome=outcome,
        target_type="account",
        target=email_n,
        owner_id=user.id if user else None,
    )
    with core.db.write() as s:
        audit.write(s, [r])
    audit.emit(core, [r])


def _agent() -> str | None:
    ctx = audit.current()
    return ctx.user_agent if ctx else None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def confirm_reset(core: Core, token: object, password: object, address: str | None = None) -> User:
    """Use a reset link: the new password is set, the link and its siblings are spent, sessions end."""
    if core.identity is not None:
        raise directory.OtherAuthMode(
            "Passwords on this server are kept by Amazon Cognito: reset yours with the code it mailed you "
            "(POST /api/v1/auth/password-reset/code)."
        )
    if not isinstance(token, str) or not _RESET.match(token):
        raise BadResetToken("That reset link is not valid. Ask for a new one.")
    new_hash = _hasher.hash(check_password(core, password))
    now = utcnow()
    with core.db.write() as s:
        reset = s.exec(select(PasswordReset).where(PasswordReset.token_hash == _digest(token))).first()
        if reset is None or reset.used_at is not None or reset.expires_at <= now:
            raise BadResetToken("That reset link was used already or has expired. Ask for a new one.")
        user = s.get(User, reset.user_id)
        if user is None:
            raise BadResetToken("That reset link is not valid. Ask for a new one.")
        s.exec(
            update(PasswordReset)
            .where(col(PasswordReset.user_id) == user.id, col(PasswordReset.used_at).is_(None))
            .values(used_at=now)
        )
        s.exec(update(User).where(col(User.id) == user.id).values(password_hash=new_hash))
        _end_sessions(s, user.id or 0, None)
        _forgive(s, user.email)
    _audit_reset(core, user, address)
    return user


def _forgive(s: Session, email: str) -> None:
    """The owner proved they hold the mailbox: forget the failed sign-ins that may lock them out."""
    s.exec(delete(Throttle).where(col(Throttle.key).startswith(f"pair:{email}|", autoescape=True)))
    s.exec(delete(Throttle).where(col(Throttle.key) == f"acct:{email}"))


def confirm_reset_code(core: Core, email: object, code: object, password: object, address: str | None = None) -> None:
    """Set a new password with the code Cognito mailed (PCS_AUTH=cognito); every session then ends."""
    email_n = normalise_email(email)
    directory.provider(core)  # 409 with local accounts, whatever else the request says
    new_pw = check_password(core, password)
    directory.confirm_reset(core, email_n, code, new_pw)
    with core.db.write() as s:
        user = s.exec(select(User).where(User.email == email_n)).first()
        if user is not None:
            _end_sessions(s, user.id or 0, None)
        _forgive(s, email_n)
    if user is not None:
        _audit_reset(core, user, address)


def _audit_reset(core: Core, user: User, address: str | None) -> None:
    by = audit.Who(user.id, user.email, address, _agent())
    r = audit.row("password.reset", by, target_type="account", target=user.email, owner_id=user.id)
    with core.db.write() as s:
        audit.write(s, [r])
    audit.emit(core, [r])
