"""The tables of one generation ``g`` of the ``fts5`` index, and the rows written to them.

``meta`` holds ``live`` (the generation searches read) and, while a rebuild fills one, ``building``.
``docs_g`` has the filter columns, the name and the content zlib-compressed (for snippets); ``anc_g``
one row per document and ancestor folder; ``fts_g`` is FTS5 over the folded words of name, path and
content (``text.index_text``) and the ``acl`` tokens (``fts5_match.acl_tokens``).
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

from .base import SearchDoc, epoch_ms
from .fts5_match import acl_tokens
from .text import index_text

BATCH = 500  # documents a write transaction takes


def generations(conn: sqlite3.Connection) -> tuple[int, int | None]:
    """(live, building): the generation searches read, and the one a rebuild is filling if any."""
    values = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('live', 'building')").fetchall())
    return int(values["live"]), (int(values["building"]) if "building" in values else None)


def create_generation(conn: sqlite3.Connection, g: int) -> None:
    conn.execute(
        f"""CREATE TABLE IF NOT EXISTS docs_{g} (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            owner_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            type TEXT NOT NULL,
            mime_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            modified_ms INTEGER NOT NULL,
            created_ms INTEGER NOT NULL,
            name TEXT NOT NULL,
            path TEXT NOT NULL,
            content BLOB
        )"""
    )
    conn.execute(f"CREATE INDEX IF NOT EXISTS docs_{g}_owner ON docs_{g} (owner_id, modified_ms)")
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS anc_{g} (doc INTEGER NOT NULL, ancestor TEXT NOT NULL,"
        " PRIMARY KEY (doc, ancestor)) WITHOUT ROWID"
    )
    conn.execute(f"CREATE INDEX IF NOT EXISTS anc_{g}_ancestor ON anc_{g} (ancestor, doc)")
    # The text arrives as folded words separated by spaces (text.index_text); unicode61 only splits it.
    conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS fts_{g} USING fts5("
        "name, path, content, acl, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )


def drop_generation(conn: sqlite3.Connection, g: int) -> None:
    for table in (f"fts_{g}", f"anc_{g}", f"docs_{g}"):
        conn.execute(f"DROP TABLE IF EXISTS {table}")


def batches(docs: Iterable[SearchDoc]) -> Iterator[list[SearchDoc]]:
    batch: list[SearchDoc] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def upsert_rows(conn: sqlite3.Connection, g: int, docs: list[SearchDoc]) -> None:
    for doc in docs:
        row = conn.execute(f"SELECT rowid FROM docs_{g} WHERE id = ?", (doc.id,)).fetchone()
        values = (
            doc.owner_id,
            doc.kind,
            doc.type,
            doc.mime_type,
            doc.size,
            epoch_ms(doc.modified_at),
            epoch_ms(doc.created_at),
            doc.name,
            doc.path,
            zlib.compress(doc.content.encode(), 6) if doc.content else None,
        )
        if row is None:
            cur = conn.execute(
                f"INSERT INTO docs_{g} (owner_id, kind, type, mime_type, size, modified_ms, created_ms, name, path,"
                " content, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, doc.id),
            )
            rowid = cur.lastrowid
        else:
            rowid = int(row[0])
            conn.execute(f"DELETE FROM fts_{g} WHERE rowid = ?", (rowid,))
            conn.execute(f"DELETE FROM anc_{g} WHERE doc = ?", (rowid,))
            conn.execute(
                f"UPDATE docs_{g} SET owner_id = ?, kind = ?, type = ?, mime_type = ?, size = ?, modified_ms = ?,"
                " created_ms = ?, name = ?, path = ?, content = ? WHERE rowid = ?",
                (*values, rowid),
            )
        conn.execute(
            f"INSERT INTO fts_{g} (rowid, name, path, content, acl) VALUES (?, ?, ?, ?, ?)",
            (rowid, index_text(doc.name), index_text(doc.path), index_text(doc.content), acl_tokens(doc)),
        )
        conn.executemany(
            f"INSERT OR IGNORE INTO anc_{g} (doc, ancestor) VALUES (?, ?)",
            [(rowid, a) for a in doc.ancestor_ids],
        )


def delete_where(conn: sqlite3.Connection, g: int, condition: str, args: tuple[Any, ...]) -> None:
    rowids = f"SELECT rowid FROM docs_{g} WHERE {condition}"
    conn.execute(f"DELETE FROM fts_{g} WHERE rowid IN ({rowids})", args)
    conn.execute(f"DELETE FROM anc_{g} WHERE doc IN ({rowids})", args)
    conn.execute(f"DELETE FROM docs_{g} WHERE {condition}", args)
