"""Request and response bodies of the REST API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from pcs_app.models import ID_LENGTH, ID_PATTERN, Change, KindName, Node, Version, kind_name
from pcs_app.services.accounts import EMAIL_PATTERN, Usage
from pcs_app.services.content import SHA256_PATTERN
from pcs_app.services.names import MAX_NAME_CHARS, NAME_PATTERN

CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"
NAME_HELP = (
    "An item's name: 1 to 255 characters (stored in Unicode NFC), not only spaces, not '.' or '..', "
    "without '/', '\\', control characters or text-direction overrides."
)


def Name(default: Any = ...) -> Any:
    return Field(default, min_length=1, max_length=MAX_NAME_CHARS, pattern=NAME_PATTERN, description=NAME_HELP)


def NodeRef(description: str, default: Any = ...) -> Any:
    return Field(default, pattern=ID_PATTERN, min_length=ID_LENGTH, max_length=ID_LENGTH, description=description)


FileSize = Annotated[
    int, Field(ge=0, description="Bytes; at most PCS_MAX_FILE_SIZE.", json_schema_extra={"x-pcs-max-file-size": True})
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    error: str = Field(description="A stable, machine-readable code.")
    message: str = Field(description="What went wrong, for people.")


class SignUp(Strict):
    email: str = Field(max_length=320, pattern=EMAIL_PATTERN)
    password: str = Field(
        min_length=1,
        max_length=1024,
        description="At least PCS_PASSWORD_MIN_LENGTH characters.",
        json_schema_extra={"x-pcs-password-min": True},
    )


class SignIn(Strict):
    email: str = Field(max_length=320, pattern=EMAIL_PATTERN)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field("", max_length=100, description="A label for the token, e.g. the device.")


class SessionSignIn(Strict):
    email: str = Field(max_length=320, pattern=EMAIL_PATTERN)
    password: str = Field(min_length=1, max_length=1024)
    create: bool = Field(False, description="Create the account first (sign-up).")


class SessionOut(BaseModel):
    user: UserOut
    expires_at: datetime | None


class TokenOut(BaseModel):
    id: str
    token: str = Field(description="The secret: shown once, never again.")
    expires_at: datetime | None
    user: UserOut


class TokenInfo(BaseModel):
    id: str
    name: str
    kind: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class UsageOut(BaseModel):
    used_bytes: int = Field(description="Everything counted against the quota: every version, the trash included.")
    quota_bytes: int | None = Field(description="null: unlimited.")
    free_bytes: int | None = Field(description="null: unlimited.")
    files_bytes: int = Field(description="Current content of the files in use.")
    versions_bytes: int = Field(description="Older versions of those files.")
    trash_bytes: int = Field(description="Everything in the trash, every version.")
    by_type: dict[str, int] = Field(description="files_bytes by kind: image, video, audio, document, other.")

    @classmethod
    def of(cls, u: Usage) -> UsageOut:
        free = None if u.quota_bytes is None else max(u.quota_bytes - u.used_bytes, 0)
        return cls(
            used_bytes=u.used_bytes,
            quota_bytes=u.quota_bytes,
            free_bytes=free,
            files_bytes=u.files_bytes,
            versions_bytes=u.versions_bytes,
            trash_bytes=u.trash_bytes,
            by_type=u.by_type,
        )


class UserOut(BaseModel):
    id: int
    email: str
    is_admin: bool
    root_id: str
    used_bytes: int
    quota_bytes: int | None
    usage: UsageOut | None = Field(None, description="What takes the space.")


class NodeOut(BaseModel):
    id: str
    name: str
    kind: KindName
    parent_id: str | None
    size: int
    mime_type: str | None
    sha256: str | None
    version_id: int | None
    created_at: datetime
    modified_at: datetime
    trashed_at: datetime | None
    shared: bool = Field(False, description="Yours, and shared: with someone, or by a live link.")

    @classmethod
    def of(cls, n: Node, shared: bool = False) -> NodeOut:
        return cls(
            id=n.id,
            name=n.name,
            kind=kind_name(n.kind),
            parent_id=n.parent_id,
            size=n.size,
            mime_type=n.mime_type,
            sha256=n.sha256,
            version_id=n.version_id,
            created_at=n.created_at,
            modified_at=n.modified_at,
            trashed_at=n.trashed_at,
            shared=shared,
        )


class NodePage(BaseModel):
    items: list[NodeOut]
    next_cursor: str | None


class NodeDetail(NodeOut):
    path: list[NodeOut] = Field(description="Ancestors from the root down to the parent.")


class NewFolder(Strict):
    name: str = Name()
    on_conflict: Literal["fail", "rename"] = "fail"


class NodePatch(Strict):
    """A new name, a new folder, or both."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["name"], "properties": {"name": {"type": "string"}}},
                {"required": ["parent_id"], "properties": {"parent_id": {"type": "string"}}},
            ]
        },
    )
    name: str | None = Name(None)
    parent_id: str | None = NodeRef("The folder to move it into.", None)
    on_conflict: Literal["fail", "rename"] = "fail"

    @model_validator(mode="after")
    def _something(self) -> NodePatch:
        if self.name is None and self.parent_id is None:
            raise ValueError("give a new name, a new parent_id, or both")
        return self


