"""What an administrator does to accounts (list them, set a quota), and what takes an account's space.

The ``*_as`` functions are the web/API doors: they ask the gate for an administrator first. The
plain ones serve the command line, whose user already holds the server's keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, update
from sqlmodel import col, select

from pcs_app.models import FILE, Node, User, Version

from .. import audit
from ..access import Actor, account, require_admin
from ..core import Core
from ..errors import InvalidInput, NotFound
from ..tx import write_tx
from ..usage.categories import TYPES
from ..usage.dashboard import live_counts
from .users import normalise_email

MAX_QUOTA = 2**50  # 1 PiB: far beyond any disk, and exact as a JSON number


@dataclass(frozen=True)
class AccountInfo:
    id: int
    email: str
    is_admin: bool
    used_bytes: int
    quota_bytes: int | None
    files: int


def list_users(core: Core, only: int | None = None) -> list[AccountInfo]:
    """Every account (``only``: the one with that id), by email."""
    files = (
        select(Node.owner_id, func.count().label("n"))
        .where(Node.kind == FILE, col(Node.trashed_at).is_(None))
        .group_by(col(Node.owner_id))
        .subquery()
    )
    with core.db.read() as s:
        rows = s.exec(
            select(User, func.coalesce(files.c.n, 0))
            .outerjoin(files, files.c.owner_id == col(User.id))
            .where(True if only is None else col(User.id) == only)
            .order_by(col(User.email))
        ).all()
    return [AccountInfo(u.id or 0, u.email, u.is_admin, u.used_bytes, u.quota_bytes, int(n)) for u, n in rows]


def list_users_as(core: Core, actor: Actor) -> list[AccountInfo]:
    require_admin(actor)
    return list_users(core)


def check_quota(quota_bytes: object) -> int | None:
    if quota_bytes is None:
        return None
    if not isinstance(quota_bytes, int) or isinstance(quota_bytes, bool) or not 0 <= quota_bytes <= MAX_QUOTA:
        raise InvalidInput("quota_bytes must be a whole number of bytes, from 0 to 1 PiB (null: unlimited).")
    return quota_bytes


def set_quota(core: Core, who: int | str, quota_bytes: object, *, by: User | None = None) -> User:
    """Set an account's quota (``who``: its id or email; None: unlimited). Lowering it below what the
    account holds keeps everything and refuses new bytes until it is back under. ``by``: the
    administrator who does it (None: the command line)."""
    quota = check_quota(quota_bytes)
    with core.db.read() as s:
        if isinstance(who, int) and not isinstance(who, bool):
            user_id = s.exec(select(User.id).where(User.id == who)).first()
        else:
            user_id = s.exec(select(User.id).where(User.email == normalise_email(who))).first()
    if user_id is None:
        raise NotFound("No such account.")
    with write_tx(core, user_id) as tx:  # the lock uploads take: none is half-way through a check
        tx.s.exec(update(User).where(col(User.id) == user_id).values(quota_bytes=quota))
        user = tx.s.get(User, user_id)
        if user is None:
            raise NotFound("No such account.")
        tx.s.refresh(user)
        tx.ledger.note(
            audit.row(
                "quota.change",
                audit.who(by) if by is not None else audit.who(),
                target_type="account",
                target_id=str(user_id),
                target=user.email,
                owner_id=user_id,
                detail={"from": tx.quota_bytes, "to": quota},
            )
        )
    return user


def set_quota_as(core: Core, actor: Actor, user_id: object, quota_bytes: object) -> AccountInfo:
    admin = require_admin(actor)
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise NotFound("No such account.")
    set_quota(core, user_id, quota_bytes, by=admin)
    return list_users(core, only=user_id)[0]


@dataclass(frozen=True)
class Usage:
    """What takes an account's space (every version and the trash count; they add up to used_bytes)."""

    used_bytes: int
    quota_bytes: int | None
    files_bytes: int  # current content of the files in use
    versions_bytes: int  # older versions of those files
    trash_bytes: int  # everything in the trash, all versions
    by_type: dict[str, int]  # current content of files in use by kind: image, video, audio, document, archive, other


def usage(core: Core, actor: Actor) -> Usage:
    """The actor's own usage, broken down: the live counters by type (services/usage), and one
    aggregate query over the owner's versions for the older versions and the trash."""
    user_id = account(actor).id or 0
    with core.db.read() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound("No such account.")
        live = live_counts(s, [user_id])[user_id]
        state = case((col(Node.trashed_at).is_(None), "live"), else_="trash")
        held = dict(
            s.exec(
                select(state, func.coalesce(func.sum(Version.size), 0))
                .join(Node, col(Node.id) == col(Version.node_id))
                .where(Node.owner_id == user_id)
                .group_by(state)
            ).all()
        )
    by_type: dict[str, int] = dict.fromkeys(TYPES, 0)
    for item, (_, size) in live.items():
        kind = item.partition("/")[0]
        by_type[kind] = by_type.get(kind, 0) + size
    files = sum(by_type.values())
    return Usage(
        used_bytes=user.used_bytes,
        quota_bytes=user.quota_bytes,
        files_bytes=files,
        versions_bytes=max(int(held.get("live", 0)) - files, 0),
        trash_bytes=int(held.get("trash", 0)),
        by_type=by_type,
    )


def promote(core: Core, email: object) -> User:
    """Make an existing account an administrator (the command line's create-admin with Cognito, where
    PCS cannot create the password: the account signs up through the app first)."""
    email_n = normalise_email(email)
    with core.db.write() as s:
        user = s.exec(select(User).where(User.email == email_n)).first()
        if user is None:
            raise NotFound("No account with that email here yet: sign up through the app first, then run this again.")
        user.is_admin = True
        s.add(user)
        s.flush()
        s.refresh(user)
    audit.record_now(core, "account.promote", target_type="account", target=email_n, owner_id=user.id)
    return user
