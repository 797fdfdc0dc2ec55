"""Text handling shared by every backend, so they find the same things: the word splitter used for
indexing and for queries, the query parser, snippets and cursors.

Words: runs of letters and digits (after Unicode NFC), split further at letter/digit boundaries and
camelCase ("QuarterlyReport2024" → quarterly, report, 2024, plus the whole run as one more word),
folded (NFKD without combining marks, case-folded, a few letters ASCII has no base for: ø→o, æ→ae…)
and cut at MAX_TOKEN_CHARS. Backends index the space-joined words, so their own tokenizers only
split on spaces. Scripts written without spaces (Chinese, Japanese) become one word per run.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from .base import InvalidQuery, SearchQuery

MAX_QUERY_CHARS = 1000
MAX_QUERY_TOKENS = 32
MAX_TOKEN_CHARS = 64
MIN_PREFIX_CHARS = 2
SNIPPET_CHARS = 180
SNIPPET_LEAD = 50
SNIPPET_SCAN_CHARS = 50_000

_RUN = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
# Letters NFKD leaves alone but asciifolding (OpenSearch) and most users treat as plain ones.
_EXTRA_FOLD = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ŧ": "t"}
)


@lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """Accent- and case-free form of one word ("Café" → "cafe")."""
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return stripped.casefold().translate(_EXTRA_FOLD)


def _split_run(run: str) -> list[tuple[int, int]]:
    """Offsets of the pieces of one run of letters/digits: digit/letter boundaries and camelCase."""
    if run.isalpha() and (run.islower() or run.isupper() or (run[0].isupper() and run[1:].islower())):
        return [(0, len(run))]
    if run.isdigit():
        return [(0, len(run))]
    pieces: list[tuple[int, int]] = []
    start = 0
    n = len(run)
    for i in range(1, n):
        a, b = run[i - 1], run[i]
        cut = (
            a.isdigit() != b.isdigit()
            or (not a.isupper() and not a.isdigit() and b.isupper())
            # "HTTPServer": the last capital of a run of capitals starts the next word
            or (a.isupper() and b.isupper() and i + 1 < n and run[i + 1].islower())
        )
        if cut:
            pieces.append((start, i))
            start = i
    pieces.append((start, n))
    return pieces


@dataclass(frozen=True)
class Word:
    """One piece of the text: its span in the (NFC) text, folded form, and its run's span and folded form."""

    start: int
    end: int
    folded: str
    run_start: int
    run_end: int
    run_folded: str


def iter_words(text: str) -> Iterator[Word]:
    """The pieces of ``text`` (already NFC) with their offsets; pieces that fold to nothing are skipped."""
    for m in _RUN.finditer(text):
        run = m.group()
        base = m.start()
        run_folded = fold(run)[:MAX_TOKEN_CHARS]
        for a, b in _split_run(run):
            folded = fold(run[a:b])
            for sub in _RUN.findall(folded):  # folding can bring separators (½ → 1⁄2)
                yield Word(base + a, base + b, sub[:MAX_TOKEN_CHARS], base, m.end(), run_folded)


@lru_cache(maxsize=200_000)
def _run_words(run: str, compound: bool) -> tuple[str, ...]:
    pieces = _split_run(run)
    out: list[str] = []
    for a, b in pieces:
        out += [w[:MAX_TOKEN_CHARS] for w in _RUN.findall(fold(run[a:b]))]
    if compound and len(pieces) > 1:
        out += [w[:MAX_TOKEN_CHARS] for w in _RUN.findall(fold(run))]
    return tuple(out)


def index_words(text: str) -> list[str]:
    """The words stored for ``text``: every piece, then the whole run when it was split."""
    out: list[str] = []
    for run in _RUN.findall(unicodedata.normalize("NFC", text)):
        out += _run_words(run, True)
    return out


def index_text(text: str) -> str:
    """``index_words`` joined by spaces: what backends tokenize on whitespace."""
    return " ".join(index_words(text))


