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
    """Create an administrator account (works even when sign-up is closed)."""
    from pcs_app.services import accounts
    from pcs_app.services.errors import PCSError
    from pcs_app.wiring import get_core

    load_settings()
    core = get_core()
    core.db.migrate()
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
    print(collect_garbage(get_core()))
