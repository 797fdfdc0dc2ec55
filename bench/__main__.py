"""`python -m bench` (`make bench`): start a private PCS stack, run the benchmarks, print and save the table."""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import audit_api, browser_scale, cluster, dashboard, drop, listing, recovery, sharing, small, thumbs, ui, upload
from . import search as search_bench
from .common import RESULTS_DIR, Row, Section, log, render_table, write_json
from .stack import ROOT, Api, Stack, running_stack

BENCHES = (
    "upload",
    "small",
    "listing",
    "ui",
    "thumbs",
    "sharing",
    "recovery",
    "search",
    "dashboard",
    "cluster",
    "browser_scale",
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--only", default=",".join(BENCHES), help=f"comma-separated subset of {', '.join(BENCHES)}")
    p.add_argument("--size-mib", type=int, default=1024, help="size of the large file (MiB)")
    p.add_argument("--rounds", type=int, default=3, help="rounds of raw+PCS transfers of the large file")
    p.add_argument("--files", type=int, default=2000, help="number of small files")
    p.add_argument("--file-kib", type=float, default=4, help="size of each small file (KiB)")
    p.add_argument("--concurrency", type=int, default=16, help="concurrent requests for small files")
    p.add_argument("--entries", type=int, default=100_000, help="entries in the listed folder")
    p.add_argument("--dirs", type=int, default=300, help="how many of those entries are folders")
    p.add_argument("--reps", type=int, default=50, help="timed repetitions per listing page")
    p.add_argument("--pg-url", default=listing.PG_ADMIN_URL, help="PostgreSQL admin URL for the listing benchmark")
    p.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL listing benchmark")
    p.add_argument("--thumbs-files", type=int, default=200, help="JPEGs for the thumbnail benchmark")
    p.add_argument("--thumbs-megapixels", type=float, default=12, help="size of each JPEG (megapixels)")
    p.add_argument("--thumbs-workers", type=int, default=2, help="threads on each side of the thumbnail benchmark")
    p.add_argument("--sharing-entries", type=int, default=10_000, help="entries in the shared folder listed")
    p.add_argument("--trash-entries", type=int, default=50_000, help="items in the trash listed (recovery)")
    p.add_argument("--empty-files", type=int, default=10_000, help="files in the trash emptied (recovery)")
    p.add_argument("--restore-reps", type=int, default=5, help="version restores timed per file (recovery)")
    p.add_argument("--search-docs", type=int, default=100_000, help="files indexed by the search benchmark")
    p.add_argument("--search-runs", type=int, default=200, help="timed runs per search query kind")
    p.add_argument("--search-content-share", type=float, default=0.2, help="share of files with ~2 KB of text")
    p.add_argument("--search-backends", default="fts5,opensearch", help="search backends to measure")
    dashboard.add_arguments(p)  # --dashboard-*, --audit-*
    p.add_argument("--search-app-rounds", type=int, default=30, help="uploads timed until searchable (search)")
    p.add_argument("--cluster-rounds", type=int, default=2, help="small-file rounds per side (cluster)")
    p.add_argument("--cluster-large-rounds", type=int, default=2, help="large-file rounds per side (cluster)")
    p.add_argument("--cluster-users", type=int, default=1, help="accounts the cluster's small files spread over")
    p.add_argument("--cluster-granian-workers", type=int, default=None, help="app workers per cluster instance")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/0", help="Redis for the cluster benchmark")
    p.add_argument("--scale-entries", type=int, default=100_000, help="entries in the browser_scale folder")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (data, stack log)")
    args = p.parse_args(argv)
    args.only = [b.strip() for b in args.only.split(",") if b.strip()]
    unknown = set(args.only) - set(BENCHES)
    if unknown:
        p.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}; choose from {', '.join(BENCHES)}")
    if args.dirs >= args.entries:
        p.error("--dirs must be smaller than --entries")
    return args