def query_words(text: str) -> list[str]:
    """The words of one typed word or phrase: pieces only, so "QuarterlyReport" also finds "quarterly report"."""
    out: list[str] = []
    for run in _RUN.findall(unicodedata.normalize("NFC", text)):
        out += _run_words(run, False)
    return out


# -- queries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """Words that must appear next to each other, in this order; ``prefix``: the last one may be a word's start."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """Every clause must match (AND). No clauses: the text had nothing searchable."""

    clauses: tuple[Clause, ...]

    @cached_property
    def words(self) -> frozenset[str]:
        return frozenset(w for c in self.clauses for w in c.words)

    @cached_property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(sorted({c.words[-1] for c in self.clauses if c.prefix}))


def parse_query(text: str) -> ParsedQuery:
    """Parse what a user typed. Nothing in it is syntax except double quotes (a phrase) and a trailing ``*``
    (a prefix); the last word is also matched as a prefix while it is being typed (no space after it).

    Unbalanced quotes, AND/OR/NOT/NEAR, parentheses, ``-``, ``:`` and other punctuation are plain text
    (punctuation separates words); NUL, control characters and emoji are dropped. Raises InvalidQuery for
    a text longer than MAX_QUERY_CHARS or with more than MAX_QUERY_TOKENS words.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidQuery("too_long", f"search text longer than {MAX_QUERY_CHARS} characters")
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text))
    still_typing = bool(text) and not text[-1].isspace()
    parts = text.split('"')
    if len(parts) % 2 == 0:  # an odd number of quotes: the last one opens nothing
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    clauses: list[Clause] = []
    for i, part in enumerate(parts):
        if i % 2 == 1:
            words = tuple(query_words(part))
            star = i + 1 < len(parts) and parts[i + 1].startswith("*")
            if star:
                parts[i + 1] = parts[i + 1][1:]
            if words:
                clauses.append(Clause(words, prefix=star))
            continue
        tokens = part.split()
        for j, token in enumerate(tokens):
            words = tuple(query_words(token))
            if not words:
                continue
            last = i == len(parts) - 1 and j == len(tokens) - 1 and still_typing
            clauses.append(Clause(words, prefix=token.endswith("*") or last))
    total = sum(len(c.words) for c in clauses)
    if total > MAX_QUERY_TOKENS:
        raise InvalidQuery("too_many_words", f"more than {MAX_QUERY_TOKENS} words in the search text")
    out: list[Clause] = []
    for clause in clauses:
        if clause.prefix and len(clause.words[-1]) < MIN_PREFIX_CHARS:
            clause = Clause(clause.words, prefix=False)
        if clause not in out:
            out.append(clause)
    return ParsedQuery(tuple(out))


# -- snippets ------------------------------------------------------------------------------------


def _matches(word: str, parsed: ParsedQuery) -> bool:
    return word in parsed.words or any(word.startswith(p) for p in parsed.prefixes)


def _marked(text: str, parsed: ParsedQuery) -> tuple[str, bool]:
    """``text`` HTML-escaped with the matched pieces wrapped in <mark>; and whether anything matched.

    A piece is marked when it matches; a whole run ("QuarterlyReport") only when none of its pieces
    does but the run does (the query had "quarterlyreport").
    """
    spans: list[tuple[int, int]] = []
    run: list[Word] = []

    def flush() -> None:
        marked = [(w.start, w.end) for w in run if _matches(w.folded, parsed)]
        if not marked and run and _matches(run[0].run_folded, parsed):
            marked = [(run[0].run_start, run[0].run_end)]
        for span in marked:
            if spans and span[0] <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], span[1]))
            else:
                spans.append(span)
        run.clear()

    for w in iter_words(text):
        if run and w.run_start != run[0].run_start:
            flush()
        run.append(w)
    flush()
    out: list[str] = []
    pos = 0
    for a, b in spans:
        out.append(html.escape(text[pos:a]))
        out.append("<mark>" + html.escape(text[a:b]) + "</mark>")
        pos = b
    out.append(html.escape(text[pos:]))
    return "".join(out), bool(spans)


def _first_match(text: str, parsed: ParsedQuery) -> int | None:
    for w in iter_words(text):
        if _matches(w.folded, parsed) or _matches(w.run_folded, parsed):
            return w.start
    return None


def snippet(name: str, content: str, parsed: ParsedQuery) -> str:
    """HTML-safe fragment for a hit: around the first match in the content (within its first
    SNIPPET_SCAN_CHARS characters), else the whole name; matched words in <mark>, the rest escaped."""
    if content and parsed.clauses:
        text = unicodedata.normalize("NFC", _CONTROL.sub(" ", content[:SNIPPET_SCAN_CHARS]))
        at = _first_match(text, parsed)
        if at is not None:
            start = max(0, at - SNIPPET_LEAD)
            if start > 0:
                space = text.find(" ", start, at)
                start = space + 1 if space >= 0 else start
            end = min(len(text), start + SNIPPET_CHARS)
            if end < len(text):
                space = text.rfind(" ", at, end)
                end = space if space > at else end
            # Cut only between words so a partial word is never marked or shown.
            while start > 0 and start < at and _RUN.match(text, start - 1) and _RUN.match(text, start):
                start += 1
            while end < len(text) and end > at and _RUN.match(text, end - 1) and _RUN.match(text, end):
                end -= 1
            body, _ = _marked(_SPACE.sub(" ", text[start:end]).strip(), parsed)
            return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
    marked, _ = _marked(unicodedata.normalize("NFC", _CONTROL.sub(" ", name)), parsed)
    return marked


# -- cursors -------------------------------------------------------------------------------------


def fingerprint(q: SearchQuery) -> str:
    """Short hash of everything that decides a query's result order, so a cursor only fits its own query."""
    key = json.dumps(
        [
            q.text,
            q.owner_id,
            sorted(q.shared_roots),
            sorted(q.types or []),
            q.modified_after.isoformat() if q.modified_after else None,
            q.modified_before.isoformat() if q.modified_before else None,
            q.min_size,
            q.max_size,
            q.within,
        ]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def encode_cursor(q: SearchQuery, after: list[Any], offset: int) -> str:
    """Opaque cursor: the sort key of the last hit shown, how many hits came before, and the query's fingerprint."""
    raw = json.dumps({"f": fingerprint(q), "a": after, "o": offset}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(q: SearchQuery) -> tuple[list[Any], int] | None:
    """(sort key of the last hit, offset) from ``q.cursor``; None without one; InvalidQuery if it is not ours."""
    if q.cursor is None:
        return None
    try:
        if len(q.cursor) > 4096:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(q.cursor + "=" * (-len(q.cursor) % 4))
        data = json.loads(raw)
        after, offset = data["a"], data["o"]
        if data["f"] != fingerprint(q) or not isinstance(after, list) or not isinstance(offset, int) or offset < 0:
            raise ValueError("not this query's cursor")
        # Cursors are not signed (they only move within what this user may see), so check their shape:
        # [score, modified (ms), id] as both backends write them.
        score, modified, last_id = after
        if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score):
            raise ValueError("bad score")
        if isinstance(modified, bool) or not isinstance(modified, int) or abs(modified) > 2**62:
            raise ValueError("bad time")
        if not isinstance(last_id, str) or len(last_id) > 1024 or offset > 10_000_000:
            raise ValueError("bad id or offset")
        last_id.encode("utf-8")  # a lone surrogate cannot reach the database
    except (ValueError, KeyError, TypeError, RecursionError, binascii.Error) as e:  # UnicodeError is a ValueError
        raise InvalidQuery("bad_cursor", "this cursor does not belong to this search") from e
    return after, offset
