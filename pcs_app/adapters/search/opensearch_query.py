"""The ``_search`` body ``opensearch`` sends for a query: the words as one dis_max per clause over the
fields (boosted name > path > content, a prefix match worth ``PREFIX_FACTOR`` of a whole word), and the
permission, type, date, size and "within" filters.
"""

from __future__ import annotations

from typing import Any

from .base import SearchQuery, epoch_ms
from .opensearch_mapping import EDGE_MAX
from .text import ParsedQuery

BOOST_NAME, BOOST_PATH, BOOST_CONTENT = 10.0, 3.0, 1.0
MAX_EXPANSIONS = 256
PREFIX_FACTOR = 0.3  # a prefix match counts this much of a whole-word match in the same field


def _clause_query(words: tuple[str, ...], prefix: bool) -> dict[str, Any]:
    """One clause as a dis_max over the fields: the best field counts, the others a little.

    A prefix clause also tries the words as they are, so a whole-word match outranks a prefix match
    (prefix queries score a constant, the edge n-gram fields a BM25 of short grams).
    """
    text, last = " ".join(words), words[-1]
    kind = "match_phrase" if len(words) > 1 else "match"
    queries: list[dict[str, Any]] = []
    for field, boost in (
        ("name", BOOST_NAME),
        ("name_words", BOOST_NAME),
        ("path", BOOST_PATH),
        ("path_words", BOOST_PATH),
        ("content_words", BOOST_CONTENT),
    ):
        body: dict[str, Any] = {"query": text, "boost": boost}
        if kind == "match":
            body["operator"] = "and"
        queries.append({kind: {field: body}})
    if prefix and len(words) > 1:
        for field, boost in (("name_words", BOOST_NAME), ("path_words", BOOST_PATH), ("content_words", BOOST_CONTENT)):
            queries.append(
                {
                    "match_phrase_prefix": {
                        field: {"query": text, "boost": boost * PREFIX_FACTOR, "max_expansions": MAX_EXPANSIONS}
                    }
                }
            )
    elif prefix:  # one word
        for field, boost in (("name_words", BOOST_NAME), ("path_words", BOOST_PATH)):
            if len(last) <= EDGE_MAX:
                queries.append({"match": {f"{field}.prefix": {"query": last, "boost": boost * PREFIX_FACTOR}}})
            else:
                queries.append({"prefix": {field: {"value": last, "boost": boost * PREFIX_FACTOR}}})
        queries.append({"prefix": {"content_words": {"value": last, "boost": BOOST_CONTENT * PREFIX_FACTOR}}})
    return {"dis_max": {"queries": queries, "tie_breaker": 0.3}}


def query_body(q: SearchQuery, parsed: ParsedQuery) -> dict[str, Any]:
    """The ``_search`` body for ``q`` (without paging)."""
    visible: list[dict[str, Any]] = [{"term": {"owner_id": q.owner_id}}]
    if q.shared_roots:
        visible += [{"terms": {"id": list(q.shared_roots)}}, {"terms": {"ancestor_ids": list(q.shared_roots)}}]
    filters: list[dict[str, Any]] = [{"bool": {"should": visible, "minimum_should_match": 1}}]
    if q.types:
        filters.append({"terms": {"type": list(q.types)}})
    modified: dict[str, int] = {}
    if q.modified_after is not None:
        modified["gte"] = epoch_ms(q.modified_after)
    if q.modified_before is not None:
        modified["lt"] = epoch_ms(q.modified_before)
    if modified:
        filters.append({"range": {"modified_at": modified}})
    size: dict[str, int] = {}
    if q.min_size is not None:
        size["gte"] = q.min_size
    if q.max_size is not None:
        size["lte"] = q.max_size
    if size:
        filters.append({"range": {"size": size}})
    if q.within:
        filters.append({"term": {"ancestor_ids": q.within}})
    must = [_clause_query(c.words, c.prefix) for c in parsed.clauses] or [{"match_all": {}}]
    return {
        "query": {"bool": {"must": must, "filter": filters}},
        "sort": [{"_score": "desc"}, {"modified_at": "desc"}, {"id": "asc"}],
        "_source": ["name", "content"],
        "track_total_hits": False,
    }