def thumbs_section(args: argparse.Namespace) -> Section:
    """bench/thumbs.py runs its own SeaweedFS and worker; fold its rows into the common table."""
    sec = Section("thumbnails", "raw Pillow on the same files, same run")
    for r in thumbs.run(args):
        sec.rows.append(Row("thumbs", r["name"], r["unit"], r["value"], r["anchor_value"], r["goal"], r["met"]))
        sec.notes.append(f"{r['name']}: anchor = {r['anchor']}; {r['note']}")
    return sec


def folded(name: str, anchor: str, bench: str, rows: list[dict[str, Any]]) -> Section:
    """The rows of a benchmark that runs its own services, in the common table."""
    sec = Section(name, anchor)
    for r in rows:
        sec.rows.append(Row(bench, r["name"], r["unit"], r["value"], r["anchor_value"], r["goal"], r["met"]))
        sec.notes.append(f"{r['name']}: anchor = {r['anchor']}; {r.get('note', '')}")
    return sec


def guarded(name: str, fn: Callable[[], Section]) -> Section:
    """Run one benchmark; a failure becomes a section with the error instead of ending the run."""
    log(f"--- {name}")
    t0 = time.perf_counter()
    try:
        sec = fn()
    except Exception as e:  # noqa: BLE001 - report and carry on with the other benchmarks
        traceback.print_exc()
        sec = Section(name, "-", notes=[f"FAILED: {type(e).__name__}: {str(e)[:500]}"])
    sec.seconds = time.perf_counter() - t0
    return sec


