"""Many small files through PCS beside raw boto3 on the same SeaweedFS, in the same run.

Three measures, each right after its anchor: single-file uploads with N concurrent requests (PUT
…/files) against boto3 put_object from N threads; one batch request carrying every file (POST
…/batch) against the same put_object anchor; downloads with N concurrent requests against boto3
get_object from N threads. Run on the embedded set-up (SQLite, one app worker) and on PostgreSQL
with Redis (several app workers), each with its own anchors.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

from .common import Row, Section, log, percentile
from .stack import Api, Stack, running_stack
from .upload import RAW_BUCKET

GOAL_RATIO = 0.7
GOAL_RATE = 300.0
GOAL_P95_MS = 100.0
GOAL_BATCH_RATIO = 0.9
GOAL_DOWN_RATIO = 0.7
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


def multipart_body(files: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """A batch request: a manifest (path, size, sha256 of each file), then one part per file."""
    boundary = "pcs-bench-" + secrets.token_hex(8)
    manifest = [{"path": p, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for p, d in files]
    out = bytearray()
    out += f'--{boundary}\r\nContent-Disposition: form-data; name="manifest"\r\n\r\n'.encode()
    out += json.dumps(manifest).encode() + b"\r\n"
    for path, data in files:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path}"\r\n'.encode()
        out += b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", bytes(out)


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs"


def measure(stack: Stack, api: Api, count: int, size: int, concurrency: int, setup: str) -> Section:
    """Uploads (single and batch) and downloads of ``count`` distinct random files of ``size`` bytes."""
    sec = Section(
        f"small files ({setup}): {count:,} x {size / 1024:g} KiB, {concurrency} concurrent",
        f"boto3 put_object / get_object from {concurrency} threads (one client, "
        f"max_pool_connections={concurrency}), same SeaweedFS, measured right before each PCS figure",
    )
    sec.notes.append(f"at start: {load_note()}")
    # Distinct content for every file on each side, so PCS's sha256 deduplication never helps it.
    n = count + WARMUP
    pcs_data = [os.urandom(size) for _ in range(2 * n)]
    raw_data = [os.urandom(size) for _ in range(n)]
    pcs_sha = [hashlib.sha256(d).hexdigest() for d in pcs_data]
    s3 = stack.s3_client(max_pool_connections=concurrency)
    stack.ensure_bucket(s3, RAW_BUCKET)
    prefix = f"small-{secrets.token_hex(3)}"
    folder = api.mkdir(api.root_id, f"bench-{prefix}")
    ids: list[str] = [""] * n

    def put_pcs(i: int) -> None:
        r = api.http.put(
            f"/nodes/{folder}/files",
            params={"name": f"small-{i:06d}.bin"},
            content=pcs_data[i],
            headers={"X-Content-SHA256": pcs_sha[i], "Content-Type": "application/octet-stream"},
        )
        if r.status_code != 201:
            raise RuntimeError(f"PCS small upload answered {r.status_code}: {r.text[:300]}")
        ids[i] = str(r.json()["id"])

    def put_raw(i: int) -> None:
        s3.put_object(Bucket=RAW_BUCKET, Key=f"{prefix}/small-{i:06d}.bin", Body=raw_data[i])

    def get_raw(i: int) -> None:
        body = s3.get_object(Bucket=RAW_BUCKET, Key=f"{prefix}/small-{i:06d}.bin")["Body"].read()
        if len(body) != size:
            raise RuntimeError("raw download: short read")

    def get_pcs(i: int) -> None:
        r = api.http.get(f"/nodes/{ids[i]}/content")
        if r.status_code != 200 or len(r.content) != size:
            raise RuntimeError(f"PCS small download answered {r.status_code} with {len(r.content)} bytes")

    # Warm-up on both sides (connections, thread pools), not counted.
    _run_all(concurrency, WARMUP, lambda i: put_raw(count + i))
    _run_all(concurrency, WARMUP, lambda i: put_pcs(count + i))

    raw_s, raw_lat = _run_all(concurrency, count, put_raw)
    pcs_s, pcs_lat = _run_all(concurrency, count, put_pcs)
    raw_rate, pcs_rate = count / raw_s, count / pcs_s
    log(f"{setup}: uploads raw {raw_rate:.0f} files/s, PCS PUT {pcs_rate:.0f} files/s")
    p95 = percentile(pcs_lat, 95) * 1000
    sec.rows.append(
        Row(
            sec.name,
            "uploads, one PUT per file",
            "files/s",
            pcs_rate,
            raw_rate,
            f">={GOAL_RATIO}x and >={GOAL_RATE:.0f}/s",
            pcs_rate / raw_rate >= GOAL_RATIO and pcs_rate >= GOAL_RATE,
        )
    )
    for pct in (50, 95, 99):
        goal = (f"< {GOAL_P95_MS:.0f} ms", p95 < GOAL_P95_MS) if pct == 95 else ("", None)
        sec.rows.append(
            Row(
                sec.name,
                f"PUT latency p{pct}",
                "ms",
                percentile(pcs_lat, pct) * 1000,
                percentile(raw_lat, pct) * 1000,
                *goal,
            )
        )

    # One request carrying every file, against a fresh put_object anchor.
    files = [(f"batch/{i // 500:02d}/small-{i:06d}.bin", pcs_data[n + i]) for i in range(count)]
    ctype, body = multipart_body(files)
    raw2_s, _ = _run_all(concurrency, count, lambda i: put_raw(i))  # the same keys again: same work for S3
    t0 = time.perf_counter()
    r = api.http.post(f"/nodes/{folder}/batch", content=body, headers={"Content-Type": ctype})
    batch_s = time.perf_counter() - t0
    if r.status_code != 200 or r.json()["created"] != count:
        raise RuntimeError(f"PCS batch answered {r.status_code}: {r.text[:300]}")
    log(f"{setup}: batch raw {count / raw2_s:.0f} files/s, PCS batch {count / batch_s:.0f} files/s")
    ratio = raw2_s / batch_s
    sec.rows.append(
        Row(
            sec.name,
            "uploads, one batch request",
            "files/s",
            count / batch_s,
            count / raw2_s,
            f">={GOAL_BATCH_RATIO}x",
            ratio >= GOAL_BATCH_RATIO,
        )
    )

    down_raw_s, _ = _run_all(concurrency, count, get_raw)
    down_pcs_s, down_lat = _run_all(concurrency, count, get_pcs)
    log(f"{setup}: downloads raw {count / down_raw_s:.0f} files/s, PCS {count / down_pcs_s:.0f} files/s")
    sec.rows.append(
        Row(
            sec.name,
            "downloads, one GET per file",
            "files/s",
            count / down_pcs_s,
            count / down_raw_s,
            f">={GOAL_DOWN_RATIO}x",
            down_raw_s / down_pcs_s >= GOAL_DOWN_RATIO,
        )
    )
    sec.rows.append(Row(sec.name, "GET latency p95", "ms", percentile(down_lat, 95) * 1000, None))
    sec.samples = {
        "pcs_put_seconds": pcs_s,
        "raw_put_seconds": raw_s,
        "pcs_batch_seconds": batch_s,
        "raw_put_seconds_before_batch": raw2_s,
        "pcs_get_seconds": down_pcs_s,
        "raw_get_seconds": down_raw_s,
        "batch_body_bytes": len(body),
        "count": count,
        "size": size,
        "concurrency": concurrency,
    }
    sec.notes += [
        f"after {WARMUP} warm-up files per side; each PCS pass right after its raw anchor; distinct random "
        "content everywhere (no deduplication helps PCS); the batch is one multipart request with a manifest "
        f"(size and sha256 of each file, checked), {len(body) / 1e6:.1f} MB, files in {count // 500 + 1} folders",
        f"at end: {load_note()}",
    ]
    return sec


def run(stack: Stack, api: Api, count: int, size: int, concurrency: int) -> Section:
    """The embedded set-up: the main bench stack (SQLite, one app worker)."""
    return measure(stack, api, count, size, concurrency, "SQLite, one worker")


def run_postgres(work: Path, count: int, size: int, concurrency: int, pg_admin_url: str, redis_url: str) -> Section:
    """A second stack on a throwaway PostgreSQL database with Redis: Reflex runs several app workers."""
    from .listing import pg_reachable

    why = pg_reachable(pg_admin_url)
    if why is not None:
        sec = Section("small files (PostgreSQL)", "-")
        sec.notes.append(f"skipped: PostgreSQL at {pg_admin_url} is not reachable ({why})")
        return sec
    name = f"pcs_bench_small_{secrets.token_hex(4)}"
    admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    env = {
        "PCS_DATABASE_URL": url,
        "PCS_REDIS_URL": redis_url,
        "REFLEX_REDIS_URL": redis_url,
        "PCS_JOBS_QUEUE_NAME": f"bench-{secrets.token_hex(4)}",
        "PCS_SECRET_KEY": secrets.token_urlsafe(32),  # instances sharing Redis share one secret
    }
    try:
        with running_stack(work / "pg-small", extra_env=env) as stack:
            api = Api(stack.url, max_connections=max(64, concurrency))
            try:
                api.signup(f"bench-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(16))
                sec = measure(stack, api, count, size, concurrency, "PostgreSQL + Redis, several workers")
            finally:
                api.close()
        return sec
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
