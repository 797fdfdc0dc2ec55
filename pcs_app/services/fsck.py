"""The integrity check (``pcs fsck [--repair]``): compare the database with what S3 holds.

Finds: blob rows whose object is gone (files that cannot be read), objects no row knows, reference
counts that disagree with the versions, ``used_bytes`` that disagree with what an account holds,
files without content, and unfinished multipart uploads nobody owns. With ``repair`` it fixes what
is safe — counts are recomputed under the same locks writers take, unknown objects and stale
uploads older than the grace period are deleted — and says what it did. A lost object is reported
with the files it breaks; nothing can bring those bytes back, so they are left for a person to
judge (restore an older version, or delete the file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, update
from sqlmodel import col, select

from pcs_app.models import FILE, Blob, Node, UploadSession, User, Version, utcnow

from .core import Core
from .gc import BATCH, stale_multipart
from .tx import write_tx


@dataclass
class Finding:
    kind: str  # missing_object | orphan_object | refcount | used_bytes | no_content | stale_multipart
    subject: str
    detail: str
    repaired: bool = False
    bytes: int = 0


@dataclass
class FsckReport:
    findings: list[Finding] = field(default_factory=lambda: list[Finding]())
    blobs_checked: int = 0
    objects_checked: int = 0
    accounts_checked: int = 0
    bytes_reclaimed: int = 0

    @property
    def clean(self) -> bool:
        return not self.findings

    @property
    def unrepaired(self) -> list[Finding]:
        return [f for f in self.findings if not f.repaired]

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def lines(self) -> list[str]:
        out = [f"{f.kind}: {f.subject}: {f.detail}" + (" [repaired]" if f.repaired else "") for f in self.findings]
        out.append(
            f"checked {self.blobs_checked} blobs, {self.objects_checked} objects, {self.accounts_checked} accounts; "
            f"{len(self.findings)} problems, {len(self.findings) - len(self.unrepaired)} repaired; "
            f"{self.bytes_reclaimed} bytes reclaimed"
        )
        return out


def fsck(core: Core, *, repair: bool = False) -> FsckReport:
    report = FsckReport()
    cutoff = utcnow() - timedelta(seconds=core.settings.gc_grace_seconds)
    objects = _objects(core, report)
    _blobs(core, report, objects, repair)
    _refcounts(core, report, repair)
    _usage(core, report, repair)
    _no_content(core, report)
    for mp, size in list(stale_multipart(core, cutoff)):
        f = Finding(
            "stale_multipart",
            mp.key,
            f"unfinished multipart upload since {mp.initiated:%Y-%m-%d %H:%M}, {size} bytes of parts",
            bytes=size,
        )
        if repair:
            core.blobs.abort_multipart(mp.key, mp.upload_id)
            f.repaired = True
            report.bytes_reclaimed += size
        report.add(f)
    return report


def _objects(core: Core, report: FsckReport) -> dict[str, tuple[int, bool]]:
    """Every object under blobs/: key -> (size, older than the grace period)."""
    cutoff = utcnow() - timedelta(seconds=core.settings.gc_grace_seconds)
    out: dict[str, tuple[int, bool]] = {}
    for obj in core.blobs.objects("blobs/"):
        out[obj.key] = (obj.size, obj.last_modified < cutoff)
    report.objects_checked = len(out)
    return out


def _blobs(core: Core, report: FsckReport, objects: dict[str, tuple[int, bool]], repair: bool) -> None:
    """Rows without objects, then objects without rows (each confirmed once more before it is
    reported: the listing is a moment old, and uploads and collection go on meanwhile)."""
    with core.db.read() as s:
        known: set[str] = set(s.exec(select(UploadSession.s3_key)).all())
    last = 0
    while True:
        with core.db.read() as s:
            rows = s.exec(select(Blob).where(col(Blob.id) > last).order_by(col(Blob.id)).limit(BATCH)).all()
        if not rows:
            break
        last = rows[-1].id or last
        for blob in rows:
            blob_id, key, size, sha, refs = blob.id, blob.s3_key, blob.size, blob.sha256, blob.refcount
            report.blobs_checked += 1
            known.add(key)
            if refs <= 0 or blob_id is None:
                continue  # garbage collection's to reclaim
            listed = objects.get(key)
            got = listed[0] if listed is not None else _size_now(core, key)
            if got is None:
                broken = ", ".join(_files_of(core, blob_id)) or "no file"
                report.add(
                    Finding("missing_object", key, f"content {sha[:12]} ({size} bytes) is gone; it breaks {broken}")
                )
            elif got != size:
                report.add(Finding("missing_object", key, f"the object holds {got} bytes, {size} expected"))
    for key, (size, old) in objects.items():
        if key in known or not old:
            continue  # known, or young: an upload may be about to commit it
        with core.db.read() as s:  # committed since the listing?
            if s.exec(select(Blob.id).where(Blob.s3_key == key)).first() is not None:
                continue
            if s.exec(select(UploadSession.id).where(UploadSession.s3_key == key)).first() is not None:
                continue
        if _size_now(core, key) is None:
            continue  # collected meanwhile
        f = Finding("orphan_object", key, f"{size} bytes no row refers to", bytes=size)
        if repair:
            core.blobs.delete(key)
            f.repaired = True
            report.bytes_reclaimed += size
        report.add(f)


def _size_now(core: Core, key: str) -> int | None:
    try:
        return core.blobs.head(key).size
    except FileNotFoundError:
        return None


def _files_of(core: Core, blob_id: int, most: int = 5) -> list[str]:
    with core.db.read() as s:
        rows = s.exec(
            select(Node.id, Node.name, User.email)
            .join(Version, col(Version.node_id) == col(Node.id))
            .join(User, col(User.id) == col(Node.owner_id))
            .where(Version.blob_id == blob_id)
            .limit(most)
        ).all()
    return [f"{email}: {name} ({node_id})" for node_id, name, email in rows]


def _refcounts(core: Core, report: FsckReport, repair: bool) -> None:
    counted = select(Version.blob_id, func.count().label("n")).group_by(col(Version.blob_id)).subquery()
    with core.db.read() as s:
        wrong = s.exec(
            select(Blob.id, Blob.s3_key, Blob.refcount, func.coalesce(counted.c.n, 0))
            .outerjoin(counted, counted.c.blob_id == col(Blob.id))
            .where(col(Blob.refcount) != func.coalesce(counted.c.n, 0))
        ).all()
    for blob_id, key, refs, n in wrong:
        f = Finding("refcount", key, f"reference count {refs}, {n} versions refer to it")
        if repair:
            with core.db.write() as s:
                # Lock the row first: a writer adding a reference waits, then counts on our value.
                s.exec(select(Blob.id).where(Blob.id == blob_id).with_for_update()).first()
                actual = s.exec(select(func.count()).select_from(Version).where(Version.blob_id == blob_id)).one()
                s.exec(update(Blob).where(col(Blob.id) == blob_id).values(refcount=actual))
            f.repaired = True
        report.add(f)


def _usage(core: Core, report: FsckReport, repair: bool) -> None:
    held = (
        select(Node.owner_id, func.coalesce(func.sum(Version.size), 0).label("n"))
        .join(Version, col(Version.node_id) == col(Node.id))
        .group_by(col(Node.owner_id))
        .subquery()
    )
    with core.db.read() as s:
        rows = s.exec(
            select(User.id, User.email, User.used_bytes, func.coalesce(held.c.n, 0)).outerjoin(
                held, held.c.owner_id == col(User.id)
            )
        ).all()
    report.accounts_checked = len(rows)
    for user_id, email, used, actual in rows:
        if used == actual or user_id is None:
            continue
        f = Finding("used_bytes", email, f"counted {used} bytes, holds {actual}")
        if repair:
            with write_tx(core, user_id) as tx:  # the lock every upload takes on this account
                now = tx.s.exec(
                    select(func.coalesce(func.sum(Version.size), 0))
                    .join(Node, col(Node.id) == col(Version.node_id))
                    .where(Node.owner_id == user_id)
                ).one()
                tx.s.exec(update(User).where(col(User.id) == user_id).values(used_bytes=now))
            f.repaired = True
        report.add(f)


def _no_content(core: Core, report: FsckReport) -> None:
    """Files whose current version is missing (nothing to repair safely: a person decides)."""
    with core.db.read() as s:
        rows = s.exec(
            select(Node.id, Node.name)
            .outerjoin(Version, col(Version.id) == col(Node.version_id))
            .where(Node.kind == FILE, col(Version.id).is_(None))
            .limit(1000)
        ).all()
    for node_id, name in rows:
        report.add(Finding("no_content", node_id, f"file '{name}' has no current version"))
