"""Search: names, paths and text of what I may read (my files and what is shared with me)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BeforeValidator

from pcs_app.adapters.search import MAX_LIMIT, MAX_QUERY_CHARS
from pcs_app.models import ID_LENGTH, ID_PATTERN
from pcs_app.services import search as search_service
from pcs_app.wiring import get_core

from ..deps import Actor
from ..responses import errors
from ..schemas import CURSOR_PATTERN, ErrorOut
from ..search_schemas import SearchItemOut, SearchPageOut, SearchType

router = APIRouter(prefix="/api/v1", tags=["search"], responses=errors(400, 401))
MAX_BYTES = 2**50  # 1 PiB: beyond any file, and exact as a JSON number


def _iso_only(value: object) -> object:
    """A date or date-time as ISO 8601 text; pydantic alone would also read "0.5" as a Unix time."""
    if isinstance(value, str) and not (len(value) >= 10 and value[:4].isdigit() and value[4] == "-"):
        raise ValueError("use an ISO 8601 date or date-time, such as 2026-11-29 or 2026-11-29T12:00:00Z")
    return value


IsoTime = Annotated[datetime | None, BeforeValidator(_iso_only)]


@router.get(
    "/search",
    response_model=SearchPageOut,
    responses={**errors(404), 503: {"model": ErrorOut, "description": "The search index is not answering."}},
)
def search(
    user: Actor,
    q: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_CHARS,
            description='Words (all must match), "quoted phrases", the last word also as a prefix (as you '
            "type). Nothing else is syntax: AND, OR, NOT, NEAR, *, -, : and parentheses are text.",
        ),
    ] = "",
    type: Annotated[
        list[SearchType] | None, Query(max_length=11, description="Only these kinds (repeat: type=pdf&type=image).")
    ] = None,
    modified_after: Annotated[IsoTime, Query(description="Modified at or after (ISO 8601; UTC if no zone).")] = None,
    modified_before: Annotated[IsoTime, Query(description="Modified before (ISO 8601).")] = None,
    min_size: Annotated[int | None, Query(ge=0, le=MAX_BYTES, description="At least this many bytes.")] = None,
    max_size: Annotated[int | None, Query(ge=0, le=MAX_BYTES, description="At most this many bytes.")] = None,
    in_: Annotated[
        str | None,
        Query(
            alias="in",
            pattern=ID_PATTERN,
            min_length=ID_LENGTH,
            max_length=ID_LENGTH,
            description="Only what is inside this folder (at any depth).",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(max_length=4096, pattern=CURSOR_PATTERN)] = None,
) -> SearchPageOut:
    """What I may read that matches: best first, then the most recently modified; filters alone list by date."""
    page = search_service.search(
        get_core(),
        user,
        q,
        types=list(type) if type else None,
        modified_after=modified_after,
        modified_before=modified_before,
        min_size=min_size,
        max_size=max_size,
        folder_id=in_,
        limit=limit,
        cursor=cursor,
    )
    return SearchPageOut(items=[SearchItemOut.of(h) for h in page.items], next_cursor=page.next_cursor)
