"""Searching: what a user may find, and nothing else.

The index is asked for the user's own documents and those below the items shared with them right now
(so a grant or its end needs no reindexing), then every hit is checked again against the database
through the one gate (``access.access``): an item trashed, deleted or no longer shared since the
index last heard of it is dropped, so a stale index can never show it. A shared hit must also have
matched on what the user may see (``visible.matched_visibly``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from pcs_app.adapters.search import (
    MAX_LIMIT,
    MAX_QUERY_CHARS,
    TYPES,
    Hit,
    InvalidQuery,
    SearchPage,
    SearchQuery,
    parse_query,
)
from pcs_app.adapters.search.text import ParsedQuery
from pcs_app.models import FILE, Grant, Node, User

from ..access import Actor, Perm, account, check_folder
from ..access import access as gate
from ..core import Core
from ..errors import InvalidInput, NotFound, PCSError
from ..paths import path_of
from . import texts
from .visible import matched_visibly

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 50
EXTRA_ROUNDS = 3  # more index pages asked for when hits were dropped, before a short page is returned
_REASONS = {
    "too_long": f"The search text is too long (at most {MAX_QUERY_CHARS} characters).",
    "too_many_words": "The search text has too many words.",
    "bad_cursor": "That cursor does not belong to this search; start again without it.",
    "bad_filter": f"type must be one of {', '.join(TYPES)}.",
    "bad_limit": f"limit must be between 1 and {MAX_LIMIT}.",
    "empty": "Type a word to search for, or choose a filter.",
    "bad_query": "This search text cannot be searched.",
}


class SearchUnavailable(PCSError):
    """The search index does not answer (OpenSearch down, index file unreadable)."""

    code, status = "search_unavailable", 503


@dataclass(frozen=True)
class SearchHit:
    """One result the user may open now.

    ``path`` is the folder it is in as the user sees it: from their root ("/Projects/2024"), or for
    something shared with them from the shared item down ("/Team/Plans"; "" for the shared item
    itself); ``folder_id`` is that folder when the user may open it. ``snippet`` is HTML-safe, the
    matched words in <mark>. ``content`` says whether a file's text was searched (None for folders).
    """

    node: Node
    path: str
    folder_id: str | None
    snippet: str
    score: float
    shared: bool
    content: texts.ContentNote | None


@dataclass(frozen=True)
class SearchResults:
    items: list[SearchHit]
    next_cursor: str | None


def _size(value: object, name: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput(f"{name} must be a whole number of bytes, 0 or more.")
    return value


def _when(value: object, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise InvalidInput(f"{name} must be a date and time.")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _types(value: object) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise InvalidInput("type must be a list of types.")
    items: list[object] = list(value)  # pyright: ignore[reportUnknownArgumentType]
    unknown = sorted(str(t) for t in items if t not in TYPES)
    if unknown:
        raise InvalidInput(f"Unknown type {unknown[0]!r}; choose from {', '.join(TYPES)}.")
    return sorted({str(t) for t in items}) or None


def shared_roots(s: Session, user: User) -> list[str]:
    """The live items shared with ``user``: searches may find them and everything below them."""
    rows = s.exec(
        select(Grant.node_id)
        .join(Node, col(Node.id) == col(Grant.node_id))
        .where(Grant.user_id == user.id, col(Node.trashed_at).is_(None))
    ).all()
    return sorted(set(rows))


def search(
    core: Core,
    actor: Actor,
    text: object = "",
    *,
    types: object = None,
    modified_after: object = None,
    modified_before: object = None,
    min_size: object = None,
    max_size: object = None,
    folder_id: object = None,
    limit: object = DEFAULT_LIMIT,
    cursor: object = None,
) -> SearchResults:
    """A page of what ``actor`` may read that matches: best first, then the most recently modified.

    ``text``: words (all must match), "quoted phrases", the last word also as a prefix; nothing in it is
    syntax otherwise. ``folder_id``: only what is below that folder (which the actor must be able to read).
    """
    user = account(actor)
    if not isinstance(text, str):
        raise InvalidInput("The search text must be text.")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(_REASONS["bad_limit"])
    if cursor is not None and not isinstance(cursor, str):
        raise InvalidInput(_REASONS["bad_cursor"])
    after, before = _when(modified_after, "modified_after"), _when(modified_before, "modified_before")
    low, high = _size(min_size, "min_size"), _size(max_size, "max_size")
    if after is not None and before is not None and after >= before:
        raise InvalidInput("modified_after must be earlier than modified_before.")
    if low is not None and high is not None and low > high:
        raise InvalidInput("min_size must not be larger than max_size.")
    within: str | None = None
    with core.db.read() as s:
        if folder_id is not None:
            within = check_folder(s, actor, folder_id, Perm.READ).id
        roots = shared_roots(s, user)
    q = SearchQuery(
        text=text,
        owner_id=user.id or 0,
        shared_roots=roots,
        types=_types(types),
        modified_after=after,
        modified_before=before,
        min_size=low,
        max_size=high,
        within=within,
        limit=limit,
        cursor=cursor,
    )
    if not text.strip() and not q.has_filters:
        raise InvalidInput(_REASONS["empty"])
    try:
        parsed = parse_query(text)
    except InvalidQuery as e:
        raise InvalidInput(_REASONS.get(e.reason, str(e)), reason=e.reason) from e
    if not parsed.clauses and not q.has_filters:
        return SearchResults([], None)  # only punctuation, emoji or operators: nothing to look for
    return _collect(core, user, q, parsed)


def _ask(core: Core, q: SearchQuery) -> SearchPage:
    try:
        return core.search.search(q)
    except InvalidQuery as e:
        raise InvalidInput(_REASONS.get(e.reason, str(e)), reason=e.reason) from e
    except Exception as e:
        log.exception("the search index failed")
        raise SearchUnavailable("Search is not answering right now; try again shortly.") from e


def _collect(core: Core, user: User, q: SearchQuery, parsed: ParsedQuery) -> SearchResults:
    items: list[SearchHit] = []
    page = _ask(core, q)
    for _ in range(EXTRA_ROUNDS + 1):
        items += _checked(core, user, page.hits, parsed)
        if len(items) >= q.limit or page.next_cursor is None:
            break
        # Some hits were dropped: fill the page from the next one (same query, so the cursor fits).
        page = _ask(core, replace(q, limit=q.limit - len(items), cursor=page.next_cursor))
    return SearchResults(items, page.next_cursor)


@dataclass(frozen=True)
class _Seen:
    hit: Hit
    node: Node
    folders: list[Node]  # the folders from the top the user sees down to the parent
    hidden: list[str]  # for a shared hit: the names of the owner's folders above the shared item


def _checked(core: Core, user: User, hits: list[Hit], parsed: ParsedQuery) -> list[SearchHit]:
    """The hits ``user`` may read now, each with the path they see, asked of the gate."""
    found: list[_Seen] = []
    with core.db.read() as s:
        for hit in hits:
            try:
                got = gate(s, user, hit.id)
            except NotFound:
                continue  # trashed, deleted or no longer shared: the index had not heard yet
            full = path_of(s, got.node)
            ids = [n.id for n in full]
            if got.root is None:  # one's own: shown from the root (which has no name)
                found.append(_Seen(hit, got.node, full[1:-1], []))
            elif got.root in ids:
                k = ids.index(got.root)
                found.append(_Seen(hit, got.node, full[k:-1], [n.name for n in full[1:k]]))
        rows = texts.rows_for(s, [f.node.sha256 for f in found if f.node.kind == FILE and f.node.sha256])
    out: list[SearchHit] = []
    for f in found:
        node, shared = f.node, f.node.owner_id != user.id
        row = rows.get(node.sha256 or "") if node.kind == FILE else None
        names = [n.name for n in f.folders]
        if shared and not matched_visibly(parsed, node.name, names, f.hidden, lambda r=row: r.text if r else ""):
            continue
        top_shared = shared and not f.folders  # the shared item itself: nothing above it is theirs to open
        out.append(
            SearchHit(
                node=node,
                path="" if top_shared else "/" + "/".join(names),
                folder_id=None if top_shared else node.parent_id,
                snippet=f.hit.snippet,
                score=f.hit.score,
                shared=shared,
                content=texts.note(row) if node.kind == FILE else None,
            )
        )
    return out
