"""Listing a huge folder: PCS's list_children (in-process and over HTTP) vs the equivalent raw SQL.

The folder is created through PCS (API or service) so ownership is right, then filled by bulk-inserting
Node rows with SQLAlchemy core. SQLite is the stack's own database; PostgreSQL, when reachable, gets a
throwaway database that is dropped at the end.
"""

from __future__ import annotations

import random
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import select

from pcs_app.db import upgrade
from pcs_app.models import FILE, FOLDER, Node, User, new_id
from pcs_app.services import accounts, tree
from pcs_app.services.core import Core
from pcs_app.services.names import name_key
from pcs_app.wiring import build_core

from .common import Row, Section, log, percentile
from .stack import Api, Stack

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SORTS = ("name", "size", "modified")
SORT_COLUMN = {"name": "name_key", "size": "size", "modified": "modified_at"}
COLUMNS = ", ".join(c.name for c in Node.__table__.columns)  # type: ignore[attr-defined]
PAGE = 200
WALK_PAGE = 1000
GOAL_P95_MS = 50.0
WARMUP = 5
BATCH = 5000
WORDS = ("Report", "photo", "IMG", "notes", "Data", "scan", "Invoice", "video", "draft", "Backup")


@dataclass(frozen=True)
class After:
    """A cursor position in raw terms: the kind, the stored sort value and the id of the last row seen."""

    kind: str
    value: object
    node_id: str


class RawLister:
    """The anchor: the SQL PCS needs for a page (folder lookup, then one SELECT per kind), by hand."""

    def __init__(self, conn: Any, placeholder: str, indexed_by: bool) -> None:
        self.conn = conn
        self.ph = placeholder
        self.indexed_by = indexed_by

    def _sql(self, sort: str, with_after: bool) -> str:
        col, p = SORT_COLUMN[sort], self.ph
        hint = f" INDEXED BY ix_node_list_{sort}" if self.indexed_by else ""
        where = f"parent_id = {p} AND trashed_at IS NULL AND kind = {p}"
        if with_after:
            where += f" AND ({col}, id) > ({p}, {p})"
        return f"SELECT {COLUMNS} FROM node{hint} WHERE {where} ORDER BY {col}, id LIMIT {p}"

    def page(self, folder_id: str, sort: str, limit: int, after: After | None = None) -> list[tuple[Any, ...]]:
        """Folders first, then files, ordered by ``sort`` then id, strictly after ``after``."""
        cur = self.conn.cursor()
        cur.execute(f"SELECT {COLUMNS} FROM node WHERE id = {self.ph}", (folder_id,))
        if cur.fetchone() is None:
            raise RuntimeError("folder not found")
        items: list[tuple[Any, ...]] = []
        kinds = [FOLDER, FILE] if after is None else [FOLDER, FILE][[FOLDER, FILE].index(after.kind) :]
        for kind in kinds:
            want = limit + 1 - len(items)
            if want <= 0:
                break
            if after is not None and kind == after.kind:
                cur.execute(self._sql(sort, True), (folder_id, kind, after.value, after.node_id, want))
            else:
                cur.execute(self._sql(sort, False), (folder_id, kind, want))
            items.extend(cur.fetchall())
        cur.close()
        return items[:limit]

    def after(self, node_id: str, sort: str) -> After:
        """The raw cursor for the row ``node_id`` (its stored sort value, as the database holds it)."""
        cur = self.conn.cursor()
        cur.execute(f"SELECT kind, {SORT_COLUMN[sort]}, id FROM node WHERE id = {self.ph}", (node_id,))
        kind, value, nid = cur.fetchone()
        cur.close()
        return After(kind, value, nid)

    def plan(self, sort: str, folder_id: str, after: After | None) -> str:
        """The query plan of the file-kind SELECT of this page."""
        params: list[object] = [folder_id, FILE]
        if after is not None:
            params += [after.value, after.node_id]
        cur = self.conn.cursor()
        cur.execute(explain_prefix(self.ph == "?") + self._sql(sort, after is not None), (*params, PAGE + 1))
        rows = cur.fetchall()
        cur.close()
        return compact_plan(rows)


