"""Change notifications reach long-polls in another app instance through Redis."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time

from pcs_app.services import accounts, changes, tree
from pcs_app.wiring import build_core
from tests.conftest import PASSWORD, make_core, make_settings


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

        # In a thread of its own: Playwright's sync API may already run a loop in this one.
        out: dict[str, tuple[list[str], float]] = {}
        worker = threading.Thread(target=lambda: out.update(result=asyncio.run(scenario())))
        worker.start()
        worker.join(60)
        names, latency = out["result"]
        assert names == ["from-a"]
        # Well under the 2 s database re-check, so the Redis message is what woke it.
        assert latency < 1.5, latency
    finally:
        a.close()
        b.close()
