"""Thumbnail rules: which content gets one, at which sizes, where it is stored, and what became of it.

Thumbnails belong to content, not to files: they are keyed by sha256 (``thumbs/<sha256>/<size>.webp``),
so identical files share them and a new version gets its own. A ``thumbnail`` row per content says
``ready`` or ``none`` (never: unsupported or hostile); no row means not made yet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, exists, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pcs_app.models import FILE, Blob, JobFailure, Node, Thumbnail, Version, utcnow

from . import mime
from .access import Actor, Perm, check_node
from .core import Core
from .errors import InvalidInput, NotFound
from .tx import write_tx

log = logging.getLogger(__name__)

SIZES = (256, 1024)
JOB = "thumbnails"
CHANGE_KIND = "thumbnail"
READY, NONE = "ready", "none"
MEDIA_TYPE = "image/webp"
# Keys are derived from the content, so what a key names never changes.
# private: a shared cache (CDN) must not hand one user's thumbnail to whoever holds the URL.
# immutable is safe because clients put the content hash in the URL (?v=<sha256>).
CACHE_CONTROL = "private, max-age=31536000, immutable"
PREFIX = "thumbs/"


class NoThumbnail(NotFound):
    """No thumbnail for this file: not made yet (``state`` pending) or never (``state`` unavailable)."""

    code = "no_thumbnail"


def kind_of(mime_type: str | None) -> str | None:
    """How content of this type is drawn: image, pdf, video, or None for no thumbnail."""
    return mime.thumbnail_kind(mime_type)


def thumb_key(sha256: str, size: int) -> str:
    return f"{PREFIX}{sha256}/{size}.webp"


def etag(sha256: str, size: int) -> str:
    return f'"{sha256}-{size}"'


# -- serving -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThumbnailRef:
    """Where a file's thumbnail of one size is, and its validator."""

    sha256: str
    size: int
    key: str
    etag: str


def find(core: Core, actor: Actor, node_id: object, size: object) -> ThumbnailRef:
    """The thumbnail of a file ``actor`` may read; NoThumbnail when there is none (yet or ever)."""
    if size not in SIZES:
        raise InvalidInput(f"size must be one of {', '.join(map(str, SIZES))}.")
    assert isinstance(size, int)
    with core.db.read() as s:
        node = check_node(s, actor, node_id, Perm.READ)
        if node.kind != FILE or not node.sha256:
            raise NoThumbnail("Folders have no thumbnail.", state="unavailable")
        row = s.get(Thumbnail, node.sha256)
    if row is None:
        if kind_of(node.mime_type) is None:
            raise NoThumbnail("Files of this type have no thumbnail.", state="unavailable")
        raise NoThumbnail("The thumbnail is not made yet.", state="pending")
    if row.status != READY or str(size) not in row.sizes.split(","):
        raise NoThumbnail("This file has no thumbnail.", state="unavailable", reason=row.reason)
    return ThumbnailRef(node.sha256, size, thumb_key(node.sha256, size), etag(node.sha256, size))


def read(core: Core, ref: ThumbnailRef) -> bytes:
    """The WebP bytes; if the object went missing, the state is reset and the thumbnail made again."""
    try:
        return core.blobs.get_bytes(ref.key)
    except FileNotFoundError:
        # Only a race with garbage collection gets here (content deleted and uploaded again at once).
        log.warning("thumbnail %s is marked ready but missing; making it again", ref.key)
        with core.db.write() as s:
            s.exec(delete(Thumbnail).where(col(Thumbnail.sha256) == ref.sha256))
        after_upload(core, ref.sha256, None, force=True)
        raise NoThumbnail("The thumbnail is not made yet.", state="pending") from None


# -- making --------------------------------------------------------------------------------------


def after_upload(core: Core, sha256: str, mime_type: str | None, *, force: bool = False) -> None:
    """Queue the thumbnail job for committed content that may need one. Never raises: the upload is done."""
    if kind_of(mime_type) is None and not force:
        return
    try:
        if not force:
            with core.db.read() as s:
                if s.get(Thumbnail, sha256) is not None:
                    return
        core.jobs.enqueue(JOB, sha256)
    except Exception:  # the periodic backfill queues it later
        log.exception("could not queue thumbnails for %s", sha256)


@dataclass(frozen=True)
class Source:
    """The stored content a thumbnail is made from."""

    sha256: str
    s3_key: str
    size: int
    kind: str | None


def ready(core: Core, sha256s: list[str], size: int = 256) -> set[str]:
    """Which of these contents have a finished thumbnail of ``size`` (one query, for a listing page)."""
    wanted = sorted({h for h in sha256s if h})
    if not wanted:
        return set()
    with core.db.read() as s:
        rows = s.exec(select(Thumbnail).where(col(Thumbnail.sha256).in_(wanted), Thumbnail.status == READY)).all()
    return {r.sha256 for r in rows if str(size) in r.sizes.split(",")}


def state(core: Core, sha256: str) -> Thumbnail | None:
    with core.db.read() as s:
        return s.get(Thumbnail, sha256)


