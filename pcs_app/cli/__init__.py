"""Command line: `python -m pcs_app.cli run|s3|web|worker|jobs|migrate|create-admin|users|gc|fsck|reindex`."""

from __future__ import annotations

import argparse

from .admin import cmd_create_admin, cmd_fsck, cmd_gc, cmd_migrate, cmd_users
from .jobs import cmd_jobs
from .launch import cmd_run, cmd_s3, cmd_web, cmd_worker
from .search import cmd_reindex


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pcs", description="PCS personal cloud storage")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("run", help="start everything (embedded S3 + app)").set_defaults(fn=cmd_run)
    sub.add_parser("s3", help="run the embedded SeaweedFS").set_defaults(fn=cmd_s3)
    sub.add_parser("web", help="run the web app (UI + API)").set_defaults(fn=cmd_web)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(fn=cmd_migrate)
    p = sub.add_parser("create-admin", help="create an administrator account (PCS_AUTH=cognito: promote one)")
    p.add_argument("--email", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(fn=cmd_create_admin)
    p = sub.add_parser("users", help="accounts: list | quota EMAIL SIZE (e.g. 50G, or 'unlimited')")
    p.add_argument("action", choices=["list", "quota"])
    p.add_argument("args", nargs="*", help="quota: EMAIL SIZE")
    p.set_defaults(fn=cmd_users)
    sub.add_parser("gc", help="reclaim unreferenced stored bytes").set_defaults(fn=cmd_gc)
    p = sub.add_parser("fsck", help="check the database against S3 (exit 1 while problems remain)")
    p.add_argument("--repair", action="store_true", help="fix what is safe and say what was done")
    p.set_defaults(fn=cmd_fsck)
    p = sub.add_parser("worker", help="run background jobs (thumbnails, garbage collection)")
    p.add_argument("--workers", type=int, default=0, help="threads (default PCS_JOBS_WORKERS)")
    p.add_argument("--no-periodic", action="store_true", help="leave periodic jobs to another worker")
    p.set_defaults(fn=cmd_worker)
    p = sub.add_parser("jobs", help="background jobs: failed | retry ID...|all | status | run|enqueue NAME [ARG...]")
    p.add_argument("action", choices=["failed", "retry", "status", "run", "enqueue"])
    p.add_argument("ids", nargs="*", help="failure ids for retry ('all' for every one); job name and arguments")
    p.add_argument("--all", action="store_true", help="failed: include failures already retried")
    p.add_argument("--limit", type=int, default=100, help="failed: how many to show")
    p.add_argument("-v", "--verbose", action="store_true", help="failed: show tracebacks")
    p.set_defaults(fn=cmd_jobs)
    p = sub.add_parser("reindex", help="rebuild the search index from the database (swapped in when complete)")
    p.add_argument("--queue", action="store_true", help="let the worker do it instead of this process")
    p.set_defaults(fn=cmd_reindex)
    args = parser.parse_args(argv)
    args.fn(args)
