"""Many small files: PCS API uploads with N concurrent requests vs boto3 put_object from N threads."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from .common import Row, Section, log, percentile
from .stack import Api, Stack
from .upload import RAW_BUCKET

GOAL_RATIO = 0.7
GOAL_RATE = 200.0
WARMUP = 32


def _run_all(workers: int, n: int, one: Callable[[int], None]) -> tuple[float, list[float]]:
    """Run ``one(i)`` for i in 0..n-1 on ``workers`` threads: (wall seconds, per-call seconds)."""
    lat = [0.0] * n

    def call(i: int) -> None:
        t = time.perf_counter()
        one(i)
        lat[i] = time.perf_counter() - t

    with ThreadPoolExecutor(max_workers=workers) as pool:
        t0 = time.perf_counter()
        for f in [pool.submit(call, i) for i in range(n)]:
            f.result()
        return time.perf_counter() - t0, lat


def run(stack: Stack, api: Api, count: int, size: int, concurrency: int) -> Section:
    """Upload ``count`` distinct random files of ``size`` bytes both ways; files/s, latency and ratio."""
    sec = Section(
        f"small files: {count:,} x {size / 1024:g} KiB, {concurrency} concurrent",
        f"boto3 put_object from {concurrency} threads (one client, max_pool_connections={concurrency}), same SeaweedFS",
    )
    # Distinct content for every file on each side, so PCS's sha256 deduplication never helps it.
    pcs_data = [os.urandom(size) for _ in range(count + WARMUP)]
    raw_data = [os.urandom(size) for _ in range(count + WARMUP)]
    pcs_sha = [hashlib.sha256(d).hexdigest() for d in pcs_data]
    s3 = stack.s3_client(max_pool_connections=concurrency)
    stack.ensure_bucket(s3, RAW_BUCKET)
    folder = api.mkdir(api.root_id, "bench-small")

    def put_pcs(i: int) -> None:
        r = api.http.put(
            f"/nodes/{folder}/files",
            params={"name": f"small-{i:06d}.bin"},
            content=pcs_data[i],
            headers={"X-Content-SHA256": pcs_sha[i], "Content-Type": "application/octet-stream"},
        )
        if r.status_code != 201:
            raise RuntimeError(f"PCS small upload answered {r.status_code}: {r.text[:300]}")

    def put_raw(i: int) -> None:
        s3.put_object(Bucket=RAW_BUCKET, Key=f"small/small-{i:06d}.bin", Body=raw_data[i])

    # Warm-up on both sides (connections, thread pools), not counted.
    _run_all(concurrency, WARMUP, lambda i: put_raw(count + i))
    _run_all(concurrency, WARMUP, lambda i: put_pcs(count + i))
    raw_s, raw_lat = _run_all(concurrency, count, put_raw)
    log(f"raw put_object: {count / raw_s:.0f} files/s")
    pcs_s, pcs_lat = _run_all(concurrency, count, put_pcs)
    log(f"PCS API: {count / pcs_s:.0f} files/s")
    pcs_rate, raw_rate = count / pcs_s, count / raw_s
    met = pcs_rate / raw_rate >= GOAL_RATIO and pcs_rate >= GOAL_RATE
    sec.rows.append(Row(sec.name, "uploads", "files/s", pcs_rate, raw_rate, ">=0.7x and >=200/s", met))
    for pct in (50, 95, 99):
        sec.rows.append(
            Row(
                sec.name,
                f"request latency p{pct}",
                "ms",
                percentile(pcs_lat, pct) * 1000,
                percentile(raw_lat, pct) * 1000,
            )
        )
    sec.samples = {
        "pcs_seconds": pcs_s,
        "raw_seconds": raw_s,
        "count": count,
        "size": size,
        "concurrency": concurrency,
    }
    sec.notes.append(f"after {WARMUP} warm-up files per side: raw pass, then PCS pass; one request per PCS file")
    return sec
