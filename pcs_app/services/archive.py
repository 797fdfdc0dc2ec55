"""Folders and selections as a zip, streamed: stored (no compression), zip64, never built in memory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import zipstream
from sqlmodel import col, select

from pcs_app.models import FOLDER, Blob, Node, Version

from .access import Actor, Perm, check_node
from .content import Download, read_range
from .core import Core
from .errors import InvalidInput, TooLarge
from .names import name_key, numbered
from .usage import events as usage_events

MAX_ENTRIES = 100_000


@dataclass(frozen=True)
class Archive:
    name: str
    size: int
    chunks: Iterator[bytes]


def _walk(
    core: Core, actor: Actor, ids: list[str], exclude: frozenset[str] = frozenset()
) -> tuple[str, list[tuple[str, Download | None]]]:
    entries: list[tuple[str, Download | None]] = []
    with core.db.read() as s:
        tops = [check_node(s, actor, i, Perm.READ) for i in ids]
        queue: list[tuple[Node, str]] = list(zip(tops, unique_names([n.name for n in tops]), strict=True))
        while queue:
            node, path = queue.pop(0)
            if len(entries) >= MAX_ENTRIES:
                raise TooLarge(f"A zip can hold at most {MAX_ENTRIES} entries; download fewer items.")
            if node.kind == FOLDER:
                entries.append((path + "/", None))
                kids = s.exec(
                    select(Node)
                    .where(Node.parent_id == node.id, col(Node.trashed_at).is_(None))
                    .order_by(col(Node.kind), col(Node.name_key))
                ).all()
                queue.extend((k, f"{path}/{k.name}") for k in kids if k.id not in exclude)
            elif node.version_id is not None:
                row = s.exec(
                    select(Version, Blob)
                    .join(Blob, col(Blob.id) == col(Version.blob_id))
                    .where(Version.id == node.version_id)
                ).one()
                entries.append((path, Download(node, row[0], row[1].s3_key)))
    name = f"{tops[0].name}.zip" if len(tops) == 1 and tops[0].kind == FOLDER else "PCS download.zip"
    return name, entries


def unique_names(names: list[str]) -> list[str]:
    """The names, with later repeats (ignoring case) numbered: 'same.txt', 'same (1).txt'."""
    used: set[str] = set()
    out: list[str] = []
    for name in names:
        candidate, n = name, 0
        while name_key(candidate) in used:
            n += 1
            candidate = numbered(name, n)
        used.add(name_key(candidate))
        out.append(candidate)
    return out


def build(core: Core, actor: Actor, ids: list[str], exclude: list[str] | None = None) -> Archive:
    """A zip of the given files and folders (each checked for read access), less anything inside them
    listed in ``exclude`` (a whole folder selected but for a few items)."""
    ids = list(dict.fromkeys(ids))  # a repeat counts once
    if not ids or len(ids) > 1000:
        raise InvalidInput("Choose between 1 and 1000 items to download.")
    if exclude is not None and len(exclude) > 1000:
        raise InvalidInput("Leave out at most 1000 items.")
    name, entries = _walk(core, actor, ids, frozenset(exclude or ()))
    zs = zipstream.ZipStream(sized=True)
    for path, dl in entries:
        if dl is None:
            zs.mkdir(path)
        else:
            zs.add(_lazy(core, dl), path, size=dl.version.size)
    usage_events.archived(core, ids, name, len(zs))  # audit + usage: one download
    return Archive(name, len(zs), iter(zs))


def _lazy(core: Core, dl: Download) -> Iterator[bytes]:
    # A generator: S3 is asked for these bytes only when the zip stream reaches this entry.
    yield from read_range(core, dl, 0, dl.version.size - 1)
