"""`pcs reindex`: rebuild the search index from the database, and swap it in at once."""

from __future__ import annotations

import argparse
import sys
import time

from .common import die, load_settings


def cmd_reindex(args: argparse.Namespace) -> None:
    """Rebuild the whole index (searches keep using the old one until the new one is complete)."""
    from backend_jobs.search import rebuild_now
    from pcs_app.wiring import get_core

    settings = load_settings()
    core = get_core()
    core.db.migrate()
    if args.queue:
        task = core.jobs.enqueue("search_rebuild")
        if task is None:
            die("this app does not queue jobs (PCS_JOBS_ENQUEUE=false); run `pcs reindex` without --queue")
        print(f"search rebuild queued ({task}); the worker runs it")
        return
    backend = settings.effective_search_backend
    t0 = time.monotonic()

    def progress(done: int) -> None:
        if sys.stdout.isatty():
            print(f"\rindexed {done:,} items", end="", flush=True)

    try:
        report = rebuild_now(core, progress)
    finally:
        if sys.stdout.isatty():
            print()
    print(
        f"search index ({backend}) rebuilt in {time.monotonic() - t0:.1f} s: {report.upserted:,} items, "
        f"text read from {report.read:,} files, {report.changes:,} changes applied since it began"
    )