def source(core: Core, sha256: str) -> Source | None:
    """The blob holding this content and what its files call it; None when nothing references it."""
    with core.db.read() as s:
        blob = s.exec(select(Blob).where(Blob.sha256 == sha256, Blob.refcount > 0)).first()
        if blob is None:
            return None
        types = s.exec(select(Version.mime_type).where(Version.blob_id == blob.id).distinct()).all()
    kinds = [k for k in map(kind_of, types) if k]
    return Source(blob.sha256, blob.s3_key, blob.size, kinds[0] if kinds else None)


def _showing(s: Session, sha256: str, owner_id: int | None = None) -> list[Node]:
    """Live files whose current version has this content."""
    q = (
        select(Node)
        .join(Version, col(Version.node_id) == col(Node.id))
        .join(Blob, col(Blob.id) == col(Version.blob_id))
        .where(
            Blob.sha256 == sha256,
            col(Node.version_id) == col(Version.id),
            col(Node.trashed_at).is_(None),
            Node.kind == FILE,
        )
    )
    if owner_id is not None:
        q = q.where(Node.owner_id == owner_id)
    return list(s.exec(q).all())


def record_ready(core: Core, sha256: str, sizes: tuple[int, ...], width: int | None, height: int | None) -> int:
    """Mark the content's thumbnails ready and tell every file showing it; returns the changes recorded."""
    with core.db.read() as s:
        owners = sorted({n.owner_id for n in _showing(s, sha256)})
    row = Thumbnail(sha256=sha256, status=READY, sizes=",".join(map(str, sorted(sizes))), width=width, height=height)
    if not owners:
        _insert(core, row)
        return 0
    recorded = 0
    for i, owner in enumerate(owners):
        with write_tx(core, owner) as tx:
            if i == 0:
                # The state commits with (or before) the first change, so a client told of the
                # thumbnail always finds it when it asks.
                if tx.s.get(Thumbnail, sha256) is not None:
                    return 0  # another run got there first and told everyone
                tx.s.add(row)
            for node in _showing(tx.s, sha256, owner):
                tx.record(node, CHANGE_KIND)
                recorded += 1
    return recorded


def record_none(core: Core, sha256: str, reason: str) -> None:
    """Remember that this content gets no thumbnail (so nobody tries again)."""
    _insert(core, Thumbnail(sha256=sha256, status=NONE, reason=reason[:32]))


def _insert(core: Core, row: Thumbnail) -> None:
    try:
        with core.db.write() as s:
            if s.get(Thumbnail, row.sha256) is None:
                s.add(row)
    except IntegrityError:
        pass  # a concurrent run recorded it first


def missing(core: Core, limit: int = 500, older_than_seconds: int = 600) -> list[str]:
    """Content that may need thumbnails but has no state: its job was lost (crash, queue down)."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    failed = exists().where(
        col(JobFailure.job) == JOB, col(JobFailure.subject) == col(Blob.sha256), col(JobFailure.resolved_at).is_(None)
    )
    done = exists().where(col(Thumbnail.sha256) == col(Blob.sha256))
    with core.db.read() as s:
        rows = s.exec(
            select(Blob.sha256, Version.mime_type)
            .join(Version, col(Version.blob_id) == col(Blob.id))
            .where(
                col(Blob.refcount) > 0,
                col(Blob.created_at) < cutoff,
                ~done,
                ~failed,
                or_(
                    col(Version.mime_type).like("image/%"),
                    col(Version.mime_type).like("video/%"),
                    col(Version.mime_type) == "application/pdf",
                ),
            )
            .limit(limit * 4)
        ).all()
    out: list[str] = []
    for sha, mime_type in rows:
        if kind_of(mime_type) and sha not in out:
            out.append(sha)
    return out[:limit]


# -- garbage collection --------------------------------------------------------------------------


@dataclass
class ThumbGCReport:
    rows_deleted: int = 0
    objects_deleted: int = 0


def collect_garbage(core: Core) -> ThumbGCReport:
    """Delete thumbnails of content no longer stored, and objects no row explains once past the grace period."""
    report = ThumbGCReport()
    no_blob = ~exists().where(col(Blob.sha256) == col(Thumbnail.sha256))
    with core.db.read() as s:
        gone = list(s.exec(select(Thumbnail.sha256).where(no_blob)).all())
    for sha in gone:
        with core.db.write() as s:
            n = s.exec(delete(Thumbnail).where(col(Thumbnail.sha256) == sha, no_blob)).rowcount
        if n:
            report.rows_deleted += 1
            core.blobs.delete_many([thumb_key(sha, size) for size in SIZES])
            report.objects_deleted += len(SIZES)
    # Objects written by a job that never recorded its result (crashed, or its content went first).
    cutoff = utcnow() - timedelta(seconds=core.settings.gc_grace_seconds)
    old = [o.key for o in core.blobs.objects(PREFIX) if o.last_modified < cutoff]
    for i in range(0, len(old), 500):
        batch = old[i : i + 500]
        shas = {k[len(PREFIX) :].split("/", 1)[0] for k in batch}
        with core.db.read() as s:
            known = set(s.exec(select(Thumbnail.sha256).where(col(Thumbnail.sha256).in_(shas))).all())
        orphans = [k for k in batch if k[len(PREFIX) :].split("/", 1)[0] not in known]
        if orphans:
            core.blobs.delete_many(orphans)
            report.objects_deleted += len(orphans)
    return report
