"""Search index: one interface (SearchIndex), two backends chosen by settings.

- ``fts5``: SQLite FTS5 in its own database file; the default, for one machine.
- ``opensearch``: OpenSearch (Amazon OpenSearch Service on AWS) through opensearch-py.

Both index the same folded words (``text``), so they find the same documents for the same query;
the query language is parsed once (``text.parse_query``): words must all match, "quoted phrases"
match in order, the last word (or any ``word*``) also matches as a prefix; anything else is text.
"""

from __future__ import annotations

from typing import Any

from .base import (
    MAX_LIMIT,
    TYPES,
    DocKind,
    Hit,
    IndexRebuild,
    InvalidQuery,
    SearchDoc,
    SearchIndex,
    SearchPage,
    SearchQuery,
)
from .categories import classify
from .text import MAX_QUERY_CHARS, MAX_QUERY_TOKENS, parse_query

__all__ = [
    "MAX_LIMIT",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_TOKENS",
    "TYPES",
    "DocKind",
    "Hit",
    "IndexRebuild",
    "InvalidQuery",
    "SearchDoc",
    "SearchIndex",
    "SearchPage",
    "SearchQuery",
    "classify",
    "create_index",
    "parse_query",
]

KINDS = ("fts5", "opensearch")


def create_index(kind: str, **config: Any) -> SearchIndex:
    """The backend named ``kind``; nothing connects until first use.

    - ``fts5``: ``path`` (the index's database file), optional ``weights`` (name, path, content).
    - ``opensearch``: ``url``, optional ``prefix`` (index and alias names, default "pcs-files"),
      ``username``/``password``, ``aws_region`` (SigV4 signing for Amazon OpenSearch Service),
      ``verify_certs``, ``ca_certs``, ``timeout``, ``refresh``, ``shards``, ``replicas``.
    """
    if kind == "fts5":
        from .fts5 import Fts5Index

        return Fts5Index(**config)
    if kind == "opensearch":
        from .opensearch import OpenSearchIndex

        return OpenSearchIndex(**config)
    raise ValueError(f"unknown search backend {kind!r}; choose one of {', '.join(KINDS)}")
