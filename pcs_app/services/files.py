"""File content: streamed and hash-first uploads, large-file sessions, versions, downloads.

Crash order: bytes go to S3 under a fresh key first; the metadata that makes them visible is
committed second. A crash in between leaves only an unreferenced object, which GC reclaims.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from pcs_app.models import FILE, FOLDER, Blob, Node, UploadSession, User, Version, utcnow

from . import mime, thumbnails
from .access import check_folder, check_node
from .core import Core
from .errors import Conflict, IntegrityFailed, InvalidInput, NotFound, QuotaExceeded, TooLarge
from .names import name_key, validate_name
from .nodes import _flush_unique, _touch, resolve_name
from .tx import write_tx

log = logging.getLogger(__name__)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
UPLOAD_CONFLICTS = ("replace", "rename", "fail")
MAX_PARTS = 10_000


@dataclass(frozen=True)
class Download:
    node: Node
    version: Version
    s3_key: str


def new_blob_key() -> str:
    u = uuid.uuid4().hex
    return f"blobs/{u[:2]}/{u}"


def _check_sha(sha256: object) -> str:
    if not isinstance(sha256, str) or not _SHA256.match(sha256.lower()):
        raise InvalidInput("sha256 must be 64 hexadecimal characters.")
    return sha256.lower()


def _check_size(core: Core, size: object) -> int:
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise InvalidInput("size must be a whole number of bytes, 0 or more.")
    if size > core.settings.max_file_size:
        raise TooLarge(f"Files can be at most {core.settings.max_file_size} bytes.")
    return size


def _check_conflict_mode(on_conflict: object) -> str:
    if on_conflict not in UPLOAD_CONFLICTS:
        raise InvalidInput("on_conflict must be 'replace', 'rename' or 'fail'.")
    return on_conflict  # type: ignore[return-value]


def _check_quota(s: Session, owner_id: int, adding: int) -> None:
    used, quota = s.exec(select(User.used_bytes, User.quota_bytes).where(User.id == owner_id)).one()
    if quota is not None and used + adding > quota:
        raise QuotaExceeded(f"Not enough space: this needs {adding} bytes and {max(quota - used, 0)} are free.")


def _precheck(core: Core, actor: User, parent_id: object, name: str, on_conflict: str, size: int | None) -> int:
    """Fail before any byte is sent when the upload cannot succeed; returns the folder's owner."""
    with core.db.read() as s:
        parent = check_folder(s, actor, parent_id, "write")
        existing = s.exec(
            select(Node).where(Node.parent_id == parent.id, Node.name_key == name_key(name), Node.trashed_at.is_(None))  # type: ignore[union-attr]
        ).first()
        if existing is not None and existing.kind == FOLDER and on_conflict != "rename":
            raise Conflict(f"A folder named '{existing.name}' is already here.", existing_id=existing.id)
        if existing is not None and on_conflict == "fail":
            raise Conflict(f"'{existing.name}' already exists in this folder.", existing_id=existing.id)
        if size is not None:
            _check_quota(s, parent.owner_id, size)
        return parent.owner_id


