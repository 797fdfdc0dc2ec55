"""Garbage collection of bytes nobody references (run periodically as a job)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import col, select

from pcs_app.models import Blob, UploadSession, utcnow

from .core import Core

log = logging.getLogger(__name__)


@dataclass
class GCReport:
    blobs_deleted: int = 0
    orphans_deleted: int = 0
    sessions_aborted: int = 0
    bytes_freed: int = 0


def collect_garbage(core: Core) -> GCReport:
    """Delete blobs with no references, orphaned objects older than the grace period, expired sessions."""
    report = GCReport()
    # 1. Blobs whose last reference went away. Deleting the row first (only while still at 0)
    #    means a concurrent upload either revived it before, or will store its own copy after.
    with core.db.read() as s:
        dead = list(s.exec(select(Blob).where(Blob.refcount <= 0)).all())
    for blob in dead:
        with core.db.write() as s:
            gone = s.exec(delete(Blob).where(col(Blob.id) == blob.id, col(Blob.refcount) <= 0)).rowcount
        if gone:
            core.blobs.delete(blob.s3_key)
            report.blobs_deleted += 1
            report.bytes_freed += blob.size
    # 2. Expired large-file sessions.
    now = utcnow()
    with core.db.read() as s:
        expired = list(s.exec(select(UploadSession).where(UploadSession.expires_at <= now)).all())
    for sess in expired:
        core.blobs.abort_multipart(sess.s3_key, sess.s3_upload_id)
        with core.db.write() as s:
            s.exec(delete(UploadSession).where(col(UploadSession.id) == sess.id))
        report.sessions_aborted += 1
    # 3. Objects with no blob row: an upload that crashed between the bytes and the commit.
    cutoff = now - timedelta(seconds=core.settings.gc_grace_seconds)
    batch: list[tuple[str, int]] = []

    def flush() -> None:
        keys = [k for k, _ in batch]
        with core.db.read() as s:
            known = set(s.exec(select(Blob.s3_key).where(col(Blob.s3_key).in_(keys))).all())
            known |= set(s.exec(select(UploadSession.s3_key).where(col(UploadSession.s3_key).in_(keys))).all())
        orphans = [(k, n) for k, n in batch if k not in known]
        if orphans:
            core.blobs.delete_many([k for k, _ in orphans])
            report.orphans_deleted += len(orphans)
            report.bytes_freed += sum(n for _, n in orphans)
        batch.clear()

    for obj in core.blobs.objects("blobs/"):
        if obj.last_modified < cutoff:
            batch.append((obj.key, obj.size))
            if len(batch) >= 500:
                flush()
    if batch:
        flush()
    log.info("gc: %s", report)
    return report
