"""The text read from each content for the search index, kept in the database (table ``search_text``).

Text belongs to content, not to files (like thumbnails): one row per sha256, so a rename, a move or a
copy reindexes without reading the file again. A row also says when the text is incomplete or missing
and why (``reason``: too_large, corrupt, encrypted, timeout, …), which the search results pass on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from sqlalchemy import delete, exists
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pcs_app.models import Blob, SearchText

from ..core import Core

# What a result says about the text inside a file.
Status = Literal["indexed", "partial", "skipped", "none", "pending"]
INDEXED: Final = "indexed"
PARTIAL: Final = "partial"
SKIPPED: Final = "skipped"
NOT_TEXT: Final = "none"
PENDING: Final = "pending"
UNSUPPORTED = "unsupported"
# Characters a database text column refuses (PostgreSQL: NUL) or cannot encode (lone surrogates).
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class ContentNote:
    """Whether a file's text was searched: ``status`` (indexed, partial, skipped, none, pending) and why."""

    status: Status
    reason: str | None = None


def clean(text: str) -> str:
    """``text`` without the characters a database cannot store."""
    return _UNSTORABLE.sub(" ", text)


def rows_for(s: Session, shas: Iterable[str]) -> dict[str, SearchText]:
    """The stored rows of these contents (missing ones: not read yet)."""
    wanted = sorted({h for h in shas if h})
    out: dict[str, SearchText] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        out.update({r.sha256: r for r in s.exec(select(SearchText).where(col(SearchText.sha256).in_(chunk))).all()})
    return out


def save(core: Core, row: SearchText) -> SearchText:
    """Store (or replace) the row of one content."""
    row.text = clean(row.text)
    row.detail = clean(row.detail)[:300]
    row.reason = row.reason[:16] if row.reason else None
    for _ in range(2):
        try:
            with core.db.write() as s:
                old = s.get(SearchText, row.sha256)
                if old is not None:
                    s.delete(old)
                    s.flush()
                s.add(SearchText.model_validate(row.model_dump()))
            return row
        except IntegrityError:  # another job stored the same content first: store ours over it
            continue
    return row


def note(row: SearchText | None) -> ContentNote:
    """What a result says about a file whose text is ``row`` (None: not read yet)."""
    if row is None:
        return ContentNote(PENDING)
    if row.reason == UNSUPPORTED:
        return ContentNote(NOT_TEXT)
    if row.reason is not None:
        return ContentNote(PARTIAL if row.text else SKIPPED, row.reason)
    return ContentNote(PARTIAL, "max_chars") if row.truncated else ContentNote(INDEXED)


def collect_garbage(core: Core) -> int:
    """Delete the text of contents no file holds any more; returns how many rows went."""
    held = exists().where(col(Blob.sha256) == col(SearchText.sha256), col(Blob.refcount) > 0)
    with core.db.write() as s:
        return int(s.exec(delete(SearchText).where(~held)).rowcount)
