"""What an administrator does to accounts (list them, set a quota), and what takes an account's space.

The ``*_as`` functions are the web/API doors: they ask the gate for an administrator first. The
plain ones serve the command line, whose user already holds the server's keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, update
from sqlmodel import col, select

from pcs_app.models import FILE, Node, User, Version

from ..access import Actor, account, require_admin
from ..core import Core
from ..errors import InvalidInput, NotFound
from ..tx import write_tx
from .users import normalise_email

MAX_QUOTA = 2**62  # far beyond any disk, still a BIGINT


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
        raise InvalidInput("quota_bytes must be a whole number of bytes, 0 or more (null: unlimited).")
    return quota_bytes


def set_quota(core: Core, who: int | str, quota_bytes: object) -> User:
    """Set an account's quota (``who``: its id or email; None: unlimited). Lowering it below what the
    account holds keeps everything and refuses new bytes until it is back under."""
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
    return user


def set_quota_as(core: Core, actor: Actor, user_id: object, quota_bytes: object) -> AccountInfo:
    require_admin(actor)
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise NotFound("No such account.")
    set_quota(core, user_id, quota_bytes)
    return list_users(core, only=user_id)[0]


@dataclass(frozen=True)
class Usage:
    """What takes an account's space (every version and the trash count; they add up to used_bytes)."""

    used_bytes: int
    quota_bytes: int | None
    files_bytes: int  # current content of the files in use
    versions_bytes: int  # older versions of those files
    trash_bytes: int  # everything in the trash, all versions
    by_type: dict[str, int]  # current content of files in use by kind: image, video, audio, document, other


_TYPES = (
    ("image", "image/%"),
    ("video", "video/%"),
    ("audio", "audio/%"),
)
_DOCUMENTS = ("text/%", "application/pdf", "application/msword", "application/vnd.%", "application/rtf")


def usage(core: Core, actor: Actor) -> Usage:
    """The actor's own usage, broken down (two aggregate queries on the owner's index)."""
    user_id = account(actor).id
    mime = func.coalesce(col(Node.mime_type), "")
    kind = case(
        *[(mime.like(pattern), name) for name, pattern in _TYPES],
        *[(mime.like(p), "document") for p in _DOCUMENTS],
        else_="other",
    )
    with core.db.read() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound("No such account.")
        typed = s.exec(
            select(kind, func.coalesce(func.sum(Node.size), 0))
            .where(Node.owner_id == user_id, Node.kind == FILE, col(Node.trashed_at).is_(None))
            .group_by(kind)
        ).all()
        live = case((col(Node.trashed_at).is_(None), "live"), else_="trash")
        held = dict(
            s.exec(
                select(live, func.coalesce(func.sum(Version.size), 0))
                .join(Node, col(Node.id) == col(Version.node_id))
                .where(Node.owner_id == user_id)
                .group_by(live)
            ).all()
        )
    by_type = {name: 0 for name in ("image", "video", "audio", "document", "other")}
    by_type.update({str(k): int(v) for k, v in typed})
    files = sum(by_type.values())
    return Usage(
        used_bytes=user.used_bytes,
        quota_bytes=user.quota_bytes,
        files_bytes=files,
        versions_bytes=max(int(held.get("live", 0)) - files, 0),
        trash_bytes=int(held.get("trash", 0)),
        by_type=by_type,
    )
