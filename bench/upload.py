"""Upload and download of one large random file through PCS vs raw boto3 to the same SeaweedFS.

PCS uploads the way its web uploader and API clients send large files: a large-file session, the
parts PUT in parallel straight to S3 with presigned URLs, then ``complete`` (which reads the object
back once to verify its sha256). The streamed PUT (what curl does, hashing as the bytes pass) is
measured in every round beside it. Downloads stream through PCS. Each figure is the median of at
least three rounds, against the raw upload or download of the same round.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from .common import MB, Row, Section, log, median, timed
from .stack import Api, Stack

CHUNK = 1024 * 1024
RAW_BUCKET = "bench-raw"
GOAL_RATIO = 0.95
MIN_ROUNDS = 3
PARALLEL_PARTS = 6


def make_random_file(path: Path, size: int) -> str:
    """Write ``size`` random bytes to ``path`` in 1 MiB chunks; return their sha256."""
    h = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left:
            chunk = os.urandom(min(CHUNK, left))
            h.update(chunk)
            f.write(chunk)
            left -= len(chunk)
    return h.hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def pcs_upload(api: Api, folder_id: str, path: Path, size: int, sha: str) -> dict[str, object]:
    """PUT the file as a streamed body with Content-Length and X-Content-SHA256; returns the node."""
    r = api.http.put(
        f"/nodes/{folder_id}/files",
        params={"name": path.name},
        content=_file_chunks(path),
        headers={"Content-Length": str(size), "X-Content-SHA256": sha, "Content-Type": "application/octet-stream"},
    )
    if r.status_code != 201:
        raise RuntimeError(f"PCS upload answered {r.status_code}: {r.text[:500]}")
    return dict(r.json())


def pcs_upload_session(api: Api, folder_id: str, path: Path, size: int, sha: str) -> dict[str, object]:
    """A large-file session: parts PUT in parallel straight to S3, then complete; returns the node."""
    r = api.http.post("/uploads", json={"parent_id": folder_id, "name": path.name, "size": size, "sha256": sha})
    if r.status_code != 201:
        raise RuntimeError(f"PCS upload session answered {r.status_code}: {r.text[:500]}")
    sess = r.json()
    part_size = int(sess["part_size"])

    def put(part: dict[str, Any], s3: httpx.Client) -> None:
        with open(path, "rb") as f:
            f.seek((int(part["number"]) - 1) * part_size)
            data = f.read(int(part["size"]))
        got = s3.put(str(part["url"]), content=data)
        if got.status_code != 200:
            raise RuntimeError(f"part {part['number']}: S3 answered {got.status_code}: {got.text[:300]}")

    # A client of its own for S3: the API's Authorization header must not go to the presigned URLs.
    with httpx.Client(timeout=600) as s3, ThreadPoolExecutor(PARALLEL_PARTS) as pool:
        for f in [pool.submit(put, part, s3) for part in sess["parts"]]:
            f.result()
    r = api.http.post(f"/uploads/{sess['id']}/complete")
    if r.status_code != 201:
        raise RuntimeError(f"PCS complete answered {r.status_code}: {r.text[:500]}")
    return dict(r.json())


def pcs_download(api: Api, node_id: str, dest: Path) -> int:
    """Stream the file's content to ``dest``; returns the byte count."""
    n = 0
    with api.http.stream("GET", f"/nodes/{node_id}/content") as r, open(dest, "wb") as f:
        if r.status_code != 200:
            r.read()
            raise RuntimeError(f"PCS download answered {r.status_code}: {r.text[:500]}")
        for chunk in r.iter_raw():
            f.write(chunk)
            n += len(chunk)
    return n


