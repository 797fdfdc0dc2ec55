"""What the server shows after a restart: S3 settled, every listing, and every file's bytes."""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from .client import Api
from .model import LIVE, TRASH, Item, Model, Seen

SUMMARY = re.compile(r"checked (\d+) blobs, (\d+) objects, (\d+) accounts; (\d+) problems, (\d+) repaired")
FINDING = re.compile(r"^(missing_object|orphan_object|refcount|used_bytes|no_content|stale_multipart): ", re.M)


def s3_quiet(s3: Any, bucket: str, quiet: float, most: float = 30.0) -> None:
    """Wait until nothing in the bucket has changed for ``quiet`` seconds: no object, no unfinished
    multipart upload or part of one.

    A killed API leaves requests in flight: SeaweedFS still stores an object or a part whose bytes
    had all been sent, up to a second or so after the kill. A `pcs fsck --repair` that lists the
    bucket before it lands cannot see it (an object), or rightly takes the upload for a live one
    (a part: its newest part is younger than the grace period; here 0 s) and leaves it; the check
    after the repair then finds an orphan. Real deployments have a grace period of an hour for
    this; the test, which judges right after the crash, waits for S3 to settle instead (S3 times
    are whole seconds, hence the extra second). The crash test's bucket holds a few dozen objects."""
    deadline = time.monotonic() + most
    while time.monotonic() < deadline:
        stamps: list[datetime] = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            stamps += [o["LastModified"] for o in page.get("Contents", [])]
        for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
            stamps.append(u["Initiated"])
            try:
                parts = s3.list_parts(Bucket=bucket, Key=u["Key"], UploadId=u["UploadId"])
                stamps += [p["LastModified"] for p in parts.get("Parts", [])]
            except s3.exceptions.NoSuchUpload:
                continue
        if not stamps or (datetime.now(UTC) - max(stamps)).total_seconds() > quiet + 1:
            return
        time.sleep(0.2)


def observe(api: Api, model: Model) -> dict[str, Seen]:
    """Everything the account shows: every live folder listed, and the trash."""
    seen: dict[str, Seen] = {}
    todo = [model.root]
    while todo:
        for row in api.children(todo.pop()):
            s = seen[row["id"]] = Seen.of(row, LIVE)
            if s.kind == "folder":
                todo.append(s.id)
    for row in api.trash():
        seen[row["id"]] = Seen.of(row, TRASH)
    return seen


def verify_bytes(api: Api, model: Model, rng: random.Random, seen: dict[str, Seen], sample: int | None) -> list[str]:
    """Download files (those just touched, and a few others; all of them with ``sample=None``):
    the bytes must be whole and be the content listed; every version must be content sent for it."""
    problems: list[str] = []
    files = sorted((s for s in seen.values() if s.where == LIVE and s.kind == "file"), key=lambda s: s.id)
    touched = [s for s in files if s.id in model.touched or sample is None]
    others = [s for s in files if s not in touched]
    for s in touched + rng.sample(others, min(sample or 0, len(others))):
        listed = f"file {s.name!r} ({s.id}) is listed as {s.size} bytes with sha {s.sha}"
        try:
            sha, n, etag = api.download(s.id)
        except (AssertionError, httpx.HTTPError) as e:
            problems.append(f"{listed}; its download fails: {type(e).__name__}: {e}")
            continue
        if (sha, n, etag) != (s.sha, s.size, s.sha):
            problems.append(f"{listed}, downloads as {n} bytes with sha {sha} (ETag {etag})")
    for s in touched:
        item: Item = model.items[s.id]
        versions = api.must("GET", f"/api/v1/nodes/{s.id}/versions")
        current = [v for v in versions if v["current"]]
        if len(current) != 1 or current[0]["sha256"] != s.sha:
            problems.append(f"file {s.id}: current version {current} does not match the listing's sha {s.sha}")
        strange = [v for v in versions if v["sha256"] not in item.contents]
        if strange:
            problems.append(f"file {s.id} has versions with content never sent for it: {strange}")
        older = [v for v in versions if not v["current"]]
        if older:
            v = rng.choice(older)
            try:
                sha, n, _ = api.download(s.id, v["id"])
            except (AssertionError, httpx.HTTPError) as e:
                problems.append(f"file {s.id} version {v}: its download fails: {type(e).__name__}: {e}")
                continue
            if (sha, n) != (v["sha256"], v["size"]):
                problems.append(f"file {s.id} version {v['id']}: listed {v}, downloads as {n} bytes sha {sha}")
    return problems
