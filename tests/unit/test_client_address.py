"""Which address a request comes from: the TCP peer, or what a trusted proxy says in X-Forwarded-For."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import ValidationError
from starlette.requests import Request

from pcs_app import wiring
from pcs_app.api.deps import client_ip
from pcs_app.settings import Settings
from pcs_app.wiring import set_core


def request(peer: str, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", f.encode()) for f in forwarded]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "client": (peer, 5000)})


@pytest.fixture
def proxies(core) -> Iterator[None]:  # type: ignore[no-untyped-def]
    saved = wiring._core  # restore exactly what was installed (maybe nothing)
    old = core.settings.trusted_proxies
    core.settings.trusted_proxies = "10.0.0.0/8, 127.0.0.1, ::1"
    set_core(core)
    try:
        yield
    finally:
        core.settings.trusted_proxies = old
        set_core(saved)


def test_without_trusted_proxies_the_peer_is_the_client(core) -> None:  # type: ignore[no-untyped-def]
    saved = wiring._core  # restore exactly what was installed (maybe nothing)
    set_core(core)
    try:
        assert client_ip(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
    finally:
        set_core(saved)


@pytest.mark.usefixtures("proxies")
def test_a_trusted_proxy_names_the_client() -> None:
    assert client_ip(request("127.0.0.1", "198.51.100.7")) == "198.51.100.7"
    # A chain of our own balancers: the last address that is not ours.
    assert client_ip(request("10.1.2.3", "198.51.100.7, 10.9.9.9")) == "198.51.100.7"
    # What the client wrote itself comes first and is not believed.
    assert client_ip(request("127.0.0.1", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(request("127.0.0.1", "1.2.3.4", "198.51.100.7")) == "198.51.100.7"
    # Garbage from the proxy side: the proxy itself.
    assert client_ip(request("127.0.0.1", "not-an-address")) == "127.0.0.1"
    assert client_ip(request("127.0.0.1")) == "127.0.0.1"
    # From an untrusted peer the header means nothing.
    assert client_ip(request("203.0.113.9", "198.51.100.7")) == "203.0.113.9"


def test_bad_proxy_lists_and_a_shared_set_up_without_a_secret_are_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="PCS_TRUSTED_PROXIES"):
        Settings(data_dir=tmp_path, trusted_proxies="10.0.0.0/33")
    with pytest.raises(ValidationError, match="PCS_SECRET_KEY"):
        Settings(data_dir=tmp_path, redis_url="redis://127.0.0.1:6379/0")
    Settings(data_dir=tmp_path, redis_url="redis://127.0.0.1:6379/0", secret_key="s" * 40)