def explain_prefix(sqlite: bool) -> str:
    return "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (COSTS OFF) "


def compact_plan(rows: Sequence[Sequence[Any]]) -> str:
    """One line from EXPLAIN output (SQLite: the detail column; PostgreSQL: the text lines)."""
    return " | ".join(" ".join(str(r[-1]).replace("->", "").split()) for r in rows)


def fake_rows(owner_id: int, parent_id: str, entries: int, dirs: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``entries`` Node rows under ``parent_id``: ``dirs`` folders, the rest files, varied names/sizes/times."""
    rnd = random.Random(seed)
    now = datetime.now(UTC)
    for i in range(entries):
        modified = now - timedelta(seconds=rnd.randrange(2 * 365 * 86400))
        if i < dirs:
            name, kind, size = f"Folder {i:04d} {rnd.choice(WORDS)}", FOLDER, 0
        else:
            name, kind, size = f"{rnd.choice(WORDS)}_{rnd.getrandbits(32):08x}_{i:06d}.bin", FILE, rnd.randrange(10**10)
        yield {
            "id": new_id(),
            "owner_id": owner_id,
            "parent_id": parent_id,
            "name": name,
            "name_key": name_key(name),
            "kind": kind,
            "size": size,
            "mime_type": None,
            "sha256": None,
            "version_id": None,
            "created_at": modified - timedelta(seconds=rnd.randrange(86400)),
            "modified_at": modified,
            "trashed_at": None,
            "trash_root": False,
        }


def bulk_insert(engine: sa.Engine, owner_id: int, parent_id: str, entries: int, dirs: int) -> float:
    """Insert the fake rows in batches with SQLAlchemy core; returns seconds taken."""
    t0 = time.perf_counter()
    table = Node.__table__  # type: ignore[attr-defined]
    batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for row in fake_rows(owner_id, parent_id, entries, dirs):
            batch.append(row)
            if len(batch) >= BATCH:
                conn.execute(table.insert(), batch)
                batch = []
        if batch:
            conn.execute(table.insert(), batch)
    return time.perf_counter() - t0


@contextmanager
def captured_sql(engine: sa.Engine) -> Iterator[list[tuple[str, Any]]]:
    """Record every (statement, parameters) the engine sends while the block runs."""
    seen: list[tuple[str, Any]] = []

    def hook(_conn: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", hook)


def pcs_plan(core: Core, user: User, folder_id: str, sort: str, cursor: str | None) -> str:
    """The database's plan for the file-kind SELECT that list_children really sends."""
    with captured_sql(core.db.engine) as seen:
        tree.list_children(core, user, folder_id, sort=sort, limit=PAGE, cursor=cursor)
    stmt, params = next((s, p) for s, p in reversed(seen) if "ORDER BY" in s)
    with core.db.engine.connect() as conn:
        rows = conn.exec_driver_sql(explain_prefix(core.db.is_sqlite) + stmt, params).fetchall()
    return compact_plan(rows)


@dataclass
class Case:
    """One page to time: a label, PCS's call, the anchor's call, optionally the HTTP call."""

    label: str
    sort: str
    pcs: Callable[[], Sequence[Any]]
    raw: Callable[[], Sequence[Any]]
    http: Callable[[], Sequence[Any]] | None = None


def time_cases(cases: list[Case], reps: int) -> dict[str, dict[str, list[float]]]:
    """Per case, ``reps`` timings in ms for each side, interleaved rep by rep (after a warm-up)."""
    out: dict[str, dict[str, list[float]]] = {}
    for case in cases:
        sides: dict[str, Callable[[], Sequence[Any]]] = {"pcs": case.pcs, "raw": case.raw}
        if case.http is not None:
            sides["http"] = case.http
        for fn in sides.values():
            for _ in range(WARMUP):
                fn()
        res: dict[str, list[float]] = {k: [] for k in sides}
        for _ in range(reps):
            for k, fn in sides.items():
                t0 = time.perf_counter()
                fn()
                res[k].append((time.perf_counter() - t0) * 1000)
        out[case.label] = res
    return out


def build_cases(
    core: Core, user: User, folder_id: str, raw: RawLister, deep_at: int, api: Api | None, notes: list[str]
) -> list[Case]:
    """For each sort: the first page and a page ``deep_at`` entries in, checking PCS and raw agree."""
    cases: list[Case] = []
    for sort in SORTS:
        cursor: str | None = None
        seen = 0
        last_id = ""
        while seen < deep_at:
            page = tree.list_children(core, user, folder_id, sort=sort, limit=WALK_PAGE, cursor=cursor)
            seen += len(page.items)
            last_id = page.items[-1].id
            cursor = page.next_cursor
            if cursor is None:
                raise RuntimeError(f"folder ended after {seen} entries, before entry {deep_at}")
        after = raw.after(last_id, sort)
        deep_cursor = cursor

        def first_pcs(s: str = sort) -> Sequence[Any]:
            return tree.list_children(core, user, folder_id, sort=s, limit=PAGE).items

        def deep_pcs(s: str = sort, c: str | None = deep_cursor) -> Sequence[Any]:
            return tree.list_children(core, user, folder_id, sort=s, limit=PAGE, cursor=c).items

        def first_raw(s: str = sort) -> Sequence[Any]:
            return raw.page(folder_id, s, PAGE)

        def deep_raw(s: str = sort, a: After = after) -> Sequence[Any]:
            return raw.page(folder_id, s, PAGE, a)

        first_http = deep_http = None
        if api is not None:

            def first_http(s: str = sort) -> Sequence[Any]:
                r = api.http.get(f"/nodes/{folder_id}/children", params={"sort": s, "order": "asc", "limit": PAGE})
                r.raise_for_status()
                return list(r.json()["items"])

            def deep_http(s: str = sort, c: str | None = deep_cursor) -> Sequence[Any]:
                params = {"sort": s, "order": "asc", "limit": PAGE, "cursor": c}
                r = api.http.get(f"/nodes/{folder_id}/children", params=params)
                r.raise_for_status()
                return list(r.json()["items"])

        for where, pcs_fn, raw_fn, http_fn in (
            ("first", first_pcs, first_raw, first_http),
            (f"@{deep_at:,}", deep_pcs, deep_raw, deep_http),
        ):
            want = [n.id for n in pcs_fn()]
            got = [r[0] for r in raw_fn()]
            if want != got:
                raise RuntimeError(f"raw SQL and PCS disagree on the {sort} {where} page")
            if http_fn is not None and [i["id"] for i in http_fn()] != want:
                raise RuntimeError(f"HTTP and in-process listings disagree on the {sort} {where} page")
            cases.append(Case(f"{sort} {where}", sort, pcs_fn, raw_fn, http_fn))
        deep_plan, raw_plan = pcs_plan(core, user, folder_id, sort, deep_cursor), raw.plan(sort, folder_id, after)
        notes.append(f"plan {sort} first page, last SELECT (PCS): {pcs_plan(core, user, folder_id, sort, None)}")
        notes.append(f"plan {sort} @{deep_at:,} (PCS): {deep_plan}")
        notes.append(f"plan {sort} @{deep_at:,} (raw): {'same' if raw_plan == deep_plan else raw_plan}")
    return cases


def add_rows(sec: Section, db: str, timings: dict[str, dict[str, list[float]]]) -> None:
    for label, res in timings.items():
        for side, name in (("pcs", "in-process"), ("http", "HTTP")):
            if side not in res:
                continue
            for pct in (50, 95):
                p, a = percentile(res[side], pct), percentile(res["raw"], pct)
                goal, met = ("< 50 ms", p < GOAL_P95_MS) if pct == 95 and side == "pcs" else ("", None)
                sec.rows.append(Row(sec.name, f"{db} {name} {label} p{pct}", "ms", p, a, goal, met))


def _deep_at(entries: int) -> int:
    return min(90_000, (int(entries * 0.9) // WALK_PAGE) * WALK_PAGE)


def run_sqlite(stack: Stack, api: Api, email: str, entries: int, dirs: int, reps: int) -> Section:
    """Fill a folder of the stack's SQLite database and time list_children, HTTP and raw sqlite3."""
    sec = Section(
        f"listing: folder of {entries:,} entries ({dirs} folders), SQLite, {reps} reps",
        "raw sqlite3: same SELECTs (INDEXED BY the listing index), same page, same run",
    )
    t_start = time.perf_counter()
    folder_id = api.mkdir(api.root_id, "bench-listing")
    settings = stack.settings()
    core = build_core(settings)
    conn = sqlite3.connect(stack.db_path, check_same_thread=False)
    try:
        with core.db.read() as s:
            user = s.exec(select(User).where(User.email == email)).one()
        secs = bulk_insert(core.db.engine, user.id or 0, folder_id, entries, dirs)
        log(f"SQLite: inserted {entries:,} rows in {secs:.1f} s")
        sec.notes.append(f"bulk insert of {entries:,} rows took {secs:.1f} s; no ANALYZE (PCS never runs it)")
        raw = RawLister(conn, "?", indexed_by=True)
        cases = build_cases(core, user, folder_id, raw, _deep_at(entries), api, sec.notes)
        timings = time_cases(cases, reps)
        add_rows(sec, "sqlite", timings)
        sec.samples = {"ms": timings}
    finally:
        conn.close()
        core.close()
    sec.seconds = time.perf_counter() - t_start
    return sec


def pg_reachable(admin_url: str) -> str | None:
    """None when PostgreSQL answers, else a one-line reason."""
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            c.exec_driver_sql("SELECT 1")
        return None
    except Exception as e:  # noqa: BLE001 - any failure means "not reachable" here
        return f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    finally:
        engine.dispose()


def run_postgres(
    stack: Stack, work: Path, entries: int, dirs: int, reps: int, admin_url: str = PG_ADMIN_URL
) -> Section:
    """The in-process listing benchmark on a throwaway PostgreSQL database (raw anchor: psycopg)."""
    import psycopg

    sec = Section(
        f"listing: folder of {entries:,} entries ({dirs} folders), PostgreSQL, {reps} reps",
        "raw psycopg: same SELECTs, same page, same run",
    )
    t_start = time.perf_counter()
    why = pg_reachable(admin_url)
    if why is not None:
        sec.notes.append(f"skipped: PostgreSQL at {admin_url} is not reachable ({why})")
        log(sec.notes[-1])
        return sec
    name = f"pcs_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(admin_url).set(database=name)
    core: Core | None = None
    conn: Any = None
    try:
        upgrade(url.render_as_string(hide_password=False))
        settings = stack.settings(data_dir=work / "pg", database_url=url.render_as_string(hide_password=False))
        core = build_core(settings)
        user = accounts.create_user(core, f"bench-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(16))
        folder_id = tree.create_folder(core, user, user.root_id, "bench-listing").id
        secs = bulk_insert(core.db.engine, user.id or 0, folder_id, entries, dirs)
        with core.db.engine.connect() as c:
            c.exec_driver_sql("ANALYZE node")
            c.commit()
        log(f"PostgreSQL: inserted {entries:,} rows in {secs:.1f} s")
        sec.notes.append(f"bulk insert of {entries:,} rows took {secs:.1f} s, then ANALYZE node (as autovacuum would)")
        conn = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True)
        raw = RawLister(conn, "%s", indexed_by=False)
        cases = build_cases(core, user, folder_id, raw, _deep_at(entries), None, sec.notes)
        timings = time_cases(cases, reps)
        add_rows(sec, "postgresql", timings)
        sec.samples = {"ms": timings, "database": name}
    finally:
        if conn is not None:
            conn.close()
        if core is not None:
            core.close()
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    sec.seconds = time.perf_counter() - t_start
    return sec