def upload(
    core: Core,
    actor: User,
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
    on_conflict = _check_conflict_mode(on_conflict)
    if size is not None:
        _check_size(core, size)
    declared = _check_sha(sha256) if sha256 is not None else None
    # A body already in memory costs nothing to send to S3 first; the commit re-checks everything.
    in_memory = isinstance(chunks, (list, tuple)) and sum(map(len, chunks)) <= core.settings.multipart_threshold
    owner = None if in_memory else _precheck(core, actor, parent_id, nfc, on_conflict, size)
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
    try:
        return _commit_content(
            core, actor, parent_id, nfc, on_conflict, digest, total, mime.detect(nfc, head), key, owner
        )
    except BaseException:
        _delete_quietly(core, key)
        raise


def _delete_quietly(core: Core, key: str) -> None:
    try:
        core.blobs.delete(key)
    except Exception as e:  # noqa: BLE001 - GC will reclaim it; the caller's own error matters more
        log.warning("could not delete unused object %s (GC will): %s", key, e)


def upload_known(
    core: Core, actor: User, parent_id: object, name: object, sha256: object, size: object, on_conflict: str = "replace"
) -> Node:
    """Hash-first upload: create the file from content this user already stores, without bytes.

    Raises NotFound (code ``content_unknown``) when the user has no such content: send the bytes then.
    Only the user's own content counts, so nobody learns what others store.
    """
    nfc = validate_name(name)
    on_conflict = _check_conflict_mode(on_conflict)
    digest, n = _check_sha(sha256), _check_size(core, size)
    owner = _precheck(core, actor, parent_id, nfc, on_conflict, n)
    with core.db.read() as s:
        blob_id = s.exec(
            select(Blob.id)
            .join(Version, Version.blob_id == Blob.id)
            .join(Node, Node.id == Version.node_id)
            .where(Blob.sha256 == digest, Blob.size == n, Node.owner_id == actor.id, Blob.refcount > 0)
            .limit(1)
        ).first()
        mime_type = (
            s.exec(select(Version.mime_type).where(Version.blob_id == blob_id).limit(1)).first() if blob_id else None
        )
    if blob_id is None:
        err = NotFound("That content is not stored yet; upload the bytes.")
        err.code = "content_unknown"
        raise err
    return _commit_content(
        core, actor, parent_id, nfc, on_conflict, digest, n, mime_type or mime.detect(nfc, b""), None, owner
    )


def _commit_content(
    core: Core,
    actor: User,
    parent_id: object,
    name: str,
    on_conflict: str,
    digest: str,
    size: int,
    mime_type: str,
    new_key: str | None,
    owner: int | None = None,
) -> Node:
    """Make stored bytes visible: blob (deduplicated), version, node and change in one transaction."""
    owner = owner if owner is not None else actor.id
    assert owner is not None
    for attempt in range(3):
        dropped_key: str | None = None
        try:
            with write_tx(core, owner) as tx:
                s = tx.s
                parent = check_folder(s, actor, parent_id, "write")
                if parent.owner_id != owner:
                    raise _WrongOwner(parent.owner_id)
                blob = s.exec(select(Blob).where(Blob.sha256 == digest)).first()
                if blob is not None and blob.size == size:
                    s.exec(update(Blob).where(Blob.id == blob.id).values(refcount=Blob.refcount + 1))  # type: ignore[call-overload]
                    dropped_key = new_key  # identical content is already stored
                elif blob is not None:
                    raise IntegrityFailed("sha256 collision with a different size; refusing to store.")
                elif new_key is None:
                    raise NotFound("That content is no longer stored; upload the bytes.")
                else:
                    blob = Blob(sha256=digest, size=size, s3_key=new_key, refcount=1)
                    s.add(blob)
                tx.charge(size)
                existing = s.exec(
                    select(Node).where(
                        Node.parent_id == parent.id, Node.name_key == name_key(name), Node.trashed_at.is_(None)
                    )  # type: ignore[union-attr]
                ).first()
                if existing is not None and existing.kind == FILE and on_conflict == "replace":
                    node, kind = existing, "updated"
                else:
                    if existing is not None and on_conflict != "rename":
                        raise Conflict(f"'{existing.name}' already exists in this folder.", existing_id=existing.id)
                    final = resolve_name(s, parent.id, name, "rename") if existing is not None else name
                    node = Node(
                        owner_id=parent.owner_id, parent_id=parent.id, name=final, name_key=name_key(final), kind=FILE
                    )
                    s.add(node)
                    kind = "created"
                s.flush()  # one round: blob, node
                v = Version(
                    node_id=node.id, blob_id=blob.id, size=size, sha256=digest, mime_type=mime_type, author_id=actor.id
                )  # type: ignore[arg-type]
                s.add(v)
                _flush_unique(s)
                node.version_id, node.size, node.sha256, node.mime_type, node.modified_at = (
                    v.id,
                    size,
                    digest,
                    mime_type,
                    utcnow(),
                )
                s.add(node)
                _touch(s, parent)
                tx.record(node, kind)
        except _WrongOwner as e:
            owner = e.owner
            continue
        except IntegrityError:
            # Another upload of the same content (or name) got there first: take its row instead.
            if attempt == 2:
                raise Conflict(
                    "Another upload of that name or content was committed at the same moment; try again."
                ) from None
            continue
        if dropped_key:
            _delete_quietly(core, dropped_key)
        thumbnails.after_upload(core, digest, mime_type)  # queues the job; never fails the upload
        return node
    raise Conflict("The folder changed owner during the upload; try again.")


class _WrongOwner(Exception):
    def __init__(self, owner: int) -> None:
        self.owner = owner


# -- large-file sessions: the client sends parts straight to S3 ----------------------------------


@dataclass(frozen=True)
class SessionInfo:
    session: UploadSession
    part_count: int
    part_urls: list[str]


def start_session(
    core: Core,
    actor: User,
    parent_id: object,
    name: object,
    size: object,
    *,
    sha256: object = None,
    on_conflict: str = "replace",
) -> SessionInfo:
    """Open a multipart upload and hand out presigned URLs, one per part."""
    nfc = validate_name(name)
    on_conflict = _check_conflict_mode(on_conflict)
    n = _check_size(core, size)
    digest = _check_sha(sha256) if sha256 is not None else None
    _precheck(core, actor, parent_id, nfc, on_conflict, n)
    part_size = max(core.settings.session_part_size, math.ceil(n / MAX_PARTS))
    count = max(1, math.ceil(n / part_size))
    key = new_blob_key()
    upload_id = core.blobs.create_multipart(key)
    ttl = core.settings.upload_session_ttl_seconds
    sess = UploadSession(
        user_id=actor.id,  # type: ignore[arg-type]
        parent_id=parent_id,  # type: ignore[arg-type]
        name=nfc,
        size=n,
        sha256=digest,
        on_conflict=on_conflict,
        s3_key=key,
        s3_upload_id=upload_id,
        part_size=part_size,
        expires_at=utcnow() + timedelta(seconds=ttl),
    )
    with core.db.write() as s:
        s.add(sess)
    urls = [core.blobs.presign_part(key, upload_id, i, ttl) for i in range(1, count + 1)]
    return SessionInfo(sess, count, urls)


def _own_session(core: Core, actor: User, session_id: object) -> UploadSession:
    with core.db.read() as s:
        sess = s.get(UploadSession, session_id) if isinstance(session_id, str) and len(session_id) <= 32 else None
    if sess is None or sess.user_id != actor.id:
        raise NotFound("No such upload session.")
    return sess


def complete_session(core: Core, actor: User, session_id: object) -> Node:
    """Check every part arrived with the right sizes, join them, verify the sha256, then commit."""
    sess = _own_session(core, actor, session_id)
    if sess.expires_at <= utcnow():
        abort_session(core, actor, session_id)
        raise NotFound("That upload session expired; start again.")
    count = max(1, math.ceil(sess.size / sess.part_size))
    try:
        parts = core.blobs.list_parts(sess.s3_key, sess.s3_upload_id)
    except FileNotFoundError as e:
        raise NotFound("That upload session is gone; start again.") from e
    got = {p["PartNumber"]: p for p in parts}
    missing = [i for i in range(1, count + 1) if i not in got]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
        raise Conflict(f"Parts not uploaded yet: {shown}.", missing_parts=missing[:1000])
    for i in range(1, count + 1):
        want = sess.part_size if i < count else sess.size - sess.part_size * (count - 1)
        if got[i]["Size"] != want:
            raise IntegrityFailed(f"Part {i} has {got[i]['Size']} bytes; expected {want}.")
    if len(got) > count:
        raise IntegrityFailed(f"Only parts 1 to {count} belong to this upload.")
    core.blobs.complete_multipart(sess.s3_key, sess.s3_upload_id, [got[i] for i in range(1, count + 1)])
    # The bytes never passed through us: read them back once to know their sha256 for certain.
    hasher = hashlib.sha256()
    head = b""
    total = 0
    for chunk in core.blobs.iter_range(sess.s3_key, chunk_size=8 * 1024 * 1024):
        if len(head) < mime.SNIFF_BYTES:
            head += chunk[: mime.SNIFF_BYTES - len(head)]
        hasher.update(chunk)
        total += len(chunk)
    digest = hasher.hexdigest()
    try:
        if total != sess.size:
            raise IntegrityFailed(f"Expected {sess.size} bytes, S3 holds {total}.")
        if sess.sha256 is not None and digest != sess.sha256:
            raise IntegrityFailed("The content does not match the declared sha256; nothing was saved.")
        node = _commit_content(
            core,
            actor,
            sess.parent_id,
            sess.name,
            sess.on_conflict,
            digest,
            total,
            mime.detect(sess.name, head),
            sess.s3_key,
        )
    except BaseException:
        _delete_quietly(core, sess.s3_key)
        _drop_session(core, sess.id)
        raise
    _drop_session(core, sess.id)
    return node


def _drop_session(core: Core, session_id: str) -> None:
    with core.db.write() as s:
        row = s.get(UploadSession, session_id)
        if row is not None:
            s.delete(row)


def abort_session(core: Core, actor: User, session_id: object) -> None:
    sess = _own_session(core, actor, session_id)
    core.blobs.abort_multipart(sess.s3_key, sess.s3_upload_id)
    _drop_session(core, sess.id)


# -- reading content -----------------------------------------------------------------------------


def open_download(core: Core, actor: User, node_id: object, version_id: object = None) -> Download:
    """What to stream for a file (its current version unless ``version_id`` names an older one)."""
    with core.db.read() as s:
        node = check_node(s, actor, node_id, "read")
        if node.kind != FILE:
            raise InvalidInput("That is a folder; download its files, or the folder as a zip.")
        if version_id is None:
            version = s.get(Version, node.version_id)
        else:
            version = s.get(Version, version_id) if isinstance(version_id, int) else None
            if version is None or version.node_id != node.id:
                raise NotFound("No such version of this file.")
        if version is None:
            raise NotFound("This file has no content.")
        blob = s.get(Blob, version.blob_id)
        assert blob is not None
    return Download(node, version, blob.s3_key)


def read_range(core: Core, dl: Download, start: int, end: int) -> Iterator[bytes]:
    """Stream bytes start..end inclusive of a download."""
    if dl.version.size == 0:
        return iter(())
    return core.blobs.iter_range(dl.s3_key, start, end)


def read_head(core: Core, actor: User, node_id: object, max_bytes: int = 64 * 1024) -> tuple[Node, bytes]:
    """The first ``max_bytes`` of a file's current content (for previews)."""
    dl = open_download(core, actor, node_id)
    if dl.version.size == 0:
        return dl.node, b""
    return dl.node, b"".join(read_range(core, dl, 0, min(dl.version.size, max_bytes) - 1))


def list_versions(core: Core, actor: User, node_id: object) -> list[Version]:
    with core.db.read() as s:
        node = check_node(s, actor, node_id, "read")
        return list(s.exec(select(Version).where(Version.node_id == node.id).order_by(Version.id.desc())).all())  # type: ignore[union-attr]
