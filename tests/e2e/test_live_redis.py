"""Live updates with Redis: Reflex's Redis state manager, several app workers, the Redis change broker."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import free_port
from tests.e2e.helpers import api_user, row, signed_in
from tests.stack import Stack, start_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def redis_stack(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Stack]:
    data = tmp_path_factory.mktemp("redis-stack") / "data"
    # REFLEX_REDIS_URL makes Reflex keep UI state in Redis and run several workers (2 x CPUs + 1).
    s = start_stack(
        data,
        free_port,
        {"PCS_REDIS_URL": redis_url, "REFLEX_REDIS_URL": redis_url, "PCS_SECRET_KEY": "e2e-" + "k" * 40},
    )
    yield s
    s.stop()


def test_several_workers_are_serving(redis_stack: Stack) -> None:
    out = httpx.get(f"{redis_stack.url}/api/v1/health").json()
    assert out == {"database": True, "storage": True}
    # With Reflex's state in Redis, Reflex runs several app worker processes (2 x CPUs + 1).
    procs = redis_stack.processes()
    # The server's worker processes are forks of `reflex run`: children carrying the same command line.
    reflex = {line.split()[0] for line in procs if "reflex run" in line}
    workers = [line for line in procs if "reflex run" in line and line.split()[1] in reflex]
    print(f"app worker processes: {len(workers)}")
    assert len(workers) >= 2, "\n".join(procs)


def test_change_in_one_tab_reaches_another_across_workers(redis_stack: Stack, browser: Browser) -> None:
    base = redis_stack.url
    _email, token, root = api_user(base)
    contexts = [browser.new_context(base_url=base) for _ in range(3)]
    tabs = [signed_in(c, base, token) for c in contexts]
    latencies = []
    for i in range(5):
        name = f"redis-live-{i}.txt"
        t0 = time.monotonic()
        r = httpx.put(
            f"{base}/api/v1/nodes/{root}/files",
            params={"name": name},
            content=b"r",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 201
        for tab in tabs:
            expect(row(tab, name)).to_be_visible(timeout=5_000)
        latencies.append(time.monotonic() - t0)
    print(f"Redis, several workers: API upload -> visible in all 3 tabs: {[round(x * 1000) for x in latencies]} ms")
    # And a change made in the UI of one tab reaches the others.
    tabs[0].click("#new-folder")
    tabs[0].fill("#dialog-name", "made in tab 0")
    tabs[0].click("#dialog-submit")
    for tab in tabs[1:]:
        expect(row(tab, "made in tab 0")).to_be_visible(timeout=5_000)
    for c in contexts:
        c.close()
