"""API tests run over HTTP against the whole app started as `make run` starts it, on each database:
SQLite (the embedded default) and PostgreSQL with Redis for UI state, broker and jobs (several
instances' set-up: Reflex then runs several workers)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import PASSWORD, free_port, fresh_pg_database
from tests.stack import Stack, start_stack


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data = tmp_path_factory.mktemp(f"api-{request.param}") / "data"
    env: dict[str, str] = {}
    databases = contextlib.ExitStack()
    if request.param == "postgresql":
        redis_url = request.getfixturevalue("redis_url")
        # A database of its own: the stack stores bytes in its own S3, so rows it shares with the
        # `core` fixture's database would point at objects that bucket does not hold (deduplication).
        env = {
            "PCS_DATABASE_URL": databases.enter_context(fresh_pg_database()),
            "PCS_REDIS_URL": redis_url,
            "REFLEX_REDIS_URL": redis_url,
            "PCS_JOBS_QUEUE_NAME": f"api-{secrets.token_hex(4)}",
            "PCS_SECRET_KEY": secrets.token_urlsafe(32),
        }
    with databases:
        s = start_stack(data, free_port, env)
        yield s
        s.stop()


@dataclass
class Client:
    http: httpx.Client
    token: str
    root_id: str
    email: str
    user_id: int

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.http, name)


def signup(stack: Stack) -> Client:
    email = f"api{secrets.token_hex(5)}@example.com"
    r = httpx.post(f"{stack.url}/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
    assert r.status_code == 201, r.text
    body = r.json()
    http = httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {body['token']}"}, timeout=60)
    return Client(http, body["token"], body["user"]["root_id"], email, body["user"]["id"])


@pytest.fixture
def client(stack: Stack) -> Iterator[Client]:
    c = signup(stack)
    yield c
    c.http.close()


@pytest.fixture
def other(stack: Stack) -> Iterator[Client]:
    c = signup(stack)
    yield c
    c.http.close()


@pytest.fixture
def anon(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=30) as c:
        yield c
