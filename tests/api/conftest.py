"""API tests run over HTTP against the whole app started as `make run` starts it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import PASSWORD
from tests.stack import Stack


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
