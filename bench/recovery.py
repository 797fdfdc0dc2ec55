"""Versions and the trash at scale (same stack, same run):

- a trash of 50,000 items: its first page and a deep page over HTTP, p95, beside the same account's
  folder of 50,000 entries listed over HTTP (the goal is a folder's speed: < 50 ms);
- emptying a trash of 10,000 files, then garbage collection deleting their objects (the hourly job; the
  daily sweep for objects no row knows lists the whole bucket and is timed apart), beside raw boto3
  ``delete_objects`` of 10,000 objects of the same size in the same bucket (goal <= 2x);
- restoring a 1 GiB file's old version, beside restoring a 1 KiB file's (no byte is copied, so both
  take the same time), with S3's own server-side copy of the 1 GiB object for scale.
"""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from pcs_app.models import FILE, Blob, Node, User, Version, new_id
from pcs_app.services.core import Core
from pcs_app.services.gc import collect_garbage
from pcs_app.services.names import name_key
from pcs_app.wiring import build_core

from .common import Row, Section, log, median, percentile, timed
from .listing import bulk_insert, fake_rows
from .stack import Api, Stack
from .upload import make_random_file, pcs_upload

PAGE = 200
GOAL_MS = 50.0
OBJECT_SIZE = 4096


def _core(stack: Stack) -> Core:
    return build_core(stack.settings())


def _user_id(core: Core, email: str) -> int:
    with core.db.read() as s:
        return s.exec(select(User.id).where(User.email == email)).one() or 0


def _new_account(stack: Stack) -> tuple[Api, str]:
    api = Api(stack.url)
    email = f"recovery-{secrets.token_hex(4)}@example.com"
    api.signup(email, secrets.token_urlsafe(16))
    return api, email