def stack_log_problems(stack: Stack, limit: int = 15) -> list[str]:
    """Lines of the stack's log that look like errors or warnings (evidence for the report)."""
    if not stack.log_path.exists():
        return []
    words = ("Traceback", "ERROR", "Error", "WARNING", "Exception", "exited with")
    lines = [ln for ln in stack.log_path.read_text(errors="replace").splitlines() if any(w in ln for w in words)]
    return lines[:limit] + ([f"... and {len(lines) - limit} more"] if len(lines) > limit else [])


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip() or "?"
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    work = Path(tempfile.mkdtemp(prefix="pcs-bench-"))
    sections: list[Section] = []
    problems: list[str] = []
    log(f"benchmarks: {', '.join(args.only)}; work dir {work}")
    after_main: list[tuple[str, Callable[[], Section]]] = []
    try:
        with running_stack(work / "data") as stack:
            api = Api(stack.url, max_connections=max(64, args.concurrency))
            email = f"bench-{secrets.token_hex(4)}@example.com"
            api.signup(email, secrets.token_urlsafe(16))
            try:
                if "upload" in args.only:
                    sections.append(guarded("upload", lambda: upload.run(stack, api, work, args.size_mib, args.rounds)))
                if "small" in args.only:
                    size = int(args.file_kib * 1024)
                    sections.append(guarded("small", lambda: small.run(stack, api, args.files, size, args.concurrency)))
                    if not args.no_postgres:
                        # A stack of its own builds the web app into the same .web, with its own port
                        # baked in: the main stack's pages would then open their socket to it. So it
                        # runs once the main stack (and its browser benchmarks) is done.
                        after_main.append(
                            (
                                "small (PostgreSQL)",
                                lambda: small.run_postgres(
                                    work, args.files, size, args.concurrency, args.pg_url, args.redis_url
                                ),
                            )
                        )
                if "listing" in args.only:
                    sections.append(
                        guarded(
                            "listing (SQLite)",
                            lambda: listing.run_sqlite(stack, api, email, args.entries, args.dirs, args.reps),
                        )
                    )
                    if not args.no_postgres:
                        sections.append(
                            guarded(
                                "listing (PostgreSQL)",
                                lambda: listing.run_postgres(
                                    stack, work, args.entries, args.dirs, args.reps, args.pg_url
                                ),
                            )
                        )
                if "browser_scale" in args.only:
                    sections.append(guarded("browser_scale", lambda: browser_scale.run(stack, api, args)))
                if "ui" in args.only:
                    sections.append(guarded("ui", lambda: ui.run(stack, api, args)))
                    sections.append(guarded("ui (folder drop)", lambda: drop.run(stack, api, work)))
                if "thumbs" in args.only:
                    sections.append(guarded("thumbs", lambda: thumbs_section(args)))
                if "sharing" in args.only:
                    sections.append(
                        guarded(
                            "sharing (link)",
                            lambda: sharing.run_link_download(stack, api, work, args.size_mib, max(5, args.rounds)),
                        )
                    )
                    sections.append(
                        guarded(
                            "sharing (listing)",
                            lambda: sharing.run_shared_listing(
                                stack, api, email, args.sharing_entries, max(100, args.reps)
                            ),
                        )
                    )
                if "recovery" in args.only:
                    sections.append(
                        guarded(
                            "trash (listing)", lambda: recovery.run_trash_listing(stack, args.trash_entries, args.reps)
                        )
                    )
                    sections.append(guarded("trash (empty)", lambda: recovery.run_empty_trash(stack, args.empty_files)))
                    sections.append(
                        guarded(
                            "versions (restore)",
                            lambda: recovery.run_version_restore(stack, work, args.size_mib, args.restore_reps),
                        )
                    )
                if "search" in args.only:
                    sections.append(
                        guarded(
                            "search",
                            lambda: folded(
                                "search",
                                "plain SQL LIKE on the same rows, same run",
                                "search",
                                search_bench.run(args, stack, api),
                            ),
                        )
                    )
                if "dashboard" in args.only:
                    dashboard.quiet_json_lines()
                    for db in [d.strip() for d in args.dashboard_databases.split(",") if d.strip()]:
                        sections.append(
                            guarded(
                                f"dashboard ({db})",
                                lambda db=db: dashboard.run_dashboard(
                                    stack,
                                    work,
                                    args.dashboard_files,
                                    args.dashboard_events,
                                    args.dashboard_reps,
                                    db,
                                    args.pg_url,
                                ),
                            )
                        )
                    sections.append(
                        guarded(
                            "audit overhead",
                            lambda: dashboard.run_audit_overhead(
                                stack,
                                work,
                                args.audit_files,
                                args.audit_kib * 1024,
                                args.audit_threads,
                                args.audit_rounds,
                            ),
                        )
                    )
                    sections.append(
                        guarded(
                            "audit overhead (API)",
                            lambda: audit_api.run(
                                stack,
                                work,
                                args.audit_files,
                                args.audit_kib * 1024,
                                args.audit_threads,
                                args.audit_rounds,
                            ),
                        )
                    )
                if "cluster" in args.only:
                    sections.append(
                        guarded(
                            "cluster",
                            lambda: folded(
                                "cluster: two instances behind nginx",
                                "one instance, direct, same cluster and run",
                                "cluster",
                                cluster.run(args),
                            ),
                        )
                    )
            finally:
                api.close()
                problems = stack_log_problems(stack)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        saved_log = RESULTS_DIR / f"stack-{time.strftime('%Y%m%d-%H%M%S')}.log"
        shutil.copyfile(stack.log_path, saved_log)
        for name, fn in after_main:
            sections.append(guarded(name, fn))
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    total = time.perf_counter() - t0
    meta: dict[str, Any] = {
        "started": started,
        "total_seconds": round(total, 1),
        "argv": sys.argv[1:] if argv is None else argv,
        "args": vars(args),
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "stack_log": str(saved_log),
        "stack_log_problems": problems,
    }
    path = write_json(sections, meta)
    print()
    print(render_table(sections))
    if problems:
        print(f"stack log lines that look like problems (full log: {saved_log}):")
        for ln in problems:
            print(f"  {ln}")
    print(f"total {total:.0f} s; results in {path}")
    return 1 if any(n.startswith("FAILED") for s in sections for n in s.notes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
