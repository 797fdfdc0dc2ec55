"""Thumbnail jobs: make the WebP thumbnails of one content, and find content whose job was lost."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from pcs_app.services import mime
from pcs_app.services import thumbnails as thumbs
from pcs_app.services.core import Core

from ._render import RenderRequest
from ._sandbox import ERROR, shared_sandbox
from .registry import job

log = logging.getLogger(__name__)


class RenderFailed(RuntimeError):
    """The sandbox failed for a reason that is not the file's (the job is retried)."""


@job(thumbs.JOB, retries=5, retry_delay=10.0)
def make_thumbnails(core: Core, sha256: str) -> str:
    """Make the 256 and 1024 px WebP thumbnails of one content, or record why it gets none.

    Idempotent: content already decided is skipped, and the S3 keys derive from the content.
    """
    if thumbs.state(core, sha256) is not None:
        return "done"
    src = thumbs.source(core, sha256)
    if src is None:
        return "gone"  # no file holds it any more
    settings = core.settings
    if src.kind is None:
        thumbs.record_none(core, sha256, "unsupported")
        return "none:unsupported"
    if src.size == 0:
        thumbs.record_none(core, sha256, "empty")
        return "none:empty"
    limit = settings.thumb_max_video_bytes if src.kind == "video" else settings.thumb_max_input_bytes
    if src.size > limit:
        thumbs.record_none(core, sha256, "too_large")
        return "none:too_large"
    with tempfile.TemporaryDirectory(prefix="pcs-thumb-") as tmp:
        path = Path(tmp) / "input"
        try:
            head = _download(core, src.s3_key, path, limit)
        except FileNotFoundError:
            again = thumbs.source(core, sha256)
            if again is None or again.s3_key != src.s3_key:
                return "gone"  # deleted between the lookup and the read
            # The row says stored but S3 has no bytes: say so once instead of trying forever.
            log.error("content %s is referenced but %s is missing from S3", sha256, src.s3_key)
            thumbs.record_none(core, sha256, "missing")
            return "none:missing"
        # The bytes decide over the name: a PNG called .jpg is still drawn; a text called .jpg is not.
        kind = thumbs.kind_of(mime.detect("", head)) or src.kind
        req = RenderRequest(
            input=str(path),
            out_dir=tmp,
            kind=kind,
            sizes=thumbs.SIZES,
            max_pixels=settings.thumb_max_pixels,
            timeout=settings.thumb_timeout_seconds,
        )
        result = shared_sandbox(settings.thumb_memory_mb).render(req, settings.thumb_timeout_seconds + 5)
        if not result.ok:
            if result.reason == ERROR:
                raise RenderFailed(result.detail)
            log.info("no thumbnail for %s: %s %s", sha256, result.reason, result.detail)
            thumbs.record_none(core, sha256, result.reason or "unknown")
            return f"none:{result.reason}"
        for size, out in result.outputs.items():
            core.blobs.put_bytes(thumbs.thumb_key(sha256, size), Path(out).read_bytes(), thumbs.MEDIA_TYPE)
    told = thumbs.record_ready(core, sha256, tuple(result.outputs), result.width, result.height)
    return f"ready:{told}"


def _download(core: Core, key: str, path: Path, limit: int) -> bytes:
    """Copy an object to a local file (memory stays at one chunk); returns its first bytes for sniffing."""
    head = b""
    written = 0
    with open(path, "wb") as f:
        for chunk in core.blobs.iter_range(key, chunk_size=1024 * 1024):
            if len(head) < mime.SNIFF_BYTES:
                head += chunk[: mime.SNIFF_BYTES - len(head)]
            written += len(chunk)
            if written > limit:
                raise RenderFailed(f"{key} is larger than its blob row says")
            f.write(chunk)
    return head


@job("thumbnails_backfill", retries=2, retry_delay=60.0, every=lambda s: 15)
def thumbnails_backfill(core: Core, limit: int = 500, older_than_seconds: int = 600) -> int:
    """Queue thumbnails for content that has none and no job record: lost jobs, or files from before thumbnails."""
    shas = thumbs.missing(core, limit=limit, older_than_seconds=older_than_seconds)
    for sha in shas:
        core.jobs.enqueue(thumbs.JOB, sha)
    if shas:
        log.info("thumbnails backfill queued %d", len(shas))
    return len(shas)
