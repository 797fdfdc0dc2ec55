"""Garbage collection: reclaim the bytes nobody references (run periodically as a job).

What goes, in order: blobs whose last reference went away; expired large-file sessions; items of
copies that never finished; objects no row knows (an upload that died between its bytes and its
commit); and unfinished S3 multipart uploads nobody owns (a streamed upload killed midway leaves its
parts behind, and parts are no object: an object listing never shows them).

Every delete re-checks its condition in the same statement, so two collectors at once, or a
collector beside uploads, are safe: a blob row is deleted only while no reference holds it, and an
upload that meets the row a moment later finds it gone and stores its own copy (content/commit.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col, select

from pcs_app.adapters.blobstore import MultipartInfo
from pcs_app.models import Blob, Node, UploadSession, utcnow

from .core import Core
from .errors import NotFound
from .tree.copy import abandoned_copies
from .tree.purge import purge

log = logging.getLogger(__name__)

BATCH = 1000  # keys per S3 DeleteObjects request, rows per statement
DELETES_IN_FLIGHT = 2


@dataclass
class GCReport:
    blobs_deleted: int = 0
    orphans_deleted: int = 0
    sessions_aborted: int = 0
    multipart_aborted: int = 0
    copies_purged: int = 0
    bytes_freed: int = 0


def collect_garbage(core: Core, *, orphans: bool = True) -> GCReport:
    """Delete unreferenced blobs, expired sessions, abandoned copies, orphaned objects and parts.

    ``orphans=False`` leaves out the objects no row knows: finding them lists the whole bucket (on S3
    one request per 1,000 objects), so the hourly job leaves them to a daily sweep (backend_jobs/gc.py)."""
    report = GCReport()
    now = utcnow()
    cutoff = now - timedelta(seconds=core.settings.gc_grace_seconds)
    _dead_blobs(core, report)
    _expired_sessions(core, report, now)
    _abandoned_copies(core, report, cutoff)
    _dead_blobs(core, report)  # what the abandoned copies referenced
    if orphans:
        _orphan_objects(core, report, cutoff)
    _stale_multipart(core, report, cutoff)
    log.info("gc: %s", report)
    return report


def _dead_blobs(core: Core, report: GCReport) -> None:
    """Blobs whose last reference went away: the row first (only while still unreferenced, in the
    same statement), then the object, a thousand at a time. Up to DELETES_IN_FLIGHT DeleteObjects
    requests run side by side while the next thousand rows are found and deleted: sent one after
    another, they took most of the collection's time. Rows always go first, so a crash in between
    leaves only objects no row knows, which the daily sweep removes."""
    last = 0
    in_flight: list[Future[None]] = []
    with ThreadPoolExecutor(DELETES_IN_FLIGHT, thread_name_prefix="gc-delete") as deleter:
        while True:
            with core.db.read() as s:
                ids = list(
                    s.exec(
                        select(Blob.id)
                        .where(col(Blob.refcount) <= 0, col(Blob.id) > last)
                        .order_by(col(Blob.id))
                        .limit(BATCH)
                    ).all()
                )
            if not ids:
                break
            last = max(i for i in ids if i is not None)
            with core.db.write() as s:
                gone = s.exec(
                    delete(Blob)
                    .where(col(Blob.id).in_(ids), col(Blob.refcount) <= 0)
                    .returning(col(Blob.s3_key), col(Blob.size))
                ).all()
            if gone:
                if len(in_flight) >= DELETES_IN_FLIGHT:
                    in_flight.pop(0).result()  # a failed delete stops the collection
                in_flight.append(deleter.submit(core.blobs.delete_many, [key for key, _ in gone]))
                report.blobs_deleted += len(gone)
                report.bytes_freed += sum(size for _, size in gone)
        for f in in_flight:
            f.result()


def _expired_sessions(core: Core, report: GCReport, now: datetime) -> None:
    with core.db.read() as s:
        expired = list(s.exec(select(UploadSession).where(UploadSession.expires_at <= now)).all())
    for sess in expired:
        report.bytes_freed += _parts_size(core, sess.s3_key, sess.s3_upload_id)
        core.blobs.abort_multipart(sess.s3_key, sess.s3_upload_id)
        with core.db.write() as s:
            s.exec(delete(UploadSession).where(col(UploadSession.id) == sess.id))
        report.sessions_aborted += 1


def _abandoned_copies(core: Core, report: GCReport, cutoff: datetime) -> None:
    with core.db.read() as s:
        tops = abandoned_copies(s, cutoff)
        owners = dict(s.exec(select(Node.id, Node.owner_id).where(col(Node.id).in_(tops))).all()) if tops else {}
    for top in tops:
        try:
            purge(core, owners[top], top, hidden_copy=True)
            report.copies_purged += 1
        except NotFound:
            continue  # finished or purged meanwhile


def _known_keys(core: Core, keys: list[str]) -> set[str]:
    with core.db.read() as s:
        known = set(s.exec(select(Blob.s3_key).where(col(Blob.s3_key).in_(keys))).all())
        known |= set(s.exec(select(UploadSession.s3_key).where(col(UploadSession.s3_key).in_(keys))).all())
    return known


def _orphan_objects(core: Core, report: GCReport, cutoff: datetime) -> None:
    """Objects with no row, older than the grace period (an upload that crashed before its commit)."""
    batch: list[tuple[str, int]] = []

    def flush() -> None:
        known = _known_keys(core, [k for k, _ in batch])
        orphans = [(k, n) for k, n in batch if k not in known]
        if orphans:
            core.blobs.delete_many([k for k, _ in orphans])
            report.orphans_deleted += len(orphans)
            report.bytes_freed += sum(n for _, n in orphans)
        batch.clear()

    for obj in core.blobs.objects("blobs/"):
        if obj.last_modified < cutoff:
            batch.append((obj.key, obj.size))
            if len(batch) >= BATCH:
                flush()
    if batch:
        flush()


def stale_multipart(core: Core, cutoff: datetime) -> Iterator[tuple[MultipartInfo, int]]:
    """Unfinished multipart uploads nobody owns: no live large-file session holds them, and neither
    they nor their newest part are younger than ``cutoff`` (a long upload still sending is alive).
    Yields each with the bytes its parts take."""
    for mp in core.blobs.multipart_uploads("blobs/"):
        if mp.initiated >= cutoff:
            continue
        with core.db.read() as s:
            owned = s.exec(
                select(UploadSession.id).where(
                    UploadSession.s3_key == mp.key, UploadSession.s3_upload_id == mp.upload_id
                )
            ).first()
        if owned is not None:
            continue
        try:
            parts = core.blobs.list_parts(mp.key, mp.upload_id)
        except FileNotFoundError:
            continue  # completed or aborted meanwhile
        if any(p["LastModified"] >= cutoff for p in parts):
            continue
        yield mp, sum(int(p["Size"]) for p in parts)


def _stale_multipart(core: Core, report: GCReport, cutoff: datetime) -> None:
    for mp, size in list(stale_multipart(core, cutoff)):
        core.blobs.abort_multipart(mp.key, mp.upload_id)
        report.multipart_aborted += 1
        report.bytes_freed += size


def _parts_size(core: Core, key: str, upload_id: str) -> int:
    try:
        return sum(int(p["Size"]) for p in core.blobs.list_parts(key, upload_id))
    except FileNotFoundError:
        return 0
