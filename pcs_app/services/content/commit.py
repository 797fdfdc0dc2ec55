"""Making stored bytes visible: blob (deduplicated), version, node and change in one transaction.

Crash order: bytes go to S3 under a fresh key first; the metadata that makes them visible is
committed second. A crash in between leaves only an unreferenced object, which GC reclaims.
``place`` is the general rule for one item; ``placing`` applies it (or its multi-row form) to many
items in one transaction, and ``group`` gathers concurrent uploads into such transactions.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from sqlmodel import col, select, update

from pcs_app.models import FILE, Blob, Node, Version, utcnow

from ..access import Actor
from ..core import Core
from ..errors import Conflict, IntegrityFailed, NotFound
from ..names import name_key
from ..tree.common import flush_unique, resolve_name, taken, touch
from ..tx import Tx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incoming:
    """Content that is stored (or known) and is to become the file ``name`` in a folder."""

    name: str
    on_conflict: str
    sha256: str
    size: int
    mime_type: str
    new_key: str | None  # the object just written for it; None for hash-first uploads


def new_blob_key() -> str:
    u = uuid.uuid4().hex
    return f"blobs/{u[:2]}/{u}"


def delete_quietly(core: Core, key: str) -> None:
    """Delete an object nobody will reference; GC catches it if this fails."""
    try:
        core.blobs.delete(key)
    except Exception as e:  # noqa: BLE001 - GC will reclaim it; the caller's own error matters more
        log.warning("could not delete unused object %s (GC will): %s", key, e)


def place(tx: Tx, actor: Actor, parent: Node, item: Incoming) -> tuple[Node, str | None]:
    """In an open transaction: reference the blob, add the version, create or update the node.

    Returns the node and the object key that turned out not to be needed (identical content stored).
    """
    s = tx.s
    dropped: str | None = None
    blob = s.exec(select(Blob).where(Blob.sha256 == item.sha256)).first()
    if blob is not None and blob.size != item.size:
        raise IntegrityFailed("sha256 collision with a different size; refusing to store.")
    # Take the reference in one statement that also proves the row is still there: garbage
    # collection may have deleted an unreferenced row since the SELECT (its delete re-checks
    # refcount <= 0 in the same statement, so once this update lands the row is safe).
    if (
        blob is not None
        and s.exec(update(Blob).where(col(Blob.id) == blob.id).values(refcount=col(Blob.refcount) + 1)).rowcount
    ):
        dropped = item.new_key  # identical content is already stored
    elif item.new_key is None:
        raise NotFound("That content is no longer stored; upload the bytes.")
    else:
        if blob is not None:
            s.expunge(blob)  # collected a moment ago: store this copy instead
        blob = Blob(sha256=item.sha256, size=item.size, s3_key=item.new_key, refcount=1)
        s.add(blob)
    tx.charge(item.size)
    existing = taken(s, parent.id, item.name)
    if existing is not None and existing.kind == FILE and item.on_conflict == "replace":
        node, kind = existing, "updated"
    else:
        if existing is not None and item.on_conflict != "rename":
            raise Conflict(f"'{existing.name}' already exists in this folder.", existing_id=existing.id)
        final = resolve_name(s, parent.id, item.name, "rename") if existing is not None else item.name
        node = Node(owner_id=parent.owner_id, parent_id=parent.id, name=final, name_key=name_key(final), kind=FILE)
        s.add(node)
        kind = "created"
    s.flush()  # one round: blob, node
    if blob.id is None:
        raise NotFound("The content row was not stored.")
    v = Version(
        node_id=node.id,
        blob_id=blob.id,
        size=item.size,
        sha256=item.sha256,
        mime_type=item.mime_type,
        author_id=actor.id,
    )
    s.add(v)
    flush_unique(s)
    node.version_id, node.size, node.sha256, node.mime_type = v.id, item.size, item.sha256, item.mime_type
    node.modified_at = utcnow()
    s.add(node)
    touch(s, parent)
    tx.record(node, kind)
    return node, dropped
