"""Uploads: streamed bytes (any size) and hash-first (content this user already stores, no bytes)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlmodel import col, select

from pcs_app.models import Blob, Node, Version

from .. import mime
from ..access import Actor
from ..core import Core
from ..errors import IntegrityFailed, NotFound, TooLarge
from ..names import validate_name
from .commit import Incoming, delete_quietly, new_blob_key
from .group import commit_content
from .rules import check_conflict_mode, check_sha, check_size, precheck


def upload(
    core: Core,
    actor: Actor,
    parent_id: object,
    name: object,
    chunks: Iterable[bytes],
    *,
    size: int | None = None,
    sha256: str | None = None,
    on_conflict: str = "replace",
) -> Node:
    """Store a file streamed from ``chunks``; an existing file of that name gets a new version.

    ``size`` and ``sha256``, when the client declares them, are checked against the bytes received.
    """
    nfc = validate_name(name)
    on_conflict = check_conflict_mode(on_conflict)
    if size is not None:
        check_size(core, size)
    declared = check_sha(sha256) if sha256 is not None else None
    # A body already in memory costs nothing to send to S3 first; the commit re-checks everything.
    in_memory = isinstance(chunks, (list, tuple)) and sum(map(len, chunks)) <= core.settings.multipart_threshold
    owner = None if in_memory else precheck(core, actor, parent_id, nfc, on_conflict, size)
    limit = core.settings.max_file_size if size is None else size
    key = new_blob_key()
    hasher = hashlib.sha256()
    head = b""
    writer = core.blobs.writer(key)
    try:
        for chunk in chunks:
            if not chunk:
                continue
            if len(head) < mime.SNIFF_BYTES:
                head += chunk[: mime.SNIFF_BYTES - len(head)]
            hasher.update(chunk)
            writer.write(chunk)
            if writer.size > limit:
                raise TooLarge(
                    "More bytes arrived than declared." if size is not None else f"Files can be at most {limit} bytes."
                )
        if size is not None and writer.size != size:
            raise IntegrityFailed(f"Expected {size} bytes, received {writer.size}.")
        digest = hasher.hexdigest()
        if declared is not None and digest != declared:
            raise IntegrityFailed("The content does not match the declared sha256; nothing was saved.")
        total = writer.commit()
    except BaseException:
        writer.abort()
        raise
    item = Incoming(nfc, on_conflict, digest, total, mime.detect(nfc, head), key)
    try:
        return commit_content(core, actor, parent_id, item, owner)
    except BaseException:
        delete_quietly(core, key)
        raise


def upload_known(
    core: Core,
    actor: Actor,
    parent_id: object,
    name: object,
    sha256: object,
    size: object,
    on_conflict: str = "replace",
) -> Node:
    """Hash-first upload: create the file from content this user already stores, without bytes.

    Raises NotFound (code ``content_unknown``) when the user has no such content: send the bytes then.
    Only the user's own content counts, so nobody learns what others store.
    """
    nfc = validate_name(name)
    on_conflict = check_conflict_mode(on_conflict)
    digest, n = check_sha(sha256), check_size(core, size)
    owner = precheck(core, actor, parent_id, nfc, on_conflict, n)
    with core.db.read() as s:
        row = s.exec(
            select(Blob.id, Version.mime_type)
            .join(Version, col(Version.blob_id) == col(Blob.id))
            .join(Node, col(Node.id) == col(Version.node_id))
            .where(Blob.sha256 == digest, Blob.size == n, Node.owner_id == actor.id, col(Blob.refcount) > 0)
            .limit(1)
        ).first()
    if row is None:
        err = NotFound("That content is not stored yet; upload the bytes.")
        err.code = "content_unknown"
        raise err
    item = Incoming(nfc, on_conflict, digest, n, row[1] or mime.detect(nfc, b""), None)
    return commit_content(core, actor, parent_id, item, owner)
