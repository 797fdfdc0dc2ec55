"""Thumbnails per second through PCS's real path (huey queue on SQLite, worker threads, sandboxed Pillow,
SeaweedFS, change rows) beside raw Pillow ``Image.thumbnail()`` on the same files in the same run.

`python -m bench.thumbs` runs it alone; ``run(args)`` returns the rows for the combined benchmark.
The anchor makes the same two WebP sizes as PCS (1024 then 256 px, quality 80) from local files with
the same number of threads; a second row shows bare ``Image.thumbnail((256, 256))`` with no encoding.
"""

from __future__ import annotations

import argparse
import io
import json
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

GOAL_RATIO = 0.8
WIDTH_PER_MP = (4000, 3000)  # 12 MP, a phone camera's 4:3


def _log(msg: str) -> None:
    print(f"[bench thumbs {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def make_photos(folder: Path, count: int, megapixels: float, distinct: int = 4) -> list[Path]:
    """``count`` different 12 MP JPEGs (photo-like: smooth shapes plus sensor-like grain, quality 90).

    A few base pictures are encoded once; each file then gets its own JPEG comment, so every file
    has different bytes (PCS stores identical content once) while decoding costs stay realistic.
    """
    from PIL import Image, ImageFilter

    scale = (megapixels / 12) ** 0.5
    size = (round(WIDTH_PER_MP[0] * scale), round(WIDTH_PER_MP[1] * scale))
    bases: list[bytes] = []
    for i in range(distinct):
        coarse = Image.effect_noise((size[0] // 40, size[1] // 40), 90).convert("RGB")
        coarse = Image.merge("RGB", [coarse.getchannel(0).rotate(90 * ((i + c) % 4), expand=False) for c in range(3)])
        picture = coarse.filter(ImageFilter.GaussianBlur(2)).resize(size, Image.Resampling.BICUBIC)
        # Sensor grain, tuned so files weigh what a phone's 12 MP JPEGs do (about 3 MB at quality 90).
        grain = Image.effect_noise(size, 25).convert("RGB")
        picture = Image.blend(picture, grain, 0.25)
        buf = io.BytesIO()
        picture.save(buf, "JPEG", quality=90)
        bases.append(buf.getvalue())
    paths = []
    for n in range(count):
        base = bases[n % distinct]
        comment = f"pcs bench photo {n} {secrets.token_hex(8)}".encode()
        data = base[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + base[2:]
        path = folder / f"photo-{n:04d}.jpg"
        path.write_bytes(data)
        paths.append(path)
    return paths


def _timed_pool(workers: int, items: list[Path], fn: Callable[[Path], object]) -> float:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        t0 = time.perf_counter()
        for f in [pool.submit(fn, p) for p in items]:
            f.result()
        return time.perf_counter() - t0


def pillow_same_outputs(path: Path) -> None:
    """What PCS delivers, with raw Pillow: thumbnail() to 1024 and 256 px, each saved as WebP."""
    from PIL import Image

    with Image.open(path) as im:
        for size in (1024, 256):
            im.thumbnail((size, size))
            im.save(io.BytesIO(), "WEBP", quality=80, method=4)


def pillow_bare(path: Path) -> None:
    """The least work that still makes a thumbnail: Image.thumbnail((256, 256)), nothing saved."""
    from PIL import Image

    with Image.open(path) as im:
        im.thumbnail((256, 256))


def run(args: argparse.Namespace | None = None) -> list[dict[str, Any]]:
    """Run the benchmark; one row per figure, each beside its anchor measured in this run."""
    count = int(getattr(args, "thumbs_files", 200))
    megapixels = float(getattr(args, "thumbs_megapixels", 12))
    workers = int(getattr(args, "thumbs_workers", 2))
    from sqlmodel import col, select

    from pcs_app.adapters.seaweed import private_seaweed
    from pcs_app.models import Thumbnail
    from pcs_app.services import accounts, content
    from pcs_app.services import thumbnails as thumbs
    from pcs_app.settings import Settings
    from pcs_app.wiring import build_core

    work = Path(tempfile.mkdtemp(prefix="pcs-bench-thumbs-"))
    try:
        photos_dir = work / "photos"
        photos_dir.mkdir()
        _log(f"making {count} JPEGs of {megapixels:g} MP")
        photos = make_photos(photos_dir, count, megapixels)
        avg_mb = sum(p.stat().st_size for p in photos) / len(photos) / 1e6
        with private_seaweed(work / "seaweed") as s3:
            settings = Settings(
                data_dir=work / "data",
                s3_endpoint=s3.endpoint,
                s3_access_key=s3.access_key,
                s3_secret_key=s3.secret_key,
                s3_bucket="pcs-bench",
                jobs_workers=workers,
                audit_stdout=False,  # the table is the output, not each upload's audit line
            )
            core = build_core(settings)
            try:
                core.blobs.ensure_bucket()
                core.db.migrate()
                user = accounts.create_user(
                    core, f"bench-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(16)
                )
                _log("uploading (jobs wait in the queue: no worker runs yet)")
                shas = [content.upload(core, user, user.root_id, p.name, [p.read_bytes()]).sha256 for p in photos]
                assert core.jobs.pending_count() >= count, "the uploads did not queue their thumbnails"

                _log("anchor: raw Pillow, same outputs")
                anchor_before = _timed_pool(workers, photos, pillow_same_outputs)
                bare = _timed_pool(workers, photos, pillow_bare)

                _log(f"PCS: {workers} worker threads drain the queue")
                running = core.jobs.start_workers(workers)
                t0 = time.perf_counter()
                remaining = set(shas)
                try:
                    while remaining:
                        with core.db.read() as s:
                            done = set(s.exec(select(Thumbnail.sha256).where(col(Thumbnail.sha256).in_(remaining))))
                        remaining -= done
                        if time.perf_counter() - t0 > 600:
                            raise RuntimeError(f"{len(remaining)} thumbnails not made within 600 s")
                        time.sleep(0.02)
                    pcs_s = time.perf_counter() - t0
                finally:
                    running.stop()
                states = {thumbs.state(core, sha).status for sha in shas}  # type: ignore[union-attr]
                if states != {thumbs.READY}:
                    raise RuntimeError(f"not every photo got its thumbnails: {states}")

                _log("anchor again (the machine is shared: the anchor is the mean of both runs)")
                anchor_after = _timed_pool(workers, photos, pillow_same_outputs)
            finally:
                core.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    pcs_rate = count / pcs_s
    anchor_rate = count / ((anchor_before + anchor_after) / 2)
    bare_rate = count / bare
    what = f"{count} JPEGs of {megapixels:g} MP ({avg_mb:.1f} MB each), {workers} threads"
    rows = [
        {
            "name": f"thumbnails through the queue: {what}",
            "value": round(pcs_rate, 2),
            "unit": "thumbnails/s",
            "anchor": "raw Pillow Image.thumbnail() to 1024 and 256 px, WebP q80, same files from local disk",
            "anchor_value": round(anchor_rate, 2),
            "goal": f">= {GOAL_RATIO}x",
            "met": pcs_rate >= GOAL_RATIO * anchor_rate,
            "note": (
                f"PCS includes queue, S3 GET of the original, sandbox process, 2 S3 PUTs, DB state and change rows; "
                f"anchor runs: {count / anchor_before:.2f} and {count / anchor_after:.2f}/s"
            ),
        },
        {
            "name": f"thumbnails through the queue vs bare thumbnail(): {what}",
            "value": round(pcs_rate, 2),
            "unit": "thumbnails/s",
            "anchor": "raw Pillow Image.thumbnail((256, 256)) only: one size, nothing encoded or stored",
            "anchor_value": round(bare_rate, 2),
            "goal": "(for reference)",
            "met": None,
            "note": "PCS makes a 1024 px size as well, which needs a finer JPEG decode than 256 px does",
        },
    ]
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.thumbs", description=__doc__)
    p.add_argument("--thumbs-files", type=int, default=200, help="number of JPEGs")
    p.add_argument("--thumbs-megapixels", type=float, default=12, help="size of each JPEG")
    p.add_argument("--thumbs-workers", type=int, default=2, help="worker threads (and anchor threads)")
    rows = run(p.parse_args(argv))
    for r in rows:
        ratio = r["value"] / r["anchor_value"] if r["anchor_value"] else float("nan")
        met = "" if r["met"] is None else ("  met" if r["met"] else "  NOT met")
        print(
            f"{r['name']}\n  PCS {r['value']} {r['unit']}  anchor {r['anchor_value']}  ({ratio:.2f}x, goal {r['goal']}){met}"
        )
        print(f"  anchor: {r['anchor']}\n  note: {r['note']}")
    print(json.dumps(rows, indent=2))
    return 0 if all(r["met"] is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
