"""Sharing: a large file through a public link vs the owner's own download of it, and a shared folder
of many entries listed by a recipient vs by its owner (same stack, same run)."""

from __future__ import annotations

import random
import secrets
import time
from pathlib import Path

import httpx
from sqlmodel import select

from pcs_app.models import User
from pcs_app.services.core import Core
from pcs_app.wiring import build_core

from .common import MB, Row, Section, log, median, percentile, timed
from .listing import bulk_insert
from .stack import Api, Stack
from .upload import make_random_file, pcs_upload, sha256_file

PAGE = 200


def _stream(client: httpx.Client, url: str, dest: Path, headers: dict[str, str] | None = None) -> int:
    n = 0
    with client.stream("GET", url, headers=headers) as r, open(dest, "wb") as f:
        if r.status_code != 200:
            r.read()
            raise RuntimeError(f"GET {url} answered {r.status_code}: {r.text[:300]}")
        for chunk in r.iter_raw():
            f.write(chunk)
            n += len(chunk)
    return n


def run_link_download(stack: Stack, api: Api, work: Path, size_mib: int, rounds: int) -> Section:
    sec = Section(
        f"sharing: {size_mib} MiB through a public link",
        "the owner's own download of the same file (GET /nodes/{id}/content), same run",
    )
    size = size_mib * 1024 * 1024
    src = work / "shared.bin"
    sha = make_random_file(src, size)
    folder = api.mkdir(api.root_id, "bench-sharing")
    node = pcs_upload(api, folder, src, size, sha)
    src.unlink()
    link = api.http.post(f"/nodes/{node['id']}/links", json={}).json()
    dest = work / "got.bin"
    speeds: dict[str, list[float]] = {"link": [], "owner": []}
    anon = httpx.Client(base_url=stack.url, timeout=600)
    try:
        for i in range(rounds):
            order = ("owner", "link") if i % 2 == 0 else ("link", "owner")
            for who in order:
                if who == "owner":
                    secs = timed(lambda: _stream(api.http, f"/nodes/{node['id']}/content", dest))
                else:
                    secs = timed(lambda: _stream(anon, f"/api/v1/public/{link['token']}/content", dest))
                if sha256_file(dest) != sha:
                    raise RuntimeError(f"{who} download: sha256 mismatch")
                dest.unlink()
                speeds[who].append(size / MB / secs)
            log(f"round {i + 1}/{rounds}: link {speeds['link'][-1]:.0f} MB/s, owner {speeds['owner'][-1]:.0f} MB/s")
    finally:
        anon.close()
        dest.unlink(missing_ok=True)
    p, a = median(speeds["link"]), median(speeds["owner"])
    sec.rows.append(Row(sec.name, f"download, median of {rounds}", "MB/s", p, a, ">=0.95x", p / a >= 0.95))
    sec.samples = {"MB_per_s": speeds}
    sec.notes.append("each download is counted by the link; sha256 of every download checked outside the timing")
    return sec


WARMUP = 10


def settle(core: Core, timeout: float = 180) -> None:
    """Wait until the worker has no job waiting, then a moment for the one it may be running."""
    deadline = time.monotonic() + timeout
    while core.jobs.pending_count() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)


def run_shared_listing(stack: Stack, api: Api, email: str, entries: int, reps: int) -> Section:
    sec = Section(
        f"sharing: a shared folder of {entries:,} entries listed by a recipient",
        "the owner listing the same pages over HTTP, same run",
    )
    folder = api.mkdir(api.root_id, "bench-shared-listing")
    settings = stack.settings()
    core = build_core(settings)
    try:
        with core.db.read() as s:
            owner = s.exec(select(User).where(User.email == email)).one()
        secs = bulk_insert(core.db.engine, owner.id or 0, folder, entries, min(300, entries // 10))
        log(f"inserted {entries:,} rows in {secs:.1f} s")
        other = Api(stack.url)
        other_email = f"recipient-{secrets.token_hex(4)}@example.com"
        other.signup(other_email, secrets.token_urlsafe(16))
        r = api.http.post(f"/nodes/{folder}/grants", json={"email": other_email, "role": "viewer"})
        r.raise_for_status()
        # The grant sends the search index over the 10,000 items (a worker job): time the listings on a
        # settled machine, not beside that job.
        settle(core)
    finally:
        core.close()
    # Cursors for a page deep in the folder (the same for both: cursors are not tied to who asks).
    cursor, deep = None, None
    for _ in range(entries // PAGE // 2):
        cursor = api.http.get(
            f"/nodes/{folder}/children", params={"limit": PAGE, **({"cursor": cursor} if cursor else {})}
        ).json()["next_cursor"]
    deep = cursor
    timings: dict[str, dict[str, list[float]]] = {
        "first": {"owner": [], "recipient": []},
        "deep": {"owner": [], "recipient": []},
    }
    order = random.Random(7)
    try:
        for rep in range(reps + WARMUP):
            if rep == WARMUP:
                timings = {k: {"owner": [], "recipient": []} for k in timings}
            # Each rep asks the four (page, caller) pairs in a shuffled order: a fixed order phase-locks
            # with whatever the server does periodically (a pause every ~50 requests) and pins it on one pair.
            pairs = [(p, w) for p in ("first", "deep") for w in ("owner", "recipient")]
            order.shuffle(pairs)
            for page, who in pairs:
                params = {"limit": PAGE} if page == "first" else {"limit": PAGE, "cursor": deep}
                client = api if who == "owner" else other
                t0 = time.perf_counter()
                r = client.http.get(f"/nodes/{folder}/children", params=params)
                timings[page][who].append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200 or len(r.json()["items"]) != PAGE:
                    raise RuntimeError(f"{who} listing answered {r.status_code}: {r.text[:200]}")
    finally:
        other.close()
    for page in ("first", "deep"):
        p, a = percentile(timings[page]["recipient"], 95), percentile(timings[page]["owner"], 95)
        sec.rows.append(Row(sec.name, f"{page} page of {PAGE}, p95", "ms", p, a, "<=1.2x", p / a <= 1.2))
    sec.samples = {"ms": timings}
    sec.notes.append(
        f"{reps} reps per page and caller, in a shuffled order each rep, after {WARMUP} uncounted and once the worker's queue "
        "was empty (the grant's search indexing); HTTP through the whole app"
    )
    return sec
