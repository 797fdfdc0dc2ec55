"""SQLModel tables. Sizes are BIGINT; times are timezone-aware UTC."""

# SQLModel types __tablename__ as a declared_attr, yet documents (and accepts) a plain string for it.
# pyright: reportIncompatibleVariableOverride=false

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import ClassVar, Literal

from sqlalchemy import BigInteger, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

FOLDER = "dir"  # stored value; sorts before "file", so folders list first
FILE = "file"
KindName = Literal["folder", "file"]
ID_LENGTH = 16
ID_PATTERN = rf"^[A-Za-z0-9_-]{{{ID_LENGTH}}}$"
_ID = re.compile(ID_PATTERN)


def kind_name(kind: str) -> KindName:
    """The public name of a stored kind: "folder" or "file" (the API and the UI say these)."""
    return "folder" if kind == FOLDER else "file"


def looks_like_id(value: object) -> bool:
    """Whether ``value`` has the shape of an id we hand out (checked before any query: no NUL reaches SQL)."""
    return isinstance(value, str) and _ID.match(value) is not None


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A random public id: 16 URL-safe characters (96 bits), guessing one is hopeless."""
    return secrets.token_urlsafe(ID_LENGTH * 3 // 4)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    is_admin: bool = False
    root_id: str | None = Field(default=None, max_length=32)
    change_seq: int = Field(default=0, sa_type=BigInteger)
    used_bytes: int = Field(default=0, sa_type=BigInteger)
    quota_bytes: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    __tablename__: ClassVar[str] = "api_token"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    name: str = Field(default="", max_length=100)
    kind: str = Field(default="api", max_length=16)  # api | session
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class Throttle(SQLModel, table=True):
    """Failures counted under one key (an account, an address, or the pair) in the current window."""

    key: str = Field(primary_key=True, max_length=400)
    failures: int = 0
    window_start: datetime = Field(default_factory=utcnow)
    blocked_until: datetime | None = None


class KnownAddress(SQLModel, table=True):
    """An address (stored as a keyed hash) that has signed in to an account before."""

    __tablename__: ClassVar[str] = "known_address"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    address_hash: str = Field(primary_key=True, max_length=64)
    first_seen: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)


class Blob(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    size: int = Field(sa_type=BigInteger)
    s3_key: str = Field(max_length=200, unique=True)
    refcount: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class Node(SQLModel, table=True):
    __table_args__ = (
        # One live entry per name (case-insensitive) in a folder; trashed ones may repeat.
        Index(
            "uq_node_live_name",
            "parent_id",
            "name_key",
            unique=True,
            sqlite_where=text("trashed_at IS NULL"),
            postgresql_where=text("trashed_at IS NULL"),
        ),
        Index(
            "ix_node_list_name",
            "parent_id",
            "kind",
            "name_key",
            "id",
            sqlite_where=text("trashed_at IS NULL"),
            postgresql_where=text("trashed_at IS NULL"),
        ),
        Index(
            "ix_node_list_size",
            "parent_id",
            "kind",
            "size",
            "id",
            sqlite_where=text("trashed_at IS NULL"),
            postgresql_where=text("trashed_at IS NULL"),
        ),
        # The trash, newest first, a page at a time.
        Index(
            "ix_node_trash",
            "owner_id",
            "trashed_at",
            "id",
            sqlite_where=text("trash_root"),
            postgresql_where=text("trash_root"),
        ),
        Index(
            "ix_node_list_modified",
            "parent_id",
            "kind",
            "modified_at",
            "id",
            sqlite_where=text("trashed_at IS NULL"),
            postgresql_where=text("trashed_at IS NULL"),
        ),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: int = Field(foreign_key="user.id", index=True)
    parent_id: str | None = Field(default=None, foreign_key="node.id")
    name: str = Field(max_length=1024)
    name_key: str = Field(max_length=1024)
    kind: str = Field(max_length=8)
    size: int = Field(default=0, sa_type=BigInteger)
    mime_type: str | None = Field(default=None, max_length=200)
    sha256: str | None = Field(default=None, max_length=64)
    version_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)
    trashed_at: datetime | None = Field(default=None, index=True)
    # True on the item the user put in the trash; its descendants carry the same trashed_at.
    trash_root: bool = False
    # Where a trash root was: the names of its folders from the owner's root ("/Photos/2024"), so a
    # restore can put it back even if those folders are gone by then.
    trashed_from: str | None = Field(default=None, max_length=4096)


class Version(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    node_id: str = Field(foreign_key="node.id", index=True, max_length=32)
    blob_id: int = Field(foreign_key="blob.id", index=True)
    size: int = Field(sa_type=BigInteger)
    sha256: str = Field(max_length=64)
    mime_type: str | None = Field(default=None, max_length=200)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    pinned: bool = False  # kept whatever the retention rules say


class Change(SQLModel, table=True):
    """One row per metadata change, written in the same transaction; (user_id, seq) is the feed cursor."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    seq: int = Field(primary_key=True, sa_type=BigInteger)
    node_id: str = Field(max_length=32)
    kind: str = Field(max_length=16)  # created | updated | renamed | moved | trashed | restored
    parent_id: str | None = Field(default=None, max_length=32)
    name: str | None = Field(default=None, max_length=1024)
    node_kind: str = Field(default=FILE, max_length=8)
    created_at: datetime = Field(default_factory=utcnow)


