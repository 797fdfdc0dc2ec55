"""Shared fixtures: a real SeaweedFS, SQLite and PostgreSQL databases, Cores and users."""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pcs_app.adapters.seaweed import PrivateS3, free_port, private_seaweed
from pcs_app.services import accounts
from pcs_app.services.core import Core
from pcs_app.settings import Settings
from pcs_app.wiring import build_core
from tests.stack import Stack, start_stack

REQUIRE_SERVICES = os.environ.get("PCS_REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get("PCS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PCS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "correct horse battery"


def service_missing(what: str) -> None:
    """Skip on a developer machine without the service; fail in CI (PCS_REQUIRE_SERVICES=1)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (PCS_REQUIRE_SERVICES=1) but not reachable", pytrace=False)
    pytest.skip(f"{what} not reachable")


@pytest.fixture(scope="session")
def weed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateS3]:
    """A real SeaweedFS (weed mini) on free 127.0.0.1 ports, for the whole session."""
    with private_seaweed(tmp_path_factory.mktemp("seaweed")) as s3:
        yield s3


@contextlib.contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A new PostgreSQL database on the local server (its URL), dropped afterwards."""
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.exec_driver_sql("SELECT 1")
    except Exception as e:  # noqa: BLE001
        admin.dispose()
        service_missing(f"PostgreSQL at {PG_ADMIN_URL} ({type(e).__name__})")
    name = f"pcs_test_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for the session."""
    with fresh_pg_database() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except Exception as e:  # noqa: BLE001
        service_missing(f"Redis at {REDIS_URL} ({type(e).__name__})")
    return REDIS_URL


def make_settings(tmp: Path, weed: PrivateS3, database_url: str | None, bucket: str, **extra: object) -> Settings:
    if extra.get("redis_url"):  # instances sharing Redis share one secret (the settings insist)
        extra.setdefault("secret_key", "tests-" + "s" * 40)
    return Settings(
        data_dir=tmp,
        database_url=database_url,
        s3_endpoint=weed.endpoint,
        s3_access_key=weed.access_key,
        s3_secret_key=weed.secret_key,
        s3_bucket=bucket,
        **extra,  # type: ignore[arg-type]
    )


def make_core(settings: Settings) -> Core:
    core = build_core(settings)
    core.blobs.ensure_bucket()
    core.db.migrate()
    return core


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def core(request: pytest.FixtureRequest, weed: PrivateS3, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Core]:
    """A Core on SQLite and on PostgreSQL; tests isolate themselves by creating their own users."""
    tmp = tmp_path_factory.mktemp(f"core-{request.param}")
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    c = make_core(make_settings(tmp, weed, url, f"pcs-{request.param}-{secrets.token_hex(3)}"))
    yield c
    c.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def own_core(request: pytest.FixtureRequest, weed: PrivateS3, tmp_path: Path) -> Iterator[Core]:
    """A Core with a database and bucket of its own, for tests that look at everything stored
    (integrity checks, garbage collection). Settings: ``@pytest.mark.core_settings(name=value)``."""
    marker = request.node.get_closest_marker("core_settings")
    extra = dict(marker.kwargs) if marker else {}
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(fresh_pg_database()) if request.param == "postgresql" else None
        c = make_core(make_settings(tmp_path, weed, url, f"own-{request.param[:2]}-{secrets.token_hex(4)}", **extra))
        stack.callback(c.close)
        yield c


@pytest.fixture
def user(core: Core):  # type: ignore[no-untyped-def]
    return accounts.create_user(core, f"u{secrets.token_hex(5)}@example.com", PASSWORD)


@pytest.fixture
def other_user(core: Core):  # type: ignore[no-untyped-def]
    return accounts.create_user(core, f"o{secrets.token_hex(5)}@example.com", PASSWORD)


def wait_until(cond, timeout: float = 10.0, interval: float = 0.05) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(interval)
    return False


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data = tmp_path_factory.mktemp("stack") / "data"
    s = start_stack(data, free_port)
    yield s
    s.stop()
