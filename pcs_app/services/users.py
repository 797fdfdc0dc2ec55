"""Accounts: sign-up, sign-in with throttling, and tokens (shown once, stored hashed, revocable)."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from pcs_app.models import FOLDER, ApiToken, Node, Throttle, User, utcnow

from .core import Core
from .errors import Conflict, Forbidden, InvalidInput, NotFound, Throttled, Unauthorized

TOKEN_PREFIX = "pcs_"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")
_hasher = PasswordHasher()  # argon2id with the library's current defaults


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both paths cost the same time."""
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued token: ``secret`` is shown once and never stored."""

    id: str
    secret: str
    user: User
    expires_at: datetime | None


def normalise_email(email: object) -> str:
    if not isinstance(email, str) or not _EMAIL.match(email.strip()) or len(email.strip()) > 320:
        raise InvalidInput("Enter a valid email address.")
    return email.strip().lower()


def _check_password(core: Core, password: object) -> str:
    if not isinstance(password, str):
        raise InvalidInput("Enter a password.")
    if len(password) < core.settings.password_min_length:
        raise InvalidInput(f"Use at least {core.settings.password_min_length} characters for the password.")
    if len(password) > 1024:
        raise InvalidInput("That password is too long (1024 characters at most).")
    return password


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_user(
    core: Core, email: object, password: object, *, is_admin: bool = False, via_admin: bool = False
) -> User:
    """Create an account with its root folder. Refused when sign-up is closed, unless ``via_admin``."""
    if not core.settings.signup_open and not via_admin:
        raise Forbidden("Sign-up is closed on this server. Ask its administrator for an account.")
    email_n = normalise_email(email)
    pw_hash = _hasher.hash(_check_password(core, password))
    try:
        with core.db.write() as s:
            if s.exec(select(User.id).where(User.email == email_n)).first() is not None:
                raise Conflict("An account with that email already exists.")
            user = User(email=email_n, password_hash=pw_hash, is_admin=is_admin)
            s.add(user)
            s.flush()
            root = Node(owner_id=user.id, parent_id=None, name="", name_key="", kind=FOLDER)  # type: ignore[arg-type]
            s.add(root)
            s.flush()
            user.root_id = root.id
            s.add(user)
    except IntegrityError as e:
        raise Conflict("An account with that email already exists.") from e
    return user


def sign_up(
    core: Core, email: object, password: object, client_ip: str | None, *, name: str = "", kind: str = "session"
) -> IssuedToken:
    """Create an account and sign it in: the new user's first token."""
    create_user(core, email, password)
    return sign_in(core, email, password, client_ip, name=name, kind=kind)


def _throttle_state(core: Core, keys: list[tuple[str, int]]) -> None:
    """Raise Throttled when any key has reached its failure limit in the current window."""
    window = timedelta(seconds=core.settings.login_window_seconds)
    now = utcnow()
    with core.db.read() as s:
        rows = s.exec(select(Throttle).where(Throttle.key.in_([k for k, _ in keys]))).all()  # type: ignore[attr-defined]
    limits = dict(keys)
    for row in rows:
        if row.window_start + window > now and row.failures >= limits[row.key]:
            retry = int((row.window_start + window - now).total_seconds()) + 1
            raise Throttled("Too many failed sign-ins. Try again later.", retry_after=retry)


def _record_failure(core: Core, keys: list[str]) -> None:
    window = timedelta(seconds=core.settings.login_window_seconds)
    now = utcnow()
    for attempt in range(3):
        try:
            with core.db.write() as s:
                for key in keys:
                    row = s.get(Throttle, key)
                    if row is None:
                        s.add(Throttle(key=key, failures=1, window_start=now))
                    elif row.window_start + window <= now:
                        row.failures, row.window_start = 1, now
                        s.add(row)
                    else:
                        row.failures += 1
                        s.add(row)
            return
        except IntegrityError:
            if attempt == 2:
                raise


def _clear_failures(core: Core, key: str) -> None:
    with core.db.write() as s:
        row = s.get(Throttle, key)
        if row is not None:
            s.delete(row)


def sign_in(
    core: Core, email: object, password: object, client_ip: str | None, *, name: str = "", kind: str = "session"
) -> IssuedToken:
    """Check the password (throttled per account and per address) and issue a token."""
    email_n = normalise_email(email)
    if not isinstance(password, str) or len(password) > 1024:
        raise Unauthorized("Wrong email or password.")
    acct_key = f"acct:{email_n}"
    keys = [(acct_key, core.settings.login_max_failures_account)]
    if client_ip:
        keys.append((f"ip:{client_ip}", core.settings.login_max_failures_ip))
    _throttle_state(core, keys)
    with core.db.read() as s:
        user = s.exec(select(User).where(User.email == email_n)).first()
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
        ok = user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        _record_failure(core, [k for k, _ in keys])
        raise Unauthorized("Wrong email or password.")
    _clear_failures(core, acct_key)
    if _hasher.check_needs_rehash(user.password_hash):
        with core.db.write() as s:
            u = s.get(User, user.id)
            if u is not None:
                u.password_hash = _hasher.hash(password)
                s.add(u)
    return issue_token(core, user, name=name, kind=kind)


def issue_token(core: Core, user: User, *, name: str = "", kind: str = "api") -> IssuedToken:
    if not isinstance(name, str) or len(name) > 100:
        raise InvalidInput("A token name is at most 100 characters.")
    if kind not in ("api", "session"):
        raise InvalidInput("Unknown token kind.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=core.settings.token_ttl_days) if core.settings.token_ttl_days > 0 else None
    tok = ApiToken(user_id=user.id, token_hash=hash_token(secret), name=name, kind=kind, expires_at=expires)  # type: ignore[arg-type]
    with core.db.write() as s:
        s.add(tok)
    return IssuedToken(tok.id, secret, user, expires)


def authenticate(core: Core, secret: object) -> tuple[User, ApiToken]:
    """The user behind a bearer token; Unauthorized when unknown, expired or revoked."""
    if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        raise Unauthorized("Sign in first: the token is missing or malformed.")
    now = utcnow()
    with core.db.read() as s:
        row = s.exec(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == hash_token(secret))
        ).first()
    if row is None:
        raise Unauthorized("That token is not valid.")
    tok, user = row
    if tok.revoked_at is not None:
        raise Unauthorized("That token was revoked.")
    if tok.expires_at is not None and tok.expires_at <= now:
        raise Unauthorized("That token has expired. Sign in again.")
    if tok.last_used_at is None or now - tok.last_used_at > timedelta(minutes=5):
        # Written at most every few minutes so reads stay reads.
        with core.db.write() as s:
            t = s.get(ApiToken, tok.id)
            if t is not None:
                t.last_used_at = now
                s.add(t)
    return user, tok


def list_tokens(core: Core, user: User) -> list[ApiToken]:
    with core.db.read() as s:
        return list(
            s.exec(
                select(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))  # type: ignore[union-attr]
                .order_by(ApiToken.created_at.desc())  # type: ignore[attr-defined]
            ).all()
        )


def revoke_token(core: Core, user: User, token_id: object) -> None:
    """Revoke one of the user's own tokens; another user's id is 'not found'."""
    with core.db.write() as s:
        tok = s.get(ApiToken, token_id) if isinstance(token_id, str) and len(token_id) <= 32 else None
        if tok is None or tok.user_id != user.id or tok.revoked_at is not None:
            raise NotFound("No such token.")
        tok.revoked_at = utcnow()
        s.add(tok)


def get_user(core: Core, user_id: int) -> User:
    with core.db.read() as s:
        user = s.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user
