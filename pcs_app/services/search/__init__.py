"""Search: what is indexed and when (indexing), and what a user may find (query)."""

from .indexing import IndexReport, after_commit, index_nodes, owners_behind, rebuild, sync_owner
from .query import SearchHit, SearchResults, SearchUnavailable, search, shared_roots
from .texts import ContentNote

__all__ = [
    "ContentNote",
    "IndexReport",
    "SearchHit",
    "SearchResults",
    "SearchUnavailable",
    "after_commit",
    "index_nodes",
    "owners_behind",
    "rebuild",
    "search",
    "shared_roots",
    "sync_owner",
]
