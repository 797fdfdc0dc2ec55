"""Search jobs: follow an account's change feed into the index (with the text of new content, read in
the sandbox), a periodic sweep for lost jobs, and a full rebuild."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlmodel import select

from pcs_app.models import Blob, Node, SearchText
from pcs_app.services import search
from pcs_app.services.core import Core
from pcs_app.services.search import indexing, texts

from ._extract import extract_in_sandbox, file_format
from .registry import job

log = logging.getLogger(__name__)


class ExtractFailed(RuntimeError):
    """Reading a file's text failed for a reason that is not the file's (the job is retried)."""


def _blob_key(core: Core, sha256: str) -> str | None:
    with core.db.read() as s:
        blob = s.exec(select(Blob).where(Blob.sha256 == sha256, Blob.refcount > 0)).first()
    return blob.s3_key if blob is not None else None


def _download(core: Core, key: str, path: Path, limit: int) -> None:
    """The object's first ``limit`` bytes into a local file (a chunk in memory at a time)."""
    with open(path, "wb") as f:
        if limit <= 0:
            return
        for chunk in core.blobs.iter_range(key, 0, limit - 1):
            f.write(chunk)


def read_text(core: Core, node: Node, row: SearchText | None) -> SearchText | None:
    """The text row of ``node``'s content: ``row`` when it stands, else read now (sandboxed) and stored."""
    fmt = file_format(node.mime_type or "", node.name)
    if row is not None and not (row.reason == texts.UNSUPPORTED and fmt is not None):
        return row  # read before (a file of another name may now say it is text: then read it again)
    sha = node.sha256 or ""
    if fmt is None:
        return row or texts.save(core, SearchText(sha256=sha, reason=texts.UNSUPPORTED))
    s = core.settings
    if node.size == 0:
        return texts.save(core, SearchText(sha256=sha, fmt=fmt, reason="empty"))
    if fmt not in ("text", "html") and node.size > s.extract_max_file_bytes:
        detail = f"{node.size} bytes is over {s.extract_max_file_bytes}"
        return texts.save(core, SearchText(sha256=sha, fmt=fmt, reason="too_large", detail=detail))
    key = _blob_key(core, sha)
    if key is None:
        return row  # no file holds it any more
    # Plain text is read only as far as max_chars can need (4 bytes a character, one more to see
    # there is more); HTML up to the file limit (one byte past it says "too large"); the rest whole.
    limit = {"text": s.extract_max_chars * 4 + 5, "html": s.extract_max_file_bytes + 1}.get(fmt, node.size)
    with tempfile.TemporaryDirectory(prefix="pcs-text-") as tmp:
        path = Path(tmp) / "input"
        try:
            _download(core, key, path, min(limit, node.size))
        except FileNotFoundError:
            if _blob_key(core, sha) != key:
                return row  # deleted between the lookup and the read
            log.error("content %s is referenced but %s is missing from S3", sha, key)
            return texts.save(core, SearchText(sha256=sha, fmt=fmt, reason="missing"))
        got = extract_in_sandbox(
            str(path),
            node.mime_type or "",
            node.name,
            s.extract_max_chars,
            s.thumb_memory_mb,
            s.extract_timeout_seconds,
            max_file_bytes=s.extract_max_file_bytes,
            max_unzipped_bytes=s.extract_max_unzipped_bytes,
        )
    if got.skipped_reason == "error":
        raise ExtractFailed(got.detail)
    if got.skipped_reason:
        log.info("text of %s (%s): %s %s", sha, node.name, got.skipped_reason, got.detail)
    fresh = SearchText(
        sha256=sha, fmt=fmt, text=got.text, truncated=got.truncated, reason=got.skipped_reason, detail=got.detail
    )
    return texts.save(core, fresh)


def _extractor(core: Core) -> indexing.Extractor:
    return lambda node, row: read_text(core, node, row)


@job(indexing.JOB, retries=5, retry_delay=10.0, coalesce=True)
def search_sync(core: Core, owner_id: int) -> dict[str, Any]:
    """Bring the index up to date with one account's change feed (idempotent). Every commit asks for
    it; while one call for the account waits to start, further asks are that call (a run reads the
    whole feed since the index's cursor)."""
    return asdict(search.sync_owner(core, int(owner_id), _extractor(core)))


@job("search_sweep", retries=1, retry_delay=60.0, every=lambda s: s.search_sweep_minutes)
def search_sweep(core: Core, limit: int = 200) -> dict[str, Any]:
    """Catch up what lost jobs left behind, fill an index that came up empty, drop text no file holds."""
    out: dict[str, Any] = {}
    if indexing.needs_rebuild(core):
        log.warning("the search index is empty but files exist: rebuilding it")
        try:
            out["rebuilt"] = asdict(search.rebuild(core, _extractor(core)))
        except indexing.RebuildRunning:
            out["rebuilt"] = "already under way"
    else:
        behind = search.owners_behind(core, limit)
        done = indexing.IndexReport()
        for owner in behind:
            done.add(search.sync_owner(core, owner, _extractor(core)))
        if behind:
            log.info("search sweep: %d accounts caught up (%s)", len(behind), done)
        out.update(accounts=len(behind), **asdict(done))
    out["texts_dropped"] = texts.collect_garbage(core)
    out["cursors_dropped"] = indexing.drop_stale_cursors(core)
    return out


@job("search_rebuild", retries=2, retry_delay=60.0)
def search_rebuild(core: Core) -> dict[str, Any]:
    """Rebuild the whole index from the database (``pcs reindex`` does the same in the foreground)."""
    return asdict(search.rebuild(core, _extractor(core)))


def rebuild_now(core: Core, progress: Any = None) -> indexing.IndexReport:
    """A full rebuild in this process, reading the text of content not read yet (for the command line)."""
    return search.rebuild(core, _extractor(core), progress)
