"""The change broker, as a contract suite: the same tests against the in-process broker and the Redis
broker (the fsspec pattern: one suite, a fixture per backend); then Redis across app instances."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from pcs_app.adapters.broker import LocalBroker, RedisBroker, create_broker
from pcs_app.services import accounts, changes, tree
from pcs_app.wiring import build_core
from tests.conftest import PASSWORD, make_core, make_settings


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine in a thread of its own (Playwright's sync API may own this thread's loop)."""
    out: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: out.update(result=asyncio.run(scenario())))
    worker.start()
    worker.join(60)
    return out["result"]


@pytest.fixture(params=["in-process", "redis"])
def broker(request: pytest.FixtureRequest) -> Iterator[LocalBroker]:
    b = create_broker(request.getfixturevalue("redis_url") if request.param == "redis" else None)
    assert isinstance(b, RedisBroker) == (request.param == "redis")
    yield b
    b.close()


def user_id() -> int:
    return secrets.randbelow(10**9) + 10**6  # no other test publishes for it


def test_a_publish_wakes_the_waiter_of_that_user(broker: LocalBroker) -> None:
    uid = user_id()

    async def scenario() -> tuple[bool, float]:
        waiter = asyncio.create_task(broker.wait(uid, 10))
        await asyncio.sleep(0.2)
        t0 = time.monotonic()
        await asyncio.to_thread(broker.publish, uid, 1)  # from another thread, as write_tx does
        return await waiter, time.monotonic() - t0

    woke, latency = run(scenario)
    assert woke and latency < 1.0


def test_a_waiter_times_out_when_nothing_happens(broker: LocalBroker) -> None:
    async def scenario() -> tuple[bool, float]:
        t0 = time.monotonic()
        return await broker.wait(user_id(), 0.3), time.monotonic() - t0

    woke, waited = run(scenario)
    assert not woke and 0.25 <= waited < 2


def test_another_users_publish_wakes_nobody_here(broker: LocalBroker) -> None:
    mine, theirs = user_id(), user_id()

    async def scenario() -> bool:
        waiter = asyncio.create_task(broker.wait(mine, 0.8))
        await asyncio.sleep(0.2)
        broker.publish(theirs, 1)
        return await waiter

    assert run(scenario) is False


def test_every_waiter_of_a_user_wakes(broker: LocalBroker) -> None:
    uid = user_id()

    async def scenario() -> list[bool]:
        waiters = [asyncio.create_task(broker.wait(uid, 10)) for _ in range(5)]
        await asyncio.sleep(0.2)
        broker.publish(uid, 7)
        return list(await asyncio.gather(*waiters))

    assert run(scenario) == [True] * 5


def test_a_write_in_one_instance_wakes_a_long_poll_in_another(weed, redis_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, weed, None, f"pcs-redis-{secrets.token_hex(3)}", redis_url=redis_url)
    a = make_core(settings)
    b = build_core(settings)  # a second instance: same database, its own broker connection
    try:
        user = accounts.create_user(a, f"r{secrets.token_hex(4)}@example.com", PASSWORD)
        since = changes.current_cursor(b, user)

        async def scenario() -> tuple[list[str], float]:
            waiter = asyncio.create_task(changes.wait_for_changes(b, user, since, timeout=20))
            await asyncio.sleep(0.5)
            t0 = time.monotonic()
            await asyncio.to_thread(tree.create_folder, a, user, user.root_id, "from-a")
            page = await waiter
            return [c.name or "" for c in page.changes], time.monotonic() - t0

        names, latency = run(scenario)
        assert names == ["from-a"]
        # Well under the 2 s database re-check, so the Redis message is what woke it.
        assert latency < 1.5, latency
    finally:
        a.close()
        b.close()
