"""Search on one machine: SQLite FTS5 in its own database file (WAL), next to the metadata database.

Per generation ``g`` of the index there are three tables: ``fts_g`` (FTS5 over the folded words of
name, path and content, see ``text``, plus ``acl``: tokens for the owner, the document's own id, its
ancestors and its type), ``docs_g`` (the filter columns, the name and the content zlib-compressed for
snippets) and ``anc_g`` (one row per document and ancestor folder).

Permissions, types and "within" are first applied inside the MATCH as ``acl`` tokens, so FTS5 merges
them with the words' doclists and never ranks or joins documents the user cannot see; the SQL ``WHERE``
then checks the same permission exactly against ``docs_g``/``anc_g`` (ids are hex-encoded in tokens,
so no folding can make two ids equal; the second check is defence in depth) and applies size and dates. ``meta`` names the live generation and, during a rebuild, the one being filled: a rebuild
fills fresh tables and its commit switches ``meta`` and drops the old tables in one transaction, so a
search (one read transaction) sees either the old index or the new one, never a mix.

Each thread gets its own connection, so searches run side by side (WAL) while one writer writes.
Ranking: bm25 with column weights name > path > content, then the most recently modified.

The tables and the rows written to them are in ``fts5_tables``, the MATCH text in ``fts5_match``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import weakref
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .base import (
    Hit,
    InvalidQuery,
    RebuildBase,
    SearchDoc,
    SearchPage,
    SearchQuery,
    check_limit,
    epoch_ms,
)
from .fts5_match import acl_expression, match_expression
from .fts5_match import acl_tokens as acl_tokens  # re-exported: the acl column, next to its MATCH terms
from .fts5_tables import BATCH, batches, create_generation, delete_where, drop_generation, generations, upsert_rows
from .text import ParsedQuery, decode_cursor, encode_cursor, parse_query, snippet

DEFAULT_WEIGHTS = (10.0, 3.0, 1.0)  # name, path, content
# Bump when the tables or the indexed words change: an index file of another version is emptied on open
# (``Fts5Index.was_reset`` tells the caller to refill it with a rebuild).
SCHEMA_VERSION = 1


class _Connection(sqlite3.Connection):
    """A plain connection that can be weakly referenced."""


class Fts5Index:
    """SearchIndex on SQLite FTS5. ``path`` is the index's own database file (created on first use)."""

    def __init__(
        self,
        path: str | Path,
        *,
        weights: tuple[float, float, float] = DEFAULT_WEIGHTS,
        busy_timeout_seconds: float = 30.0,
    ) -> None:
        self.path = Path(path)
        self.weights = weights
        self.busy_timeout_ms = int(busy_timeout_seconds * 1000)
        self._local = threading.local()
        # Weak: a connection goes (and closes) with the thread that opened it; close() ends the others.
        self._conns: weakref.WeakSet[_Connection] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._ready = False
        self._closed = False
        self.was_reset = False

    # -- connections ---------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if self._closed:
            raise RuntimeError("search index is closed")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30, factory=_Connection
        )
        conn.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        with self._lock:
            self._conns.add(conn)
        self._local.conn = conn
        if not self._ready:
            self._init_schema(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def _init_schema(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if self._ready:
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
                conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('live', 1)")
                conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
                live, building = generations(conn)
                version = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
                if version != SCHEMA_VERSION:
                    for gen in (live, building):
                        if gen is not None:
                            drop_generation(conn, gen)
                    live = max(live, building or 0) + 1
                    conn.execute("UPDATE meta SET value = ? WHERE key = 'live'", (live,))
                    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (SCHEMA_VERSION,))
                    conn.execute("DELETE FROM meta WHERE key = 'building'")
                    self.was_reset = True
                create_generation(conn, live)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            self._ready = True

    # -- writes --------------------------------------------------------------------------------
    def upsert(self, docs: Iterable[SearchDoc]) -> None:
        """Add or replace documents; also into the index a rebuild is filling, if one is."""
        for batch in batches(docs):
            with self._write() as conn:
                live, building = generations(conn)
                for gen in (live, building):
                    if gen is not None:
                        upsert_rows(conn, gen, batch)

    def delete(self, ids: Iterable[str]) -> None:
        id_list = list(dict.fromkeys(ids))
        for i in range(0, len(id_list), BATCH):
            chunk = json.dumps(id_list[i : i + BATCH])
            with self._write() as conn:
                for gen in generations(conn):
                    if gen is not None:
                        delete_where(conn, gen, "id IN (SELECT value FROM json_each(?))", (chunk,))

    def delete_below(self, folder_ids: Iterable[str]) -> None:
        id_list = list(dict.fromkeys(folder_ids))
        for i in range(0, len(id_list), BATCH):
            chunk = json.dumps(id_list[i : i + BATCH])
            with self._write() as conn:
                for gen in generations(conn):
                    if gen is not None:
                        # The rows first: deleting them from anc_g would change what the condition selects.
                        found = conn.execute(
                            f"SELECT DISTINCT doc FROM anc_{gen} WHERE ancestor IN (SELECT value FROM json_each(?))",
                            (chunk,),
                        )
                        rowids = json.dumps([int(r[0]) for r in found])
                        delete_where(conn, gen, "rowid IN (SELECT value FROM json_each(?))", (rowids,))

    def delete_owner(self, owner_id: int) -> None:
        with self._write() as conn:
            for gen in generations(conn):
                if gen is not None:
                    delete_where(conn, gen, "owner_id = ?", (owner_id,))

    def rebuild(self) -> Fts5Rebuild:
        return Fts5Rebuild(self)

    # -- reads ---------------------------------------------------------------------------------
    def count(self) -> int:
        with self._read() as conn:
            live, _ = generations(conn)
            row = conn.execute(f"SELECT count(*) FROM docs_{live}").fetchone()
        return int(row[0])

    def search(self, q: SearchQuery) -> SearchPage:
        """One page of hits; snippets are HTML-safe (see ``text.snippet``)."""
        check_limit(q)
        parsed = parse_query(q.text)
        if not parsed.clauses and not q.has_filters:
            raise InvalidQuery("empty", "type a word to search for")
        position = decode_cursor(q)
        after, offset = position if position else (None, 0)
        with self._read() as conn:
            live, _ = generations(conn)
            rows = self._query(conn, live, q, parsed, after)
            more = len(rows) > q.limit
            rows = rows[: q.limit]
            texts = self._texts(conn, live, [r[0] for r in rows])
        hits = []
        for rowid, doc_id, score, _modified in rows:
            name, content = texts.get(rowid, ("", ""))
            hits.append(Hit(doc_id, -score if score else 0.0, snippet(name, content, parsed)))
        next_cursor = None
        if more and rows:
            _, last_id, last_score, last_modified = rows[-1]
            next_cursor = encode_cursor(q, [last_score, last_modified, last_id], offset + len(rows))
        return SearchPage(hits, next_cursor)

    def _query(
        self, conn: sqlite3.Connection, gen: int, q: SearchQuery, parsed: ParsedQuery, after: list[Any] | None
    ) -> list[tuple[int, str, float, int]]:
        where: list[str] = []
        args: list[Any] = []
        perm = "d.owner_id = ?"
        args.append(q.owner_id)
        if q.shared_roots:
            roots = json.dumps(q.shared_roots)
            perm += (
                " OR d.id IN (SELECT value FROM json_each(?))"
                f" OR EXISTS (SELECT 1 FROM anc_{gen} a WHERE a.doc = d.rowid"
                " AND a.ancestor IN (SELECT value FROM json_each(?)))"
            )
            args += [roots, roots]
        where.append(f"({perm})")
        if q.types:
            where.append("d.type IN (SELECT value FROM json_each(?))")
            args.append(json.dumps(q.types))
        if q.modified_after is not None:
            where.append("d.modified_ms >= ?")
            args.append(epoch_ms(q.modified_after))
        if q.modified_before is not None:
            where.append("d.modified_ms < ?")
            args.append(epoch_ms(q.modified_before))
        if q.min_size is not None:
            where.append("d.size >= ?")
            args.append(q.min_size)
        if q.max_size is not None:
            where.append("d.size <= ?")
            args.append(q.max_size)
        if q.within:
            where.append(f"EXISTS (SELECT 1 FROM anc_{gen} w WHERE w.doc = d.rowid AND w.ancestor = ?)")
            args.append(q.within)
        match = acl_expression(q)
        if parsed.clauses:
            w_name, w_path, w_content = (float(x) for x in self.weights)
            score = f"bm25(fts_{gen}, {w_name!r}, {w_path!r}, {w_content!r}, 0.0)"
            match = "{name path content} : (" + match_expression(parsed) + ") AND " + match
        else:
            score = "0.0"
        # CROSS JOIN: FTS5 drives. Left to itself the planner may walk an owner's documents through an
        # index and probe FTS5 once per row, a hundred times slower.
        source = f"fts_{gen} CROSS JOIN docs_{gen} d ON d.rowid = fts_{gen}.rowid"
        where.insert(0, f"fts_{gen} MATCH ?")
        args.insert(0, match)
        if after is not None:
            if len(after) != 3 or not isinstance(after[2], str):
                raise InvalidQuery("bad_cursor", "this cursor does not belong to this search")
            s, m, i = after
            where.append("(score > ? OR (score = ? AND (d.modified_ms < ? OR (d.modified_ms = ? AND d.id > ?))))")
            args += [s, s, m, m, i]
        sql = (
            f"SELECT d.rowid, d.id, {score} AS score, d.modified_ms FROM {source} WHERE {' AND '.join(where)}"
            " ORDER BY score, d.modified_ms DESC, d.id LIMIT ?"
        )
        args.append(q.limit + 1)
        try:
            return [(int(r[0]), str(r[1]), float(r[2]), int(r[3])) for r in conn.execute(sql, args)]
        except sqlite3.OperationalError as e:
            # Words are quoted, so FTS5 sees no syntax; this is a safety net, not an expected path.
            if "fts5" in str(e).lower():
                raise InvalidQuery("bad_query", "this search text cannot be searched") from e
            raise

    def _texts(self, conn: sqlite3.Connection, gen: int, rowids: list[int]) -> dict[int, tuple[str, str]]:
        if not rowids:
            return {}
        rows = conn.execute(
            f"SELECT rowid, name, content FROM docs_{gen} WHERE rowid IN (SELECT value FROM json_each(?))",
            (json.dumps(rowids),),
        )
        return {int(r[0]): (r[1], zlib.decompress(r[2]).decode() if r[2] else "") for r in rows}

    def close(self) -> None:
        self._closed = True
        with self._lock:
            conns = list(self._conns)
            self._conns = weakref.WeakSet()
        for conn in conns:
            try:
                conn.close()
            except sqlite3.ProgrammingError:  # in use by its thread right now; it dies with the process
                pass


class Fts5Rebuild(RebuildBase):
    """Fills a fresh generation of tables; commit switches ``meta`` to it and drops the old one."""

    def __init__(self, index: Fts5Index) -> None:
        self.index = index
        self.done = False
        with index._write() as conn:
            live, building = generations(conn)
            if building is not None:  # left by a rebuild that never finished: this one takes over
                drop_generation(conn, building)
            self.gen = max(live, building or 0) + 1
            create_generation(conn, self.gen)
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('building', ?)", (self.gen,))

    def upsert(self, docs: Iterable[SearchDoc]) -> None:
        if self.done:
            raise RuntimeError("this rebuild has already ended")
        for batch in batches(docs):
            with self.index._write() as conn:
                self._check(conn)
                upsert_rows(conn, self.gen, batch)

    def _check(self, conn: sqlite3.Connection) -> None:
        if generations(conn)[1] != self.gen:
            raise RuntimeError("another rebuild has replaced this one")

    def commit(self) -> None:
        if self.done:
            return
        with self.index._write() as conn:
            self._check(conn)
            # Merge the new index's segments once, before it serves searches.
            conn.execute(f"INSERT INTO fts_{self.gen} (fts_{self.gen}) VALUES ('optimize')")
        with self.index._write() as conn:
            self._check(conn)
            live, _ = generations(conn)
            conn.execute("UPDATE meta SET value = ? WHERE key = 'live'", (self.gen,))
            conn.execute("DELETE FROM meta WHERE key = 'building'")
            drop_generation(conn, live)
        self.done = True

    def abort(self) -> None:
        if self.done:
            return
        self.done = True
        with self.index._write() as conn:
            if generations(conn)[1] == self.gen:
                conn.execute("DELETE FROM meta WHERE key = 'building'")
                drop_generation(conn, self.gen)