class UploadSession(SQLModel, table=True):
    __tablename__: ClassVar[str] = "upload_session"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: int = Field(foreign_key="user.id", index=True)
    parent_id: str = Field(max_length=32)
    name: str = Field(max_length=1024)
    size: int = Field(sa_type=BigInteger)
    sha256: str | None = Field(default=None, max_length=64)
    on_conflict: str = Field(default="fail", max_length=16)
    s3_key: str = Field(max_length=200)
    s3_upload_id: str = Field(max_length=1024)
    part_size: int = Field(sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class Thumbnail(SQLModel, table=True):
    """What became of one content's thumbnails, keyed by its sha256 (no row yet: pending)."""

    sha256: str = Field(primary_key=True, max_length=64)
    status: str = Field(max_length=8)  # ready | none
    sizes: str = Field(default="", max_length=64)  # comma-separated edge lengths stored, e.g. "256,1024"
    reason: str | None = Field(default=None, max_length=32)  # why none: unsupported, corrupt, too_large, ...
    width: int | None = None
    height: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class JobFailure(SQLModel, table=True):
    """A background job that failed all its attempts, kept so it is seen (``pcs jobs failed``) and can be retried."""

    __tablename__: ClassVar[str] = "job_failure"

    id: int | None = Field(default=None, primary_key=True)
    task_id: str = Field(max_length=64, unique=True)
    job: str = Field(max_length=100, index=True)
    subject: str | None = Field(default=None, max_length=200, index=True)  # first argument, e.g. a sha256
    args: str = Field(default="[]", max_length=4000)  # JSON
    attempts: int = 1
    error: str = Field(default="", max_length=2000)
    traceback: str = Field(default="", max_length=20000)
    failed_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None


class ShareLink(SQLModel, table=True):
    """A link that opens a file or folder to whoever holds its token (no account needed).

    The token is never stored: it is HMAC(server secret, id + salt), so the owner can copy it again
    while a dump of the database alone opens nothing; ``token_hash`` (its sha256) finds the row.
    """

    __tablename__: ClassVar[str] = "share_link"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    node_id: str = Field(foreign_key="node.id", index=True, max_length=32)
    owner_id: int = Field(foreign_key="user.id", index=True)
    salt: str = Field(default_factory=lambda: secrets.token_urlsafe(12), max_length=32)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime | None = None
    password_hash: str | None = Field(default=None, max_length=255)
    # Bumped when the password changes, so access tokens issued for the old one stop working.
    password_version: int = 0
    max_downloads: int | None = None
    downloads: int = 0
    upload_only: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    last_access_at: datetime | None = None
    revoked_at: datetime | None = None


class Grant(SQLModel, table=True):
    """A file or folder shared with another account, as viewer or editor."""

    __tablename__: ClassVar[str] = "share_grant"
    __table_args__ = (UniqueConstraint("node_id", "user_id", name="uq_grant_node_user"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    node_id: str = Field(foreign_key="node.id", index=True, max_length=32)
    owner_id: int = Field(foreign_key="user.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str = Field(max_length=8)  # viewer | editor
    created_at: datetime = Field(default_factory=utcnow)
