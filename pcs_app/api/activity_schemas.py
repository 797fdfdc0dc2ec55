"""Bodies of the activity, usage, notification and account-security routes."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, StrictBool

from pcs_app.models import AuditEvent
from pcs_app.services import usage
from pcs_app.services.accounts import EMAIL_PATTERN, RESET_PATTERN
from pcs_app.services.costs import Estimate

from .schemas import Strict

NewPassword = Field(
    min_length=1,
    max_length=1024,
    description="At least PCS_PASSWORD_MIN_LENGTH characters.",
    json_schema_extra={"x-pcs-password-min": True},
)


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    actor: str = Field(description="Who: an email, 'link:<link id>' for a share link's visitor, or 'system'.")
    action: str = Field(description="e.g. auth.sign_in, file.upload, file.download, link.create, access.denied.")
    outcome: str = Field(description="ok, failed, throttled, denied, requested, done, …")
    target_type: str
    target_id: str | None
    target: str = Field(description="A label: the item's name, an email.")
    owner_id: int | None = Field(description="The account whose data it concerns.")
    address: str | None
    user_agent: str | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, e: AuditEvent) -> AuditEventOut:
        return cls(
            id=e.id or 0,
            at=e.at,
            actor_id=e.actor_id,
            actor=e.actor,
            action=e.action,
            outcome=e.outcome,
            target_type=e.target_type,
            target_id=e.target_id,
            target=e.target,
            owner_id=e.owner_id,
            address=e.address,
            user_agent=e.user_agent,
            detail=json.loads(e.detail) if e.detail else {},
        )


class ActivityOut(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None = Field(description="Pass back as cursor for older events; null at the end.")


class DayOut(BaseModel):
    day: date
    stored_bytes: int = Field(description="used_bytes at the end of the day.")
    uploads: int
    upload_bytes: int
    downloads: int
    download_bytes: int


class ShareOut(BaseModel):
    key: str = Field(description="A type, or a top-level folder's id ('' for the files at the top).")
    name: str
    files: int
    bytes: int


class LargestOut(BaseModel):
    kind: Literal["file", "folder"]
    id: str
    name: str
    size: int
    mime_type: str | None = None
    parent_id: str | None = None


class LinkActivityOut(BaseModel):
    id: str
    node_id: str
    name: str
    downloads: int
    max_downloads: int | None
    upload_only: bool
    created_at: datetime
    last_access_at: datetime | None
    expires_at: datetime | None


class UsageDashboardOut(BaseModel):
    used_bytes: int = Field(description="What the quota counts: every version, the trash included.")
    quota_bytes: int | None
    files: int = Field(description="Files in use (not the trash).")
    live_bytes: int = Field(description="Their current content.")
    by_type: dict[str, int] = Field(description="live_bytes by type: image, video, audio, document, archive, other.")
    types: list[ShareOut]
    by_folder: list[ShareOut] = Field(description="live_bytes by top-level folder, largest first.")
    daily: list[DayOut] = Field(description="One entry per day, oldest first, up to today.")
    largest: list[LargestOut] = Field(description="The ten largest files, then the ten largest top-level folders.")
    links: list[LinkActivityOut] = Field(description="Share links not revoked, most downloaded first.")
    dedup_saved_bytes: int = Field(description="Bytes stored once for several of your files or versions.")
    measured_at: datetime | None = Field(description="When dedup_saved_bytes was measured (the roll-up job).")

    @classmethod
    def of(cls, d: usage.Dashboard) -> UsageDashboardOut:
        largest = [
            LargestOut(kind="file", id=f.id, name=f.name, size=f.size, mime_type=f.mime_type, parent_id=f.parent_id)
            for f in d.largest_files
        ] + [LargestOut(kind="folder", id=f.key, name=f.name, size=f.bytes) for f in d.largest_folders]
        return cls(
            used_bytes=d.used_bytes,
            quota_bytes=d.quota_bytes,
            files=d.files,
            live_bytes=d.live_bytes,
            by_type=d.by_type,
            types=[ShareOut(**vars(t)) for t in d.types],
            by_folder=[ShareOut(**vars(f)) for f in d.folders],
            daily=[DayOut(**vars(x)) for x in d.daily],
            largest=largest,
            links=[LinkActivityOut(**vars(x)) for x in d.links],
            dedup_saved_bytes=d.dedup_saved_bytes,
            measured_at=d.measured_at,
        )


class AccountUsageOut(BaseModel):
    id: int
    email: str
    is_admin: bool
    used_bytes: int
    quota_bytes: int | None
    files: int
    live_bytes: int
    uploads: int = Field(description="In the last 30 days.")
    upload_bytes: int
    downloads: int = Field(description="Of this account's files, in the last 30 days.")
    download_bytes: int
    last_active: date | None = Field(description="Within the last 30 days.")


class MailHealthOut(BaseModel):
    pending: int
    oldest_pending_seconds: float | None
    rejected: int
    expired: int
    last_error: str


class QueueOut(BaseModel):
    pending: int = Field(description="Jobs waiting for a worker.")
    retrying: int = Field(description="Jobs waiting for their next attempt.")
    failed: int = Field(description="Jobs that used up their attempts (pcs jobs failed).")
    oldest_failure: datetime | None
    usage_events_waiting: int = Field(description="Usage events the roll-up has not folded in yet.")
    oldest_usage_day: date | None
    mail: MailHealthOut


class StorageHealthOut(BaseModel):
    database: bool
    storage: bool
    storage_ms: float | None = Field(description="How long S3 took to answer, in milliseconds.")


class DailyActiveOut(BaseModel):
    day: date
    users: int


class OverviewOut(BaseModel):
    accounts: int
    files: int
    live_bytes: int
    logical_bytes: int = Field(description="Every version of every file, the trash included.")
    stored_bytes: int = Field(description="In storage: each content once.")
    dedup_saved_bytes: int
    measured_at: datetime | None
    active_today: int
    active_users: int = Field(description="Accounts active in the last 30 days.")
    active_daily: list[DailyActiveOut]
    queue: QueueOut
    health: StorageHealthOut

    @classmethod
    def of(cls, o: usage.Overview) -> OverviewOut:
        q = o.queue
        return cls(
            **{k: getattr(o, k) for k in ("accounts", "files", "live_bytes", "logical_bytes", "stored_bytes")},
            dedup_saved_bytes=o.dedup_saved_bytes,
            measured_at=o.measured_at,
            active_today=o.active_today,
            active_users=o.active_users,
            active_daily=[DailyActiveOut(day=d, users=n) for d, n in o.active_daily],
            queue=QueueOut(
                pending=q.pending,
                retrying=q.retrying,
                failed=q.failed,
                oldest_failure=q.oldest_failure,
                usage_events_waiting=q.usage_events_waiting,
                oldest_usage_day=q.oldest_usage_day,
                mail=MailHealthOut(**vars(q.mail)),
            ),
            health=StorageHealthOut(
                database=o.health.database_ok, storage=o.health.storage_ok, storage_ms=o.health.storage_ms
            ),
        )


class CostLineOut(BaseModel):
    service: str
    fixed_usd: float = Field(description="Always-on capacity, paid at zero use.")
    usage_usd: float
    monthly_usd: float
    quantity: float
    unit: str
    assumption: str


class EstimateOut(BaseModel):
    total_usd: float
    fixed_usd: float
    usage_usd: float
    lines: list[CostLineOut]

    @classmethod
    def of(cls, e: Estimate) -> EstimateOut:
        return cls(
            total_usd=e.total_usd,
            fixed_usd=e.fixed_usd,
            usage_usd=e.usage_usd,
            lines=[
                CostLineOut(
                    service=x.service,
                    fixed_usd=x.fixed_usd,
                    usage_usd=x.usage_usd,
                    monthly_usd=x.monthly_usd,
                    quantity=x.quantity,
                    unit=x.unit,
                    assumption=x.assumption,
                )
                for x in e.lines
            ],
        )


class CostsOut(BaseModel):
    usage: dict[str, float] = Field(description="The last 30 days, in the model's terms (GB, counts).")
    current: EstimateOut
    multiplier: float
    projected: EstimateOut
    ballpark: str
    explanations: list[str] = Field(description="Where and why this model differs from the published ballpark.")
    prices_as_of: str

    @classmethod
    def of(cls, c: usage.CostView) -> CostsOut:
        return cls(
            usage={k: float(v) for k, v in vars(c.usage).items()},
            current=EstimateOut.of(c.current),
            multiplier=c.multiplier,
            projected=EstimateOut.of(c.projected),
            ballpark=c.ballpark,
            explanations=c.explanations,
            prices_as_of=c.prices_as_of,
        )


class ResetRequest(Strict):
    email: str = Field(max_length=320, pattern=EMAIL_PATTERN)


class ResetConfirm(Strict):
    token: str = Field(pattern=RESET_PATTERN, description="From the link in the reset mail.")
    password: str = NewPassword


class PasswordChange(Strict):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = NewPassword


class AccountDelete(Strict):
    password: str = Field(min_length=1, max_length=1024, description="The account's password, asked again.")


class Accepted(BaseModel):
    status: str


class NotificationOut(BaseModel):
    kind: str
    label: str
    enabled: bool


class NotificationsPatch(Strict):
    """Kinds of mail to turn on (true) or off (false); kinds not named stay as they are."""

    share_received: StrictBool | None = None
    link_downloaded: StrictBool | None = None
    file_dropped: StrictBool | None = None
    quota: StrictBool | None = None
    new_sign_in: StrictBool | None = None


class NotificationsOut(BaseModel):
    kinds: list[NotificationOut]
