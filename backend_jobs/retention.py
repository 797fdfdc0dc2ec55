"""Retention, run periodically: thin old versions (PCS_VERSIONS_KEEP_ALL_DAYS, PCS_VERSIONS_MAX) and
delete for good what has been in the trash longer than PCS_TRASH_DAYS. Their bytes go at the next
garbage collection."""

from __future__ import annotations

from pcs_app.services import content, tree
from pcs_app.services.core import Core

from .registry import job


@job("apply_retention", retries=2, retry_delay=60.0, every=lambda s: s.retention_interval_minutes)
def apply_retention(core: Core) -> dict[str, int]:
    """Idempotent: each step re-reads what it deletes, so a second run at once finds less to do."""
    purged = tree.purge_expired(core)
    versions = content.apply_retention(core)
    return {"versions_deleted": versions, "trash_items_deleted": purged.items, "trash_bytes": purged.bytes}
