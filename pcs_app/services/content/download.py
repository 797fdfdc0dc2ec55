"""Reading content: which bytes a download streams (any version), ranges of them, a preview's head."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlmodel import col, select

from pcs_app.models import FILE, Blob, Node, Version, is_row_id

from ..access import Actor, Perm, check_node
from ..core import Core
from ..errors import Conflict, NotFound


@dataclass(frozen=True)
class Download:
    node: Node
    version: Version
    s3_key: str


# The version and its object's key in one query, built once (a small download is mostly per-request cost).
_VERSION_AND_KEY = (
    select(Version, col(Blob.s3_key))
    .outerjoin(Blob, col(Blob.id) == col(Version.blob_id))
    .where(col(Version.id) == bindparam("version_id"))
)


def open_download(core: Core, actor: Actor, node_id: object, version_id: object = None) -> Download:
    """What to stream for a file (its current version unless ``version_id`` names an older one)."""
    with core.db.read() as s:
        node = check_node(s, actor, node_id, Perm.READ)
        if node.kind != FILE:
            raise Conflict("That is a folder; download its files, or the folder as a zip.")
        if version_id is None:
            wanted = node.version_id
        else:
            wanted = version_id if is_row_id(version_id) else None
        found = s.exec(_VERSION_AND_KEY, params={"version_id": wanted}).first() if wanted is not None else None
        if version_id is not None and (found is None or found[0].node_id != node.id):
            raise NotFound("No such version of this file.")
        if found is None:
            raise NotFound("This file has no content.")
        version, s3_key = found
        if not s3_key:  # an outer join: no blob row
            raise NotFound("This file's content is missing.")
    return Download(node, version, s3_key)


def read_range(core: Core, dl: Download, start: int, end: int) -> Iterator[bytes]:
    """Stream bytes start..end inclusive of a download."""
    if dl.version.size == 0:
        return iter(())
    return core.blobs.iter_range(dl.s3_key, start, end)


def read_head(
    core: Core, actor: Actor, node_id: object, max_bytes: int = 64 * 1024, version_id: object = None
) -> tuple[Node, bytes]:
    """The first ``max_bytes`` of a file's current content, or of one of its versions (for previews)."""
    dl = open_download(core, actor, node_id, version_id)
    if dl.version.size == 0:
        return dl.node, b""
    return dl.node, b"".join(read_range(core, dl, 0, min(dl.version.size, max_bytes) - 1))
