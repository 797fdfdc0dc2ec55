"""Administration: migrations, accounts, garbage collection."""

from __future__ import annotations

import argparse
import getpass
import sys

from .common import die, load_settings


def cmd_migrate(_args: argparse.Namespace) -> None:
    from pcs_app.wiring import get_core

    load_settings()
    get_core().db.migrate()
    print("database schema is up to date")


def cmd_create_admin(args: argparse.Namespace) -> None:
    """Create an administrator account (works even when sign-up is closed); with Cognito, promote one."""
    from pcs_app.services import accounts
    from pcs_app.services.errors import PCSError
    from pcs_app.wiring import get_core

    load_settings()
    core = get_core()
    core.db.migrate()
    if core.identity is not None:  # PCS_AUTH=cognito: the pool keeps passwords; promote a signed-up account
        try:
            print(f"{accounts.promote(core, args.email.strip()).email} is now an administrator")
        except PCSError as e:
            die(e.message)
        return
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    try:
        user = accounts.create_user(core, args.email.strip(), password, is_admin=True, via_admin=True)
    except PCSError as e:
        die(e.message)
    print(f"administrator {user.email} created")


def cmd_gc(_args: argparse.Namespace) -> None:
    from pcs_app.services.gc import collect_garbage
    from pcs_app.wiring import get_core

    load_settings()
    r = collect_garbage(get_core())
    print(
        f"deleted {r.blobs_deleted} unreferenced contents, {r.orphans_deleted} orphaned objects, "
        f"{r.multipart_aborted} unfinished multipart uploads, {r.sessions_aborted} expired upload sessions, "
        f"{r.copies_purged} abandoned copies; {r.bytes_freed} bytes reclaimed"
    )


def cmd_users(args: argparse.Namespace) -> None:
    """`users list` and `users quota EMAIL SIZE|unlimited`."""
    from pcs_app.services import accounts
    from pcs_app.services.errors import PCSError
    from pcs_app.services.units import human_size, parse_size
    from pcs_app.wiring import get_core

    load_settings()
    core = get_core()
    try:
        if args.action == "list":
            rows = accounts.list_users(core)
            print(f"{'EMAIL':<40} {'USED':>10} {'QUOTA':>10} {'FILES':>8}  ADMIN")
            for a in rows:
                quota = "unlimited" if a.quota_bytes is None else human_size(a.quota_bytes)
                admin = "yes" if a.is_admin else ""
                print(f"{a.email:<40} {human_size(a.used_bytes):>10} {quota:>10} {a.files:>8}  {admin}")
            print(f"{len(rows)} accounts")
            return
        if len(args.args) != 2:
            die("usage: pcs users quota EMAIL SIZE   (SIZE like 500M, 50G, 2T, or 'unlimited')")
        email, size = args.args
        quota = None if size.lower() in ("unlimited", "none") else parse_size(size)
        user = accounts.set_quota(core, email, quota)
    except PCSError as e:
        die(e.message)
    limit = "unlimited" if user.quota_bytes is None else human_size(user.quota_bytes)
    over = user.quota_bytes is not None and user.used_bytes > user.quota_bytes
    print(
        f"{user.email}: quota {limit}, using {human_size(user.used_bytes)}"
        + (" (over the quota: new uploads are refused until it is back under)" if over else "")
    )


def cmd_fsck(args: argparse.Namespace) -> None:
    """Compare the database with S3; with --repair, fix what is safe. Exit 1 while problems remain."""
    from pcs_app.services.fsck import fsck
    from pcs_app.wiring import get_core

    load_settings()
    report = fsck(get_core(), repair=args.repair)
    for line in report.lines():
        print(line)
    if report.unrepaired:
        sys.exit(1)
