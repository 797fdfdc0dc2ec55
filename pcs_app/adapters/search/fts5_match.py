"""What FTS5 matches for ``fts5``: the MATCH text for the words of a query, and the ``acl`` column's
tokens (o<owner>, s<own id>, a<ancestor id>, t<type>) with the MATCH terms that select on them.

Every word is quoted, so the user's text is never FTS5 syntax; ids are hex-encoded in tokens, so no
folding can make two ids equal.
"""

from __future__ import annotations

from .base import SearchDoc, SearchQuery
from .text import ParsedQuery


def _fts_string(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def match_expression(parsed: ParsedQuery) -> str:
    """FTS5 MATCH text for the words: every word quoted (never syntax), clauses joined by AND, a phrase per clause."""
    parts: list[str] = []
    for c in parsed.clauses:
        phrase = " + ".join(_fts_string(w) for w in c.words)
        parts.append(phrase + (" *" if c.prefix else ""))
    return " AND ".join(parts)


def _hex(node_id: str) -> str:
    return node_id.encode().hex()


def acl_tokens(doc: SearchDoc) -> str:
    """The ``acl`` column: o<owner>, s<own id>, a<ancestor id> for each ancestor, t<type> (ids hex-encoded)."""
    tokens = [f"o{doc.owner_id}", "s" + _hex(doc.id), f"t{doc.type}"]
    tokens += ["a" + _hex(a) for a in doc.ancestor_ids]
    return " ".join(tokens)


def acl_expression(q: SearchQuery) -> str:
    """The MATCH terms on ``acl`` that keep what ``q`` may see and asks for (types, within)."""
    visible = [f'"o{int(q.owner_id)}"']
    for root in q.shared_roots:
        visible += [f'"s{_hex(root)}"', f'"a{_hex(root)}"']
    parts = ["acl : (" + " OR ".join(visible) + ")"]
    if q.types:
        parts.append("acl : (" + " OR ".join(f'"t{t}"' for t in q.types) + ")")
    if q.within:
        parts.append(f'acl : "a{_hex(q.within)}"')
    return " AND ".join(parts)
