"""Bodies of the sharing routes: links, public access through a link, grants."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pcs_app.models import KindName, Node, kind_name
from pcs_app.services.accounts import EMAIL_PATTERN
from pcs_app.services.sharing import GrantView, LinkView

from .schemas import NodeOut, Strict

LinkPassword = Field(
    None,
    max_length=1024,
    description="A password visitors must give first (at least PCS_PASSWORD_MIN_LENGTH characters); null for none.",
    json_schema_extra={"x-pcs-password-min": True},
)


class NewLink(Strict):
    expires_at: datetime | None = Field(None, description="When the link stops working (with a time zone).")
    password: str | None = LinkPassword
    max_downloads: int | None = Field(None, ge=1, le=1_000_000, description="Downloads allowed; null for no limit.")
    upload_only: bool = Field(False, description="A file drop: visitors of a folder link upload and see nothing.")
    notify_downloads: bool = Field(False, description="Mail me when the link is first downloaded.")


class LinkPatch(Strict):
    """Only the fields sent change; null clears expiry, password or limit."""

    expires_at: datetime | None = None
    password: str | None = LinkPassword
    max_downloads: int | None = Field(None, ge=1, le=1_000_000)
    upload_only: bool | None = None
    notify_downloads: bool | None = None


class LinkOut(BaseModel):
    id: str
    node_id: str
    token: str = Field(description="The secret part of the link; the owner can read it again at any time.")
    url: str
    state: Literal["active", "expired", "exhausted"]
    expires_at: datetime | None
    has_password: bool
    max_downloads: int | None
    downloads: int
    upload_only: bool
    notify_downloads: bool = Field(description="The owner is mailed when the link is first downloaded.")
    created_at: datetime
    last_access_at: datetime | None

    @classmethod
    def of(cls, v: LinkView) -> LinkOut:
        link = v.link
        state = v.state
        return cls(
            id=link.id,
            node_id=link.node_id,
            token=v.token,
            url=v.url,
            state="active" if state == "revoked" else state,  # revoked links are never listed
            expires_at=link.expires_at,
            has_password=link.password_hash is not None,
            max_downloads=link.max_downloads,
            downloads=link.downloads,
            upload_only=link.upload_only,
            notify_downloads=link.notify_downloads,
            created_at=link.created_at,
            last_access_at=link.last_access_at,
        )


class Unlock(Strict):
    password: str = Field(min_length=1, max_length=1024)


class UnlockOut(BaseModel):
    access_token: str = Field(description="Send as 'Authorization: Bearer …' to the link's other calls.")
    expires_in: int = Field(description="Seconds it stays valid.")


class PublicNode(BaseModel):
    """A file or folder seen through a link: no owner, nothing of where it sits above the link."""

    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    kind: KindName
    size: int
    mime_type: str | None
    modified_at: datetime

    @classmethod
    def of(cls, n: Node) -> PublicNode:
        return cls(
            id=n.id, name=n.name, kind=kind_name(n.kind), size=n.size, mime_type=n.mime_type, modified_at=n.modified_at
        )


class PublicItem(PublicNode):
    upload_only: bool = Field(description="A file drop: only PUT …/files works.")


class PublicPage(BaseModel):
    items: list[PublicNode]
    next_cursor: str | None


class Dropped(BaseModel):
    name: str = Field(description="The name as sent (a taken name is stored numbered; nothing is overwritten).")
    size: int


class NewGrant(Strict):
    email: str = Field(max_length=320, pattern=EMAIL_PATTERN, description="The account to share with.")
    role: Literal["viewer", "editor"]


class GrantPatch(Strict):
    role: Literal["viewer", "editor"]


class GrantOut(BaseModel):
    id: str
    node_id: str
    email: str = Field(description="The recipient's email.")
    role: Literal["viewer", "editor"]
    created_at: datetime

    @classmethod
    def of(cls, v: GrantView) -> GrantOut:
        role: Literal["viewer", "editor"] = "editor" if v.grant.role == "editor" else "viewer"
        return cls(id=v.grant.id, node_id=v.node.id, email=v.email, role=role, created_at=v.grant.created_at)


class SharedOut(BaseModel):
    grant_id: str
    role: Literal["viewer", "editor"]
    owner_email: str
    node: NodeOut

    @classmethod
    def of(cls, v: GrantView) -> SharedOut:
        role: Literal["viewer", "editor"] = "editor" if v.grant.role == "editor" else "viewer"
        return cls(grant_id=v.grant.id, role=role, owner_email=v.email, node=NodeOut.of(v.node))
