"""Request and response bodies of the REST API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pcs_app.models import FOLDER, Change, Node, Version


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignUp(Strict):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class SignIn(Strict):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    name: str = Field("", max_length=100, description="A label for the token, e.g. the device.")


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


class UserOut(BaseModel):
    id: int
    email: str
    is_admin: bool
    root_id: str
    used_bytes: int
    quota_bytes: int | None


class NodeOut(BaseModel):
    id: str
    name: str
    kind: Literal["folder", "file"]
    parent_id: str | None
    size: int
    mime_type: str | None
    sha256: str | None
    version_id: int | None
    created_at: datetime
    modified_at: datetime
    trashed_at: datetime | None

    @classmethod
    def of(cls, n: Node) -> NodeOut:
        return cls(
            id=n.id,
            name=n.name,
            kind="folder" if n.kind == FOLDER else "file",
            parent_id=n.parent_id,
            size=n.size,
            mime_type=n.mime_type,
            sha256=n.sha256,
            version_id=n.version_id,
            created_at=n.created_at,
            modified_at=n.modified_at,
            trashed_at=n.trashed_at,
        )


class NodePage(BaseModel):
    items: list[NodeOut]
    next_cursor: str | None


class NodeDetail(NodeOut):
    path: list[NodeOut] = Field(description="Ancestors from the root down to the parent.")


class NewFolder(Strict):
    name: str = Field(max_length=4096)
    on_conflict: Literal["fail", "rename"] = "fail"


class NodePatch(Strict):
    name: str | None = Field(None, max_length=4096)
    parent_id: str | None = Field(None, max_length=64)
    on_conflict: Literal["fail", "rename"] = "fail"


class CopyRequest(Strict):
    parent_id: str = Field(max_length=64)
    name: str | None = Field(None, max_length=4096)
    on_conflict: Literal["fail", "rename"] = "fail"


class RestoreRequest(Strict):
    on_conflict: Literal["fail", "rename"] = "rename"


class ByHash(Strict):
    name: str = Field(max_length=4096)
    sha256: str = Field(max_length=64)
    size: int = Field(ge=0)
    on_conflict: Literal["replace", "rename", "fail"] = "replace"


class SessionRequest(Strict):
    parent_id: str = Field(max_length=64)
    name: str = Field(max_length=4096)
    size: int = Field(ge=0)
    sha256: str | None = Field(None, max_length=64)
    on_conflict: Literal["replace", "rename", "fail"] = "replace"


class PartUrl(BaseModel):
    number: int
    url: str
    size: int


class SessionOut(BaseModel):
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
    created_at: datetime

    @classmethod
    def of(cls, v: Version) -> VersionOut:
        return cls(
            id=v.id or 0,
            size=v.size,
            sha256=v.sha256,
            mime_type=v.mime_type,
            author_id=v.author_id,
            created_at=v.created_at,
        )


class ChangeOut(BaseModel):
    seq: int
    kind: str
    node_id: str
    node_kind: Literal["folder", "file"]
    parent_id: str | None
    name: str | None
    at: datetime

    @classmethod
    def of(cls, c: Change) -> ChangeOut:
        return cls(
            seq=c.seq,
            kind=c.kind,
            node_id=c.node_id,
            node_kind="folder" if c.node_kind == FOLDER else "file",
            parent_id=c.parent_id,
            name=c.name,
            at=c.created_at,
        )


class ChangesOut(BaseModel):
    changes: list[ChangeOut]
    cursor: int = Field(description="Pass as ?since= next time.")
    has_more: bool


class ErrorOut(BaseModel):
    error: str
    message: str


TokenOut.model_rebuild()
