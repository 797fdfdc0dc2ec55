"""Large-file sessions: the client sends parts straight to S3 with presigned URLs, then completes."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from pcs_app.models import Node, UploadSession, User, looks_like_id, utcnow

from .. import mime
from ..access import account
from ..core import Core
from ..errors import Conflict, IntegrityFailed, NotFound
from ..names import validate_name
from .commit import Incoming, delete_quietly, new_blob_key
from .group import commit_content
from .rules import check_conflict_mode, check_sha, check_size, precheck

MAX_PARTS = 10_000


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
    on_conflict = check_conflict_mode(on_conflict)
    n = check_size(core, size)
    digest = check_sha(sha256) if sha256 is not None else None
    user = account(actor)
    precheck(core, user, parent_id, nfc, on_conflict, n)
    if user.id is None or not isinstance(parent_id, str):
        raise NotFound("No such folder.")
    part_size = max(core.settings.session_part_size, math.ceil(n / MAX_PARTS))
    count = max(1, math.ceil(n / part_size))
    key = new_blob_key()
    upload_id = core.blobs.create_multipart(key)
    ttl = core.settings.upload_session_ttl_seconds
    sess = UploadSession(
        user_id=user.id,
        parent_id=parent_id,
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
    # Browsers PUT the parts from the app's pages: the bucket must let those origins do it.
    core.blobs.allow_browser_uploads(core.settings.origins)
    urls = [core.blobs.presign_part(key, upload_id, i, ttl) for i in range(1, count + 1)]
    return SessionInfo(sess, count, urls)


def _expected(sess: UploadSession, number: int, count: int) -> int:
    return sess.part_size if number < count else sess.size - sess.part_size * (count - 1)


def session_state(core: Core, actor: User, session_id: object) -> tuple[SessionInfo, list[int]]:
    """An unfinished session again, to resume it (after a reload, a dropped connection): fresh part
    URLs, and the numbers of the parts S3 already holds whole."""
    sess = _own_session(core, actor, session_id)
    left = int((sess.expires_at - utcnow()).total_seconds())
    if left <= 0:
        abort_session(core, actor, session_id)
        raise NotFound("That upload session expired; start again.")
    count = max(1, math.ceil(sess.size / sess.part_size))
    try:
        parts = core.blobs.list_parts(sess.s3_key, sess.s3_upload_id)
    except FileNotFoundError as e:
        raise NotFound("That upload session is gone; start again.") from e
    done = sorted(
        p["PartNumber"]
        for p in parts
        if 1 <= p["PartNumber"] <= count and p["Size"] == _expected(sess, p["PartNumber"], count)
    )
    urls = [core.blobs.presign_part(sess.s3_key, sess.s3_upload_id, i, left) for i in range(1, count + 1)]
    return SessionInfo(sess, count, urls), done


def _own_session(core: Core, actor: User, session_id: object) -> UploadSession:
    sess = None
    if looks_like_id(session_id):
        with core.db.read() as s:
            sess = s.get(UploadSession, session_id)
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
        want = _expected(sess, i, count)
        if got[i]["Size"] != want:
            raise IntegrityFailed(f"Part {i} has {got[i]['Size']} bytes; expected {want}.")
    if len(got) > count:
        raise IntegrityFailed(f"Only parts 1 to {count} belong to this upload.")
    core.blobs.complete_multipart(sess.s3_key, sess.s3_upload_id, [got[i] for i in range(1, count + 1)])
    # The bytes never passed through us: read them back once to know their sha256 for certain.
    hasher = hashlib.sha256()
    head = b""
    total = 0
    for chunk in core.blobs.iter_ahead(sess.s3_key, sess.size):
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
        item = Incoming(sess.name, sess.on_conflict, digest, total, mime.detect(sess.name, head), sess.s3_key)
        node = commit_content(core, actor, sess.parent_id, item)
    except BaseException:
        delete_quietly(core, sess.s3_key)
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
