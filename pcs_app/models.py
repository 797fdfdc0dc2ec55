"""SQLModel tables. Sizes are BIGINT; times are timezone-aware UTC."""

# SQLModel types __tablename__ as a declared_attr, yet documents (and accepts) a plain string for it.
# pyright: reportIncompatibleVariableOverride=false

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime
from typing import ClassVar, Literal

from sqlalchemy import BigInteger, Column, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

FOLDER = "dir"  # stored value; sorts before "file", so folders list first
FILE = "file"
KindName = Literal["folder", "file"]
ID_LENGTH = 16
ID_PATTERN = rf"^[A-Za-z0-9_-]{{{ID_LENGTH}}}$"
_ID = re.compile(ID_PATTERN)


LIVE = text("trashed_at IS NULL")


def kind_name(kind: str) -> KindName:
    """The public name of a stored kind: "folder" or "file" (the API and the UI say these)."""
    return "folder" if kind == FOLDER else "file"


ROW_ID_MAX = 2**31 - 1  # integer primary keys are 32-bit on PostgreSQL


def is_row_id(value: object) -> bool:
    """Whether ``value`` can be an integer row id (bigger would be a database error, not "no such row")."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= ROW_ID_MAX


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
    # The Cognito user's ``sub`` (PCS_AUTH=cognito): the password is the directory's, not password_hash's.
    external_id: str | None = Field(default=None, max_length=64, unique=True)


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
        # An account's largest files (the usage dashboard), without reading them all.
        Index("ix_node_owner_size", "owner_id", "kind", "size", sqlite_where=LIVE, postgresql_where=LIVE),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: int = Field(foreign_key="user.id", index=True)
    parent_id: str | None = Field(default=None, foreign_key="node.id", index=True)
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
    notify_downloads: bool = False  # mail the owner when the link is first downloaded
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


class SearchText(SQLModel, table=True):
    """The text read from one content for the search index (keyed by its sha256), or why there is none."""

    __tablename__: ClassVar[str] = "search_text"
    sha256: str = Field(primary_key=True, max_length=64)
    fmt: str = Field(default="", max_length=8)  # the reader used: text, html, pdf, docx, xlsx, pptx ("" none)
    text: str = Field(default="", sa_type=Text)
    truncated: bool = False  # only the first PCS_EXTRACT_MAX_CHARS characters are kept
    reason: str | None = Field(default=None, max_length=16)  # why not (all) read: too_large, corrupt, ...
    detail: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)


class SearchCursor(SQLModel, table=True):
    """How far the search index has followed an account's change feed (no foreign key: deleting an
    account need not know of it; the search sweep drops the rows of accounts that are gone)."""

    __tablename__: ClassVar[str] = "search_cursor"
    user_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = Field(default=0, sa_type=BigInteger)
    updated_at: datetime = Field(default_factory=utcnow)


# -- activity: the audit log, usage counters, mail and account events (issue 12) ---------------------
# No foreign keys to ``user``: audit rows outlive the account they name (with its email as a label),
# and deleting an account clears the rest itself (services/accounts/deletion.py).
BIG_ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only


class AuditEvent(SQLModel, table=True):
    """One thing that happened, appended and never changed (on PostgreSQL a trigger refuses updates)."""

    __tablename__: ClassVar[str] = "audit_event"
    __table_args__ = (Index("ix_audit_actor", "actor_id", "id"), Index("ix_audit_owner", "owner_id", "id"))
    id: int | None = Field(default=None, sa_column=Column(BIG_ID, primary_key=True, autoincrement=True))
    at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = None
    actor: str = Field(default="", max_length=320)  # who, as a label: an email, "link:<id>", "system"
    action: str = Field(max_length=32)  # e.g. auth.sign_in, file.upload, access.denied
    outcome: str = Field(default="ok", max_length=16)
    target_type: str = Field(default="", max_length=16)  # node, link, grant, token, account
    target_id: str | None = Field(default=None, max_length=64)
    target: str = Field(default="", max_length=1024)  # a label: the item's name, an email
    owner_id: int | None = None  # the account whose data it concerns
    address: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=400)
    detail: str = Field(default="", max_length=2000)  # JSON


class UsageEvent(SQLModel, table=True):  # a usage delta the roll-up job has not folded in yet
    __tablename__: ClassVar[str] = "usage_event"
    __table_args__ = (Index("ix_usage_event_user", "user_id", "metric"),)
    id: int | None = Field(default=None, sa_column=Column(BIG_ID, primary_key=True, autoincrement=True))
    user_id: int
    day: date
    metric: str = Field(max_length=8)  # live, stored, upload, download, active
    item: str = Field(default="", max_length=80)  # live: "<type>/<top folder id>"
    n: int = Field(default=0, sa_type=BigInteger)
    bytes: int = Field(default=0, sa_type=BigInteger)


class UsageDaily(SQLModel, table=True):  # usage_event rolled up per day
    __tablename__: ClassVar[str] = "usage_daily"
    user_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    metric: str = Field(primary_key=True, max_length=8)
    item: str = Field(primary_key=True, max_length=80)
    n: int = Field(default=0, sa_type=BigInteger)
    bytes: int = Field(default=0, sa_type=BigInteger)


class UsageTotal(SQLModel, table=True):  # usage_event rolled up for all time
    __tablename__: ClassVar[str] = "usage_total"
    user_id: int = Field(primary_key=True)
    metric: str = Field(primary_key=True, max_length=8)
    item: str = Field(primary_key=True, max_length=80)
    n: int = Field(default=0, sa_type=BigInteger)
    bytes: int = Field(default=0, sa_type=BigInteger)


class UsageSnapshot(SQLModel, table=True):  # measured by the roll-up job (user_id 0: the server)
    __tablename__: ClassVar[str] = "usage_snapshot"
    user_id: int = Field(primary_key=True)
    baseline_at: datetime | None = None  # when the live counters were rebuilt from the files
    computed_at: datetime | None = None
    logical_bytes: int = Field(default=0, sa_type=BigInteger)
    stored_bytes: int = Field(default=0, sa_type=BigInteger)  # distinct contents held
    dirty: bool = True  # changed since computed_at


class MailOutbox(SQLModel, table=True):
    """A mail to send (kept until sent, refused, or too old): a mail server that is down loses nothing."""

    __tablename__: ClassVar[str] = "mail_outbox"
    __table_args__ = (Index("ix_mail_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, sa_column=Column(BIG_ID, primary_key=True, autoincrement=True))
    user_id: int | None = Field(default=None, index=True)
    to_addr: str = Field(max_length=320)
    kind: str = Field(max_length=24)
    subject: str = Field(max_length=400)
    text: str = Field(sa_type=Text)
    html: str = Field(sa_type=Text)
    status: str = Field(default="pending", max_length=10)  # pending, sent, rejected, expired
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = Field(default="", max_length=1000)
    sent_at: datetime | None = None
    provider_id: str | None = Field(default=None, max_length=400)


class NotifyOptOut(SQLModel, table=True):
    __tablename__: ClassVar[str] = "notify_optout"
    user_id: int = Field(primary_key=True)
    kind: str = Field(primary_key=True, max_length=24)


class PasswordReset(SQLModel, table=True):
    __tablename__: ClassVar[str] = "password_reset"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: int = Field(index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class KnownDevice(SQLModel, table=True):  # a browser family on a system that signed in before
    __tablename__: ClassVar[str] = "known_device"
    user_id: int = Field(primary_key=True)
    device_hash: str = Field(primary_key=True, max_length=64)
    first_seen: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)


class AccountDeletion(SQLModel, table=True):  # an account being deleted (by a job, in chunks)
    __tablename__: ClassVar[str] = "account_deletion"
    user_id: int = Field(primary_key=True)
    email: str = Field(max_length=320)
    requested_at: datetime = Field(default_factory=utcnow)
