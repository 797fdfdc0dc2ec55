"""Whether a hit matched on what its reader may see.

The index holds each document's whole path from its owner's root, but someone it is shared with sees
the path only from the shared item down. A hit of theirs must not be found through the names of the
owner's folders above it (that would tell them those names), so for such hits every clause of the
query is checked again, in Python, on the same words the index holds: the name, the visible part of
the path, and, only when that is not enough, the file's text.
"""

from __future__ import annotations

from collections.abc import Callable

from pcs_app.adapters.search.text import Clause, ParsedQuery, index_words


def _has(tokens: list[str], clause: Clause) -> bool:
    """Whether ``tokens`` hold the clause's words in order (the last one as a prefix if the clause says so)."""
    words, n = clause.words, len(clause.words)
    last = words[-1]
    for i in range(len(tokens) - n + 1):
        if tuple(tokens[i : i + n - 1]) != words[:-1]:
            continue
        got = tokens[i + n - 1]
        if got == last or (clause.prefix and got.startswith(last)):
            return True
    return False


def matched_visibly(
    parsed: ParsedQuery, name: str, visible_path: list[str], hidden_path: list[str], text: Callable[[], str]
) -> bool:
    """True when every clause matches the name, the visible path or the text (``text`` is read only if needed)."""
    name_t = index_words(name)
    seen_t = index_words("/" + "/".join(visible_path))
    full_t = index_words("/" + "/".join([*hidden_path, *visible_path]))
    text_t: list[str] | None = None
    for clause in parsed.clauses:
        if _has(name_t, clause) or _has(seen_t, clause):
            continue
        if not _has(full_t, clause):
            continue  # not through the path at all: the index found it in the text
        if text_t is None:
            text_t = index_words(text())
        if not _has(text_t, clause):
            return False
    return True
