"""`pcs jobs`: inspect and steer background jobs."""

from __future__ import annotations

import argparse

from .common import die, load_settings


def cmd_jobs(args: argparse.Namespace) -> None:
    """Inspect and steer background jobs: failed, retry, status, run."""
    from backend_jobs import failures, run_job
    from pcs_app.wiring import get_core

    load_settings()
    core = get_core()
    if args.action == "failed":
        rows = failures.list_failed(core, include_resolved=args.all, limit=args.limit)
        if not rows:
            print("no failed jobs")
        for f in rows:
            state = f" (retried {f.resolved_at:%Y-%m-%d %H:%M})" if f.resolved_at else ""
            print(f"#{f.id}  {f.failed_at:%Y-%m-%d %H:%M:%S}  {f.job}{f.args}  {f.attempts} attempts{state}")
            print(f"      {f.error}")
            if args.verbose:
                print("      " + f.traceback.replace("\n", "\n      "))
    elif args.action == "retry":
        ids = [f.id for f in failures.list_failed(core, limit=10_000)] if args.ids == ["all"] else args.ids
        for i in ids:
            try:
                task = failures.retry(core, core.jobs, int(str(i)))
            except (LookupError, ValueError) as e:
                die(str(e))
            print(f"#{i} queued again (task {task})")
    elif args.action == "status":
        q = core.jobs
        print(
            f"queued: {q.pending_count()}  waiting to retry: {q.scheduled_count()}  "
            f"failed: {len(failures.list_failed(core, limit=10_000))}"
        )
        print(f"jobs: {', '.join(q.names)}")
    elif args.action == "run":
        print(run_job(core, args.ids[0], *args.ids[1:]))
    elif args.action == "enqueue":
        print(core.jobs.enqueue(args.ids[0], *args.ids[1:]))
