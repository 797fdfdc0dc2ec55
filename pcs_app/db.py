"""Database engine, sessions and migrations (SQLite WAL by default, PostgreSQL by URL)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Generator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


def create_db_engine(url: str) -> Engine:
    """An engine with SQLite tuned for concurrent use: WAL, foreign keys, IMMEDIATE write transactions."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=16, max_overflow=16
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: object) -> None:
            # Take transaction control from pysqlite so writers can BEGIN IMMEDIATE: a deferred
            # transaction that upgrades to a write fails at once (SQLITE_BUSY) instead of waiting.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            if conn.get_execution_options().get("pcs_write"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


class Database:
    """Owns the engine; hands out read and write sessions."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = create_db_engine(self.url)
        self._write_engine = self.engine.execution_options(pcs_write=True)
        self.is_sqlite = self.url.startswith("sqlite")
        self._write_lock: contextlib.AbstractContextManager[object] = (
            threading.Lock() if self.is_sqlite else contextlib.nullcontext()
        )

    @contextlib.contextmanager
    def read(self) -> Generator[Session]:
        """A session for reads; rolled back at the end."""
        with Session(self.engine, expire_on_commit=False) as s:
            yield s

    @contextlib.contextmanager
    def write(self) -> Generator[Session]:
        """A transaction for writes: committed when the block ends, rolled back on error."""
        # SQLite has one writer at a time and its busy handler polls with sleeps, so concurrent
        # writers in one process wait in a queue here instead (fair and without the sleep tails).
        with self._write_lock, Session(self._write_engine, expire_on_commit=False) as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        upgrade(self.url)

    def dispose(self) -> None:
        self.engine.dispose()


_INSERTS: dict[tuple[str, str, tuple[str, ...]], str] = {}


def _sqlite_value(v: Any) -> Any:
    """A value as SQLAlchemy stores it in SQLite (datetimes and dates as ISO text, bools as 0/1)."""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    return int(v) if isinstance(v, bool) else v


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT plain rows through the driver, one statement per set of columns. For the rows every
    upload's transaction appends (audit and usage): SQLAlchemy's statement machinery costs several
    times the insert itself there (bench/dashboard.py measures what that leaves)."""
    dialect = conn.dialect.name
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    for cols, group in groups.items():
        key = (dialect, table.name, cols)
        sql = _INSERTS.get(key)
        if sql is None:
            if any(c not in table.c for c in cols):
                raise KeyError(f"{table.name} has no column among {cols}")
            names = ", ".join(f'"{c}"' for c in cols)
            marks = ", ".join(f":{c}" if dialect == "sqlite" else f"%({c})s" for c in cols)
            sql = _INSERTS[key] = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        if dialect == "sqlite":
            group = [{k: _sqlite_value(v) for k, v in r.items()} for r in group]
        raw = conn.connection.driver_connection  # the driver's own connection, in this transaction
        if raw is None:
            raise RuntimeError("the connection is closed")
        cur = raw.cursor()
        try:
            cur.executemany(sql, group)
        finally:
            cur.close()


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


MIGRATION_LOCK = 0x5C5_0001  # the PostgreSQL advisory lock every instance takes to migrate


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision``. On PostgreSQL, instances starting together take turns (an
    advisory lock held on a connection of its own): the first migrates, the others find it done."""
    from alembic import command

    url = normalise_url(url)
    if make_url(url).get_backend_name() != "postgresql":
        command.upgrade(alembic_config(url), revision)
        return
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
            try:
                command.upgrade(alembic_config(url), revision)
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
    finally:
        engine.dispose()
