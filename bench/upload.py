"""Upload and download of one large random file: PCS API (streamed httpx) vs raw boto3 to the same SeaweedFS."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from .common import MB, Row, Section, log, median, timed
from .stack import Api, Stack

CHUNK = 1024 * 1024
RAW_BUCKET = "bench-raw"
GOAL_RATIO = 0.9


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
    """Alternate raw and PCS transfers ``rounds`` times; report best and median MB/s and the ratios."""
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
    speed: dict[str, list[float]] = {"pcs_up": [], "raw_up": [], "pcs_down": [], "raw_down": []}
    node_id = ""

    def up_raw() -> None:
        secs = timed(lambda: s3.upload_file(str(src), RAW_BUCKET, src.name))
        speed["raw_up"].append(size / MB / secs)

    def up_pcs() -> None:
        nonlocal node_id
        out: dict[str, object] = {}
        secs = timed(lambda: out.update(pcs_upload(api, folder, src, size, sha)))
        if out.get("sha256") != sha or out.get("size") != size:
            raise RuntimeError(f"PCS stored {out.get('size')} bytes with sha256 {out.get('sha256')}, expected {sha}")
        node_id = str(out["id"])
        speed["pcs_up"].append(size / MB / secs)

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
            order = [(up_raw, up_pcs), (down_raw, down_pcs)] if i % 2 == 0 else [(up_pcs, up_raw), (down_pcs, down_raw)]
            for pair in order:
                for step in pair:
                    step()
            log(
                f"round {i + 1}/{rounds}: up PCS {speed['pcs_up'][-1]:.0f} raw {speed['raw_up'][-1]:.0f}, "
                f"down PCS {speed['pcs_down'][-1]:.0f} raw {speed['raw_down'][-1]:.0f} MB/s"
            )
    finally:
        src.unlink(missing_ok=True)
        dest.unlink(missing_ok=True)
    for way, label in (("up", "upload"), ("down", "download")):
        pcs, raw = speed[f"pcs_{way}"], speed[f"raw_{way}"]
        for stat, fn in (("best", max), ("median", median)):
            p, a = fn(pcs), fn(raw)
            sec.rows.append(Row(sec.name, f"{label} {stat} of {rounds}", "MB/s", p, a, ">=0.9x", p / a >= GOAL_RATIO))
    sec.samples = {"MB_per_s": speed, "size_bytes": size, "sha256": sha, "rounds": rounds}
    sec.notes.append("MB = 10^6 bytes; sha256 of every download checked (outside the timed part) for both sides")
    return sec
