"""The search index's vocabulary: what goes in (SearchDoc), what is asked (SearchQuery), what comes out
(SearchPage), and the interface every backend implements (SearchIndex)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Literal, Protocol

DocKind = Literal["file", "folder"]
TYPES = (
    "image",
    "document",
    "spreadsheet",
    "presentation",
    "pdf",
    "video",
    "audio",
    "archive",
    "code",
    "folder",
    "other",
)
MAX_LIMIT = 200


class InvalidQuery(ValueError):
    """A query the index refuses; ``reason`` is a short stable word the API can return as is.

    Reasons: ``too_long`` (over MAX_QUERY_CHARS characters), ``too_many_words`` (over MAX_QUERY_TOKENS
    words), ``empty`` (no searchable word and no filter), ``bad_limit``, ``bad_cursor`` (not one this
    index issued for this same query), ``bad_filter`` (an unknown type); ``bad_query`` is a safety net
    that no input is known to reach (every word is quoted before it reaches the engine).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class SearchDoc:
    """One file or folder as the index sees it. Naive datetimes are taken as UTC.

    ``ancestor_ids`` lists every folder from the owner's root down to the parent; ``path`` is the
    parent folder's display path ("/Projects/2024"); ``content`` is extracted text ("" for none).
    """

    id: str
    owner_id: int
    ancestor_ids: list[str]
    name: str
    path: str
    kind: DocKind
    type: str
    mime_type: str
    size: int
    modified_at: datetime
    created_at: datetime
    content: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a search document needs an id")
        if self.kind not in ("file", "folder"):
            raise ValueError(f"kind must be 'file' or 'folder', not {self.kind!r}")
        if self.type not in TYPES:
            raise ValueError(f"type must be one of {', '.join(TYPES)}, not {self.type!r}")


@dataclass(frozen=True)
class SearchQuery:
    """What a user asks for, with everything that limits what they may see.

    A document is visible when ``owner_id`` owns it, or when its id or one of its ancestors is in
    ``shared_roots`` (so a new grant needs no reindexing). ``modified_after`` is inclusive,
    ``modified_before`` exclusive; ``min_size``/``max_size`` are inclusive; ``within`` keeps the
    documents below that folder (not the folder itself). ``cursor`` is the ``next_cursor`` of the
    previous page of the same query.
    """

    text: str
    owner_id: int
    shared_roots: list[str] = field(default_factory=list)
    types: list[str] | None = None
    modified_after: datetime | None = None
    modified_before: datetime | None = None
    min_size: int | None = None
    max_size: int | None = None
    within: str | None = None
    limit: int = 50
    cursor: str | None = None

    @property
    def has_filters(self) -> bool:
        """True when something besides the text narrows the result (permissions do not count)."""
        return bool(
            self.types
            or self.modified_after is not None
            or self.modified_before is not None
            or self.min_size is not None
            or self.max_size is not None
            or self.within
        )


@dataclass(frozen=True)
class Hit:
    """One result. ``score``: higher is better, comparable only within one page's backend.

    ``snippet`` is HTML-safe: a short fragment of the name or content, every character escaped
    except the ``<mark>``/``</mark>`` pairs wrapped around the matched words.
    """

    id: str
    score: float
    snippet: str


@dataclass(frozen=True)
class SearchPage:
    """Hits best first (relevance, then the most recently modified); ``next_cursor`` is None on the last page."""

    hits: list[Hit]
    next_cursor: str | None


class IndexRebuild(Protocol):
    """A fresh index being filled; ``commit`` makes it the live one in one step, ``abort`` drops it.

    Used as a context manager it commits when the block ends normally and aborts on an exception.
    While it runs, searches see the old index, and upserts/deletes made through the live index also
    reach the new one. The rebuild's own upserts can still carry data older than such a write: after
    commit, re-apply what changed since the rebuild began.
    """

    def upsert(self, docs: Iterable[SearchDoc]) -> None: ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...

    def __enter__(self) -> IndexRebuild: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class SearchIndex(Protocol):
    """A full-text index of files and folders, filtered by permission at query time."""

    def upsert(self, docs: Iterable[SearchDoc]) -> None:
        """Add or replace these documents (by id), in bulk; visible to searches when this returns."""
        ...

    def delete(self, ids: Iterable[str]) -> None:
        """Remove these documents; unknown ids are ignored."""
        ...

    def delete_below(self, folder_ids: Iterable[str]) -> None:
        """Remove every document below these folders (whose ancestors include one of them)."""
        ...

    def delete_owner(self, owner_id: int) -> None:
        """Remove every document this user owns."""
        ...

    def search(self, q: SearchQuery) -> SearchPage:
        """One page of hits; InvalidQuery for a query the index refuses (see its reasons), never another error
        for anything typed into ``q.text``."""
        ...

    def rebuild(self) -> IndexRebuild:
        """Start filling a fresh index that replaces the live one atomically at commit (one rebuild at a time)."""
        ...

    def count(self) -> int:
        """Documents in the live index."""
        ...

    def close(self) -> None:
        """Release connections; the object is not used afterwards."""
        ...


class RebuildBase:
    """Context-manager plumbing shared by the backends' rebuild handles."""

    def upsert(self, docs: Iterable[SearchDoc]) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> RebuildBase:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def epoch_ms(dt: datetime) -> int:
    """Milliseconds since the epoch; a naive datetime is taken as UTC."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def check_limit(q: SearchQuery) -> None:
    if not 1 <= q.limit <= MAX_LIMIT:
        raise InvalidQuery("bad_limit", f"limit must be between 1 and {MAX_LIMIT}")
    if q.types:
        unknown = sorted(set(q.types) - set(TYPES))
        if unknown:
            raise InvalidQuery("bad_filter", f"unknown type(s): {', '.join(unknown)}")