class CopyRequest(Strict):
    parent_id: str = NodeRef("The folder to copy it into.")
    name: str | None = Name(None)
    on_conflict: Literal["fail", "rename"] = "fail"


NodeIds = Annotated[
    list[Annotated[str, Field(pattern=ID_PATTERN, min_length=ID_LENGTH, max_length=ID_LENGTH)]],
    Field(min_length=1, max_length=1000, description="1 to 1,000 node ids (repeats count once)."),
]


class BulkIds(Strict):
    ids: NodeIds


class BulkInto(Strict):
    ids: NodeIds
    parent_id: str = NodeRef("The folder to move or copy them into.")


_Excluded = Annotated[
    list[Annotated[str, Field(pattern=ID_PATTERN, min_length=ID_LENGTH, max_length=ID_LENGTH)]],
    Field(max_length=100_000, description="Entries of the folder to leave out."),
]


class BulkFolderInto(Strict):
    op: Literal["move", "copy"]
    exclude: _Excluded = []
    parent_id: str = NodeRef("The folder to move or copy them into.")


class BulkFolderTrash(Strict):
    op: Literal["trash"]
    exclude: _Excluded = []


BulkFolder = Annotated[BulkFolderInto | BulkFolderTrash, Field(discriminator="op")]


class BulkItem(BaseModel):
    id: str
    status: Literal["done", "unchanged", "failed"]
    node: NodeOut | None = None
    error: ErrorOut | None = None


class BulkOut(BaseModel):
    done: int
    unchanged: int
    failed: int
    items: list[BulkItem]


class RestoreRequest(Strict):
    on_conflict: Literal["fail", "rename"] = "rename"


class ByHash(Strict):
    name: str = Name()
    sha256: str = Field(pattern=SHA256_PATTERN)
    size: FileSize
    on_conflict: Literal["replace", "rename", "fail"] = "replace"


class UploadSessionRequest(Strict):
    parent_id: str = NodeRef("The folder to upload into.")
    name: str = Name()
    size: FileSize
    sha256: str | None = Field(None, pattern=SHA256_PATTERN)
    on_conflict: Literal["replace", "rename", "fail"] = "replace"


class PartUrl(BaseModel):
    number: int
    url: str
    size: int


class UploadSessionOut(BaseModel):
    id: str
    part_size: int
    parts: list[PartUrl]
    expires_at: datetime


class VersionOut(BaseModel):
    id: int
    size: int
    sha256: str
    mime_type: str | None
    author_id: int | None
    author: str | None = Field(None, description="Email of who uploaded it (null: a link visitor, or unknown).")
    created_at: datetime
    current: bool = Field(False, description="The file's content now.")
    pinned: bool = Field(False, description="Kept whatever the retention rules say.")

    @classmethod
    def of(cls, v: Version, *, author: str | None = None, current: bool = False) -> VersionOut:
        return cls(
            id=v.id or 0,
            size=v.size,
            sha256=v.sha256,
            mime_type=v.mime_type,
            author_id=v.author_id,
            author=author,
            created_at=v.created_at,
            current=current,
            pinned=v.pinned,
        )


class VersionPatch(Strict):
    pinned: StrictBool = Field(description="true: retention never thins this version; false: it may again.")


class TrashItemOut(NodeOut):
    trashed_from: str = Field(description="The folder it was in, as a path from your root ('/' for the root).")


class TrashPageOut(BaseModel):
    items: list[TrashItemOut]
    next_cursor: str | None


class PurgeOut(BaseModel):
    items: int = Field(description="Files and folders deleted for good.")
    bytes: int = Field(description="Bytes (every version) no longer counted against your quota.")


class ChangeOut(BaseModel):
    seq: int
    kind: str
    node_id: str
    node_kind: KindName
    parent_id: str | None
    name: str | None
    at: datetime

    @classmethod
    def of(cls, c: Change) -> ChangeOut:
        return cls(
            seq=c.seq,
            kind=c.kind,
            node_id=c.node_id,
            node_kind=kind_name(c.node_kind),
            parent_id=c.parent_id,
            name=c.name,
            at=c.created_at,
        )


class ChangesOut(BaseModel):
    changes: list[ChangeOut]
    cursor: int = Field(description="Pass as ?since= next time.")
    has_more: bool


class HealthOut(BaseModel):
    database: bool
    storage: bool


class TotalsOut(BaseModel):
    users: int
    files: int
    stored_bytes: int


TokenOut.model_rebuild()
SessionOut.model_rebuild()
BulkItem.model_rebuild()
