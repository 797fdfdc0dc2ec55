"""Garbage collection, run periodically: unreferenced blobs and thumbnails of gone content every
``PCS_GC_INTERVAL_MINUTES``; objects no row knows once a day."""

from __future__ import annotations

from dataclasses import asdict

from pcs_app.services import gc
from pcs_app.services import thumbnails as thumbs
from pcs_app.services.core import Core

from .registry import job

ORPHAN_SWEEP_MINUTES = 24 * 60


@job("collect_garbage", retries=2, retry_delay=60.0, every=lambda s: s.gc_interval_minutes)
def collect_garbage(core: Core) -> dict[str, int]:
    """Reclaim bytes nobody references (safe to run twice at once: every delete re-checks its condition)."""
    report = asdict(gc.collect_garbage(core, orphans=False))
    report.update({f"thumbnail_{k}": v for k, v in asdict(thumbs.collect_garbage(core)).items()})
    return report


@job(
    "sweep_orphans",
    retries=2,
    retry_delay=60.0,
    every=lambda s: ORPHAN_SWEEP_MINUTES if s.gc_interval_minutes else 0,
)
def sweep_orphans(core: Core) -> dict[str, int]:
    """Everything collect_garbage does, and the objects no row knows (an upload that died between its
    bytes and its commit): a listing of the whole bucket, so once a day rather than every hour."""
    return asdict(gc.collect_garbage(core))
