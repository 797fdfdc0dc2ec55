"""Garbage collection, run periodically: unreferenced blobs and objects, then thumbnails of gone content."""

from __future__ import annotations

from dataclasses import asdict

from pcs_app.services import gc
from pcs_app.services import thumbnails as thumbs
from pcs_app.services.core import Core

from .registry import job


@job("collect_garbage", retries=2, retry_delay=60.0, every=lambda s: s.gc_interval_minutes)
def collect_garbage(core: Core) -> dict[str, int]:
    """Reclaim bytes nobody references (safe to run twice at once: every delete re-checks its condition)."""
    report = asdict(gc.collect_garbage(core))
    report.update({f"thumbnail_{k}": v for k, v in asdict(thumbs.collect_garbage(core)).items()})
    return report
