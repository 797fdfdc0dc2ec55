"""Tokens: a secret shown once, stored as its sha256, expiring, revocable. Sign-in sessions are tokens too."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import col, select

from pcs_app.models import ApiToken, User, looks_like_id, utcnow

from .. import audit
from ..core import Core
from ..errors import InvalidInput, NotFound, Unauthorized
from ..usage import events

TOKEN_PREFIX = "pcs_"
KINDS = ("api", "session")
SESSION_COOKIE = "pcs_session"  # the web app's session token travels in this HttpOnly cookie


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued token: ``secret`` is shown once and never stored."""

    id: str
    secret: str
    user: User
    expires_at: datetime | None


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def lifetime(core: Core) -> timedelta | None:
    """How long a new token lives (None: until revoked)."""
    days = core.settings.token_ttl_days
    return timedelta(days=days) if days > 0 else None


def issue_token(core: Core, user: User, *, name: object = "", kind: object = "api") -> IssuedToken:
    if not isinstance(name, str) or len(name) > 100:
        raise InvalidInput("A token name is at most 100 characters.")
    if not isinstance(kind, str) or kind not in KINDS:
        raise InvalidInput("Unknown token kind.")
    if user.id is None:
        raise NotFound("No such account.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ttl = lifetime(core)
    expires = utcnow() + ttl if ttl is not None else None
    tok = ApiToken(user_id=user.id, token_hash=hash_token(secret), name=name, kind=kind, expires_at=expires)
    r = _row("token.issue", user, tok)
    with core.db.write() as s:
        s.add(tok)
        audit.write(s, [r])
    audit.emit(core, [r])
    return IssuedToken(tok.id, secret, user, expires)


def _row(action: str, user: User, tok: ApiToken) -> dict[str, Any]:
    ctx = audit.current()
    # A token is issued before the request knows its account: the address is the request's all the same.
    by = audit.Who(user.id, user.email, ctx.address if ctx else None, ctx.user_agent if ctx else None)
    return audit.row(
        action, by, target_type="token", target_id=tok.id, target=tok.name, owner_id=user.id, detail={"kind": tok.kind}
    )


# Built once: every API request runs it.
_BY_HASH = (
    select(ApiToken, User)
    .join(User, col(User.id) == col(ApiToken.user_id))
    .where(col(ApiToken.token_hash) == bindparam("token_hash"))
)


def authenticate(core: Core, secret: object) -> tuple[User, ApiToken]:
    """The user behind a bearer token; Unauthorized when unknown, expired or revoked."""
    if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        raise Unauthorized("Sign in first: the token is missing or malformed.")
    now = utcnow()
    with core.db.read() as s:
        row = s.exec(_BY_HASH, params={"token_hash": hash_token(secret)}).first()
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
    events.active(core, user)  # daily active users (counted once a day per process)
    return user, tok


def list_tokens(core: Core, user: User) -> list[ApiToken]:
    with core.db.read() as s:
        return list(
            s.exec(
                select(ApiToken)
                .where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
                .order_by(col(ApiToken.created_at).desc())
            ).all()
        )


def revoke_token(core: Core, user: User, token_id: object) -> None:
    """Revoke one of the user's own tokens; another user's id is 'not found'."""
    with core.db.write() as s:
        tok = s.get(ApiToken, token_id) if looks_like_id(token_id) else None
        if tok is None or tok.user_id != user.id or tok.revoked_at is not None:
            raise NotFound("No such token.")
        tok.revoked_at = utcnow()
        s.add(tok)
        r = _row("token.revoke", user, tok)
        audit.write(s, [r])
    audit.emit(core, [r])


def sign_out(core: Core, secret: object) -> None:
    """Revoke the token whose secret this is (a sign-out); nothing happens when it is already unusable."""
    try:
        user, tok = authenticate(core, secret)
    except Unauthorized:
        return
    revoke_token(core, user, tok.id)
