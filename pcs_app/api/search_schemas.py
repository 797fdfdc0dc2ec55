"""Bodies of the search API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from pcs_app.services.search import SearchHit
from pcs_app.services.search.texts import Status

from .schemas import NodeOut

SearchType = Literal[
    "image", "document", "spreadsheet", "presentation", "pdf", "video", "audio", "archive", "code", "folder", "other"
]


class ContentOut(BaseModel):
    status: Status = Field(
        description="Whether the file's text was searched: all of it, part of it, not at all (``reason`` says "
        "why), it has none (not a text format), or it is still being read."
    )
    reason: str | None = Field(
        None,
        description="Why not all: max_chars (only the first PCS_EXTRACT_MAX_CHARS characters), too_large, corrupt, "
        "encrypted, empty, timeout, out_of_memory, crashed, missing.",
    )


class SearchItemOut(BaseModel):
    node: NodeOut
    path: str = Field(
        description="The folder it is in, as you see it: '/Projects/2024' from your root, or for something "
        "shared with you from the shared item down ('' for the shared item itself)."
    )
    folder_id: str | None = Field(description="That folder's id, when you may open it.")
    snippet: str = Field(
        description="HTML: a piece of the name or text, everything escaped except <mark>…</mark> around matched words."
    )
    score: float = Field(description="Relevance: higher is better; compare only within one search.")
    shared: bool = Field(description="Someone else's, shared with you.")
    content: ContentOut | None = Field(description="For files: whether their text was searched; null for folders.")

    @classmethod
    def of(cls, hit: SearchHit) -> SearchItemOut:
        note = hit.content
        return cls(
            node=NodeOut.of(hit.node),
            path=hit.path,
            folder_id=hit.folder_id,
            snippet=hit.snippet,
            score=hit.score,
            shared=hit.shared,
            content=ContentOut(status=note.status, reason=note.reason) if note is not None else None,
        )


class SearchPageOut(BaseModel):
    items: list[SearchItemOut]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last one.")
