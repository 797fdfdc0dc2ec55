"""How ``opensearch`` indexes a document: the index's mappings and analysis settings, and the indexed
form of a ``SearchDoc``.

``name`` and ``path`` are analysed by ``pcs_name`` (word_delimiter_graph split on case and digits,
asciifolding, lowercase); ``*_words`` carry the same folded words the FTS5 backend indexes
(``text.index_text``), and ``*_words.prefix`` holds edge n-grams (up to ``EDGE_MAX`` characters) for
as-you-type. ``content`` is kept, not indexed, for snippets.
"""

from __future__ import annotations

from typing import Any

from .base import SearchDoc, epoch_ms
from .text import MIN_PREFIX_CHARS, index_text

EDGE_MAX = 20  # longest prefix served by the n-gram fields; longer ones use a prefix query

_WORDS_FIELD: dict[str, Any] = {
    "type": "text",
    "analyzer": "pcs_words",
    "fields": {"prefix": {"type": "text", "analyzer": "pcs_words_prefix", "search_analyzer": "pcs_words"}},
}
MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "_source": {"excludes": ["name_words", "path_words", "content_words"]},
    "properties": {
        "id": {"type": "keyword"},
        "owner_id": {"type": "long"},
        "ancestor_ids": {"type": "keyword"},
        "kind": {"type": "keyword"},
        "type": {"type": "keyword"},
        "mime_type": {"type": "keyword"},
        "size": {"type": "long"},
        "modified_at": {"type": "date", "format": "epoch_millis"},
        "created_at": {"type": "date", "format": "epoch_millis"},
        "name": {"type": "text", "analyzer": "pcs_name", "fields": {"kw": {"type": "keyword", "ignore_above": 1024}}},
        "path": {"type": "text", "analyzer": "pcs_name"},
        "content": {"type": "text", "index": False},
        "name_words": _WORDS_FIELD,
        "path_words": _WORDS_FIELD,
        "content_words": {"type": "text", "analyzer": "pcs_words"},
    },
}
ANALYSIS: dict[str, Any] = {
    "filter": {
        "pcs_split": {
            "type": "word_delimiter_graph",
            "split_on_case_change": True,
            "split_on_numerics": True,
            "generate_word_parts": True,
            "generate_number_parts": True,
            "preserve_original": False,  # no multi-position tokens: an index analyzer cannot store graphs
            "stem_english_possessive": False,
        },
        "pcs_edge": {"type": "edge_ngram", "min_gram": MIN_PREFIX_CHARS, "max_gram": EDGE_MAX},
    },
    "analyzer": {
        "pcs_name": {"type": "custom", "tokenizer": "whitespace", "filter": ["pcs_split", "asciifolding", "lowercase"]},
        "pcs_words": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase", "asciifolding"]},
        "pcs_words_prefix": {
            "type": "custom",
            "tokenizer": "whitespace",
            "filter": ["lowercase", "asciifolding", "pcs_edge"],
        },
    },
}


def document(doc: SearchDoc) -> dict[str, Any]:
    """The indexed form of ``doc``."""
    return {
        "id": doc.id,
        "owner_id": doc.owner_id,
        "ancestor_ids": list(doc.ancestor_ids),
        "kind": doc.kind,
        "type": doc.type,
        "mime_type": doc.mime_type,
        "size": doc.size,
        "modified_at": epoch_ms(doc.modified_at),
        "created_at": epoch_ms(doc.created_at),
        "name": doc.name,
        "path": doc.path,
        "content": doc.content,
        "name_words": index_text(doc.name),
        "path_words": index_text(doc.path),
        "content_words": index_text(doc.content),
    }
