"""Change broker: wakes long-polls and live views when a user's change feed moves.

In-process by default; Redis pub/sub when several app instances serve the same users.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import defaultdict

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "pcs:changes:"


class LocalBroker:
    """Delivers within one process. ``publish`` may be called from any thread."""

    # Waiters also re-check the database this often: writes from other processes (the job
    # worker, the CLI) cannot reach this process's waiters without Redis.
    recheck_seconds = 0.5

    def __init__(self) -> None:
        self._waiters: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = defaultdict(set)
        self._lock = threading.Lock()

    def publish(self, user_id: int, seq: int) -> None:
        self._deliver(user_id)

    def _deliver(self, user_id: int) -> None:
        with self._lock:
            waiters = list(self._waiters.get(user_id, ()))
        for loop, ev in waiters:
            try:
                loop.call_soon_threadsafe(ev.set)
            except RuntimeError:  # loop already closed: its waiter is gone with it
                pass

    async def wait(self, user_id: int, timeout: float) -> bool:
        """Wait until something is published for ``user_id``; False on timeout."""
        await self._ensure_listening()
        ev = asyncio.Event()
        entry = (asyncio.get_running_loop(), ev)
        with self._lock:
            self._waiters[user_id].add(entry)
        try:
            await asyncio.wait_for(ev.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            with self._lock:
                self._waiters[user_id].discard(entry)
                if not self._waiters[user_id]:
                    del self._waiters[user_id]

    async def _ensure_listening(self) -> None:
        return None

    def close(self) -> None:
        return None


class RedisBroker(LocalBroker):
    """Publishes through Redis so every instance's waiters wake; one subscriber task per process."""

    recheck_seconds = 2.0  # only a safety net here: every process publishes through Redis

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis

        self.url = url
        self._pub = redis.Redis.from_url(url)
        self._listener: asyncio.Task[None] | None = None
        self._listener_loop: asyncio.AbstractEventLoop | None = None
        self._ready: asyncio.Event | None = None

    def publish(self, user_id: int, seq: int) -> None:
        self._pub.publish(f"{CHANNEL_PREFIX}{user_id}", str(seq))

    async def _ensure_listening(self) -> None:
        loop = asyncio.get_running_loop()
        if self._listener is None or self._listener.done() or self._listener_loop is not loop:
            self._ready = asyncio.Event()
            self._listener_loop = loop
            self._listener = loop.create_task(self._listen(self._ready))
        if self._ready is not None:
            await asyncio.wait_for(self._ready.wait(), 5)

    async def _listen(self, ready: asyncio.Event) -> None:
        import redis.asyncio as aredis

        while True:
            try:
                client = aredis.Redis.from_url(self.url)
                async with client.pubsub() as ps:
                    await ps.psubscribe(f"{CHANNEL_PREFIX}*")
                    ready.set()
                    async for msg in ps.listen():
                        if msg.get("type") != "pmessage":
                            continue
                        channel = msg["channel"].decode() if isinstance(msg["channel"], bytes) else msg["channel"]
                        try:
                            self._deliver(int(channel[len(CHANNEL_PREFIX) :]))
                        except ValueError:
                            log.warning("ignoring message on unexpected channel %r", channel)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - keep listening across Redis restarts
                log.warning("change broker lost Redis (%s); reconnecting", e)
                ready.set()  # waiters fall back to their periodic database check
                await asyncio.sleep(1)

    def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
        self._pub.close()


def create_broker(redis_url: str | None) -> LocalBroker:
    return RedisBroker(redis_url) if redis_url else LocalBroker()
