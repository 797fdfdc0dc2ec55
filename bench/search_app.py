"""Search through a running PCS (part of bench/search.py): search-after-upload latency beside the time the
same upload takes to show in its folder's listing, and a one-word search through the API beside listing
the folder through the API; both measured in the same run."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from .search import NAME_WORDS, SEED, _log, _percentile


def _poll(fn: Callable[[], bool], timeout: float = 60.0, every: float = 0.02) -> float:
    """Seconds until ``fn()`` is true (polled every ``every`` s); raises after ``timeout``."""
    t0 = time.perf_counter()
    while not fn():
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError(f"not true after {timeout:.0f} s")
        time.sleep(every)
    return time.perf_counter() - t0


def run_app(api: Any, rounds: int = 30) -> list[dict[str, Any]]:
    """Search-after-upload latency and API search latency through a running stack, each beside its anchor."""
    http = api.http
    folder = api.mkdir(api.root_id, f"search-bench-{int(time.time())}")
    rng = random.Random(SEED + 2)
    found_ms: list[float] = []
    listed_ms: list[float] = []
    for i in range(rounds):
        w = "zq" + "".join(rng.choice("bcdfghjklmnpqrstvwx") for _ in range(8))
        name = f"{w} notes {i}.txt"
        body = (f"Minutes {i}: " + " ".join(rng.choices(NAME_WORDS, k=300))).encode()
        t0 = time.perf_counter()
        r = http.put(f"/nodes/{folder}/files", params={"name": name}, content=body)
        r.raise_for_status()
        node = r.json()["id"]
        # The anchor first: the listing shows it as soon as the upload's transaction committed.
        _poll(lambda node=node: any(n["id"] == node for n in http.get(f"/nodes/{folder}/children").json()["items"]))
        listed_ms.append((time.perf_counter() - t0) * 1000)
        _poll(
            lambda node=node, w=w: any(
                h["node"]["id"] == node for h in http.get("/search", params={"q": w}).json()["items"]
            )
        )
        found_ms.append((time.perf_counter() - t0) * 1000)
    _log(f"search after upload: p50 {_percentile(found_ms, 50):.0f} ms (listing {_percentile(listed_ms, 50):.0f} ms)")
    query_ms: list[float] = []
    list_ms: list[float] = []
    for _ in range(rounds * 3):
        t0 = time.perf_counter()
        r = http.get("/search", params={"q": rng.choice(NAME_WORDS)})
        query_ms.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.text
        t0 = time.perf_counter()
        http.get(f"/nodes/{folder}/children").raise_for_status()
        list_ms.append((time.perf_counter() - t0) * 1000)
    _log(f"API search p50 {_percentile(query_ms, 50):.1f} ms (listing {_percentile(list_ms, 50):.1f} ms)")
    return [
        {
            "name": f"search after upload, p50 ({rounds} uploads of ~2 KB text)",
            "value": round(_percentile(found_ms, 50), 1),
            "unit": "ms",
            "anchor": "the same upload until it shows in its folder's listing (GET children), same run",
            "anchor_value": round(_percentile(listed_ms, 50), 1),
            "goal": "(for reference)",
            "met": None,
            "note": f"p95 {_percentile(found_ms, 95):.0f} ms; upload → search_sync job in the worker (queue poll "
            "0.5 s) → text read in the sandbox → FTS5 → found by GET /api/v1/search, polled every 20 ms",
        },
        {
            "name": f"API search, one word, p50 ({rounds * 3} runs, small account)",
            "value": round(_percentile(query_ms, 50), 2),
            "unit": "ms",
            "anchor": "GET /api/v1/nodes/{folder}/children of the same account, same run",
            "anchor_value": round(_percentile(list_ms, 50), 2),
            "goal": "(for reference)",
            "met": None,
            "note": f"p95 {_percentile(query_ms, 95):.1f} ms; index query plus the gate's check of every hit",
        },
    ]