def run(stack: Stack, api: Api, work: Path, size_mib: int, rounds: int) -> Section:
    """Alternate raw and PCS transfers (at least three rounds); report median and best MB/s and the ratios."""
    rounds = max(rounds, MIN_ROUNDS)
    sec = Section(
        f"upload/download of {size_mib} MiB (random bytes)",
        "raw boto3 upload_file/download_file, default TransferConfig and client, same SeaweedFS",
    )
    size = size_mib * 1024 * 1024
    src = work / f"random-{size_mib}MiB.bin"
    log(f"writing {size_mib} MiB of random bytes to {src}")
    sha = make_random_file(src, size)
    s3 = stack.s3_client()
    stack.ensure_bucket(s3, RAW_BUCKET)
    folder = api.mkdir(api.root_id, "bench-large")
    dest = work / "download.bin"
    speed: dict[str, list[float]] = {"pcs_up": [], "raw_up": [], "pcs_down": [], "raw_down": [], "pcs_put": []}
    node_id = ""

    def up_raw() -> None:
        secs = timed(lambda: s3.upload_file(str(src), RAW_BUCKET, src.name))
        speed["raw_up"].append(size / MB / secs)

    def up_pcs(how: Callable[[Api, str, Path, int, str], dict[str, object]], key: str) -> None:
        nonlocal node_id
        out: dict[str, object] = {}
        secs = timed(lambda: out.update(how(api, folder, src, size, sha)))
        if out.get("sha256") != sha or out.get("size") != size:
            raise RuntimeError(f"PCS stored {out.get('size')} bytes with sha256 {out.get('sha256')}, expected {sha}")
        node_id = str(out["id"])
        speed[key].append(size / MB / secs)

    def up_session() -> None:
        up_pcs(pcs_upload_session, "pcs_up")

    def up_put() -> None:
        up_pcs(pcs_upload, "pcs_put")

    def down_raw() -> None:
        secs = timed(lambda: s3.download_file(RAW_BUCKET, src.name, str(dest)))
        if sha256_file(dest) != sha:
            raise RuntimeError("raw download: sha256 mismatch")
        dest.unlink()
        speed["raw_down"].append(size / MB / secs)

    def down_pcs() -> None:
        got = 0

        def go() -> None:
            nonlocal got
            got = pcs_download(api, node_id, dest)

        secs = timed(go)
        if got != size or sha256_file(dest) != sha:
            raise RuntimeError(f"PCS download: {got} bytes, sha256 mismatch or short read")
        dest.unlink()
        speed["pcs_down"].append(size / MB / secs)

    try:
        for i in range(rounds):
            # Alternate who goes first, so neither side always meets a warmer (or busier) SeaweedFS.
            order = (
                [(up_raw, up_session, up_put), (down_raw, down_pcs)]
                if i % 2 == 0
                else [(up_put, up_session, up_raw), (down_pcs, down_raw)]
            )
            for pair in order:
                for step in pair:
                    step()
            log(
                f"round {i + 1}/{rounds}: up PCS session {speed['pcs_up'][-1]:.0f} streamed PUT "
                f"{speed['pcs_put'][-1]:.0f} raw {speed['raw_up'][-1]:.0f}, "
                f"down PCS {speed['pcs_down'][-1]:.0f} raw {speed['raw_down'][-1]:.0f} MB/s"
            )
    finally:
        src.unlink(missing_ok=True)
        dest.unlink(missing_ok=True)
    for pcs_key, raw_key, label in (
        ("pcs_up", "raw_up", "upload (session, parts straight to S3)"),
        ("pcs_put", "raw_up", "upload (streamed PUT, curl's way)"),
        ("pcs_down", "raw_down", "download"),
    ):
        pcs, raw = speed[pcs_key], speed[raw_key]
        for stat, fn in (("median", median), ("best", max)):
            p, a = fn(pcs), fn(raw)
            goal = (f">={GOAL_RATIO}x", p / a >= GOAL_RATIO) if stat == "median" else ("", None)
            sec.rows.append(Row(sec.name, f"{label} {stat} of {rounds}", "MB/s", p, a, *goal))
    sec.samples = {"MB_per_s": speed, "size_bytes": size, "sha256": sha, "rounds": rounds}
    sec.notes += [
        "MB = 10^6 bytes; sha256 of every download checked (outside the timed part) for both sides",
        f"session upload: POST /uploads, {PARALLEL_PARTS} parts at a time PUT to their presigned URLs, then "
        "complete (PCS reads the object back once to verify the sha256: inside the timed part)",
        f"load average {os.getloadavg()[0]:.1f} at the end on {os.cpu_count()} CPUs",
    ]
    return sec