def _pages(api: Api, path: str, reps: int, entries: int, key: str = "items") -> dict[str, list[float]]:
    """p95 material: ``reps`` timings of the first page and of a page halfway down."""
    cursor = None
    for _ in range(entries // PAGE // 2):
        params: dict[str, Any] = {"limit": PAGE, **({"cursor": cursor} if cursor else {})}
        cursor = api.http.get(path, params=params).json()["next_cursor"]
    out: dict[str, list[float]] = {"first": [], "deep": []}
    for _ in range(reps):
        for page, params in (("first", {"limit": PAGE}), ("deep", {"limit": PAGE, "cursor": cursor})):
            t0 = time.perf_counter()
            r = api.http.get(path, params=params)
            out[page].append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200 or len(r.json()[key]) != PAGE:
                raise RuntimeError(f"GET {path} answered {r.status_code}: {r.text[:200]}")
    return out


def run_trash_listing(stack: Stack, entries: int, reps: int) -> Section:
    sec = Section(
        f"trash: {entries:,} items in the trash, listed a page at a time",
        f"the same account's folder of {entries:,} entries listed over HTTP, same run",
    )
    api, email = _new_account(stack)
    core = _core(stack)
    try:
        owner = _user_id(core, email)
        live = api.mkdir(api.root_id, "bench-live")
        gone = api.mkdir(api.root_id, "bench-gone")
        bulk_insert(core.db.engine, owner, live, entries, min(300, entries // 10))
        now = datetime.now(UTC)
        rows = []
        for i, row in enumerate(fake_rows(owner, gone, entries, 0, seed=11)):
            row.update(trashed_at=now - timedelta(seconds=i * 7), trash_root=True, trashed_from="/bench-gone")
            rows.append(row)
        t0 = time.perf_counter()
        with core.db.engine.begin() as conn:
            for i in range(0, len(rows), 5000):
                conn.execute(Node.__table__.insert(), rows[i : i + 5000])  # type: ignore[attr-defined]
        log(f"trash: {entries:,} trashed rows and {entries:,} live rows in place ({time.perf_counter() - t0:.1f} s)")
        trash = _pages(api, "/trash", reps, entries)
        folder = _pages(api, f"/nodes/{live}/children", reps, entries)
    finally:
        core.close()
        api.close()
    for page in ("first", "deep"):
        p, a = percentile(trash[page], 95), percentile(folder[page], 95)
        sec.rows.append(Row(sec.name, f"{page} page of {PAGE}, p95", "ms", p, a, f"<{GOAL_MS:.0f} ms", p < GOAL_MS))
    sec.samples = {"trash_ms": trash, "folder_ms": folder}
    sec.notes.append(f"{reps} reps per page; HTTP through the whole app; deep = the page halfway down (by cursor)")
    return sec


def _put_objects(core: Core, keys: list[str]) -> None:
    body = secrets.token_bytes(OBJECT_SIZE)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: core.blobs.put_bytes(k, body), keys))


def run_empty_trash(stack: Stack, files: int) -> Section:
    sec = Section(
        f"trash: emptying a trash of {files:,} files, then garbage collection",
        f"raw boto3 delete_objects of {files:,} objects of the same size, same bucket, same run",
    )
    api, email = _new_account(stack)
    core = _core(stack)
    try:
        owner = _user_id(core, email)
        folder = api.mkdir(api.root_id, "bench-empty")
        keys = [f"blobs/{secrets.token_hex(1)}/{secrets.token_hex(16)}" for _ in range(files)]
        t0 = time.perf_counter()
        _put_objects(core, keys)
        now = datetime.now(UTC)
        with core.db.engine.begin() as conn:
            blob_rows = [
                {"sha256": secrets.token_hex(32), "size": OBJECT_SIZE, "s3_key": k, "refcount": 1, "created_at": now}
                for k in keys
            ]
            conn.execute(Blob.__table__.insert(), blob_rows)  # type: ignore[attr-defined]
            ids = dict(conn.execute(sa.select(Blob.s3_key, Blob.id).where(Blob.s3_key.in_(keys))).all())  # type: ignore[attr-defined]
            nodes, versions = [], []
            for i, b in enumerate(blob_rows):
                node_id, name = new_id(), f"file-{i:05d}.bin"
                nodes.append(
                    {
                        "id": node_id, "owner_id": owner, "parent_id": folder, "name": name, "name_key": name_key(name),
                        "kind": FILE, "size": OBJECT_SIZE, "sha256": b["sha256"], "created_at": now, "modified_at": now,
                        "trashed_at": now - timedelta(microseconds=i), "trash_root": True, "trashed_from": "/bench-empty",
                    }
                )  # fmt: skip
                versions.append(
                    {"node_id": node_id, "blob_id": ids[b["s3_key"]], "size": OBJECT_SIZE, "sha256": b["sha256"],
                     "author_id": owner, "created_at": now}
                )  # fmt: skip
            conn.execute(Node.__table__.insert(), nodes)  # type: ignore[attr-defined]
            conn.execute(Version.__table__.insert(), versions)  # type: ignore[attr-defined]
            conn.execute(sa.update(User).where(User.id == owner).values(used_bytes=files * OBJECT_SIZE))  # type: ignore[arg-type]
        log(f"empty: {files:,} trashed files with their objects in place ({time.perf_counter() - t0:.1f} s)")
        collect_garbage(core)  # nothing of ours yet; settles whatever earlier benchmarks left

        def empty() -> None:
            r = api.http.delete("/trash")
            if r.status_code != 200 or r.json()["items"] != files:
                raise RuntimeError(f"DELETE /trash answered {r.status_code}: {r.text[:200]}")

        t_empty = timed(empty)
        report: list[Any] = []
        # What the hourly job does: everything but the daily sweep for objects no row knows (a listing of
        # the whole bucket, which here holds every other benchmark's objects too); timed apart below.
        t_gc = timed(lambda: report.append(collect_garbage(core, orphans=False)))
        if report[0].blobs_deleted != files:
            raise RuntimeError(f"GC deleted {report[0].blobs_deleted} blobs, expected {files}")
        left = [k for k in keys[:50] if _exists(core, k)]
        if left:
            raise RuntimeError(f"{len(left)} objects still stored after GC")
        t_sweep = timed(lambda: collect_garbage(core))
        raw_keys = [f"blobs/{secrets.token_hex(1)}/{secrets.token_hex(16)}" for _ in range(files)]
        _put_objects(core, raw_keys)
        t_raw = timed(lambda: core.blobs.delete_many(raw_keys))
    finally:
        core.close()
        api.close()
    pcs = t_empty + t_gc
    sec.rows.append(Row(sec.name, "empty trash + GC", "s", pcs, t_raw, "<=2x", pcs <= 2 * t_raw))
    sec.notes.append(
        f"empty trash (DELETE /api/v1/trash, references only) {t_empty:.2f} s, then GC {t_gc:.2f} s (the hourly "
        f"job: rows, then delete_objects); raw = delete_objects in batches of 1,000. For reference, the daily "
        f"sweep (GC plus a listing of the whole bucket for objects no row knows) took {t_sweep:.2f} s after it"
    )
    return sec


def _exists(core: Core, key: str) -> bool:
    try:
        core.blobs.head(key)
        return True
    except FileNotFoundError:
        return False


def run_version_restore(stack: Stack, work: Path, size_mib: int, reps: int) -> Section:
    sec = Section(
        f"versions: restoring a {size_mib} MiB file's old version",
        "restoring a 1 KiB file's old version, same run (no byte copied: the same time)",
    )
    api, _ = _new_account(stack)
    try:
        folder = api.mkdir(api.root_id, "bench-versions")
        big = work / "big-version.bin"
        sha = make_random_file(big, size_mib * 1024 * 1024)
        node = pcs_upload(api, folder, big, size_mib * 1024 * 1024, sha)
        big.unlink()
        small = api.http.put(f"/nodes/{folder}/files", params={"name": "small.txt"}, content=b"s" * 1024).json()

        def restore(node_id: str) -> float:
            api.http.put(
                f"/nodes/{folder}/files",
                params={"name": "big-version.bin" if node_id == node["id"] else "small.txt"},
                content=secrets.token_bytes(16),
            ).raise_for_status()  # a new current version to restore over
            versions = api.http.get(f"/nodes/{node_id}/versions").json()
            first = versions[-1]["id"]
            t0 = time.perf_counter()
            r = api.http.post(f"/nodes/{node_id}/versions/{first}/restore")
            secs = time.perf_counter() - t0
            if r.status_code != 201:
                raise RuntimeError(f"restore answered {r.status_code}: {r.text[:200]}")
            return secs * 1000

        times: dict[str, list[float]] = {"big": [], "small": []}
        for _ in range(reps):
            times["big"].append(restore(str(node["id"])))
            times["small"].append(restore(str(small["id"])))
        core = _core(stack)
        try:
            with core.db.read() as s:
                key = s.exec(select(Blob.s3_key).where(Blob.sha256 == sha)).one()
            copy_key = f"bench/copy-{secrets.token_hex(4)}"
            t_copy = timed(
                lambda: core.blobs.client.copy_object(
                    Bucket=core.blobs.bucket, Key=copy_key, CopySource={"Bucket": core.blobs.bucket, "Key": key}
                )
            )
            core.blobs.delete(copy_key)
        finally:
            core.close()
    finally:
        api.close()
    p, a = median(times["big"]), median(times["small"])
    sec.rows.append(Row(sec.name, f"restore, median of {reps}", "ms", p, a, "<=2x (constant)", p <= 2 * a))
    sec.notes.append(f"S3's own server-side copy of the {size_mib} MiB object took {t_copy * 1000:,.0f} ms")
    sec.samples = {"ms": times}
    return sec
