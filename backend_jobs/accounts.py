"""Account deletion: ``delete_account(user_id)`` removes an account's data (queued when its owner asks);
``account_deletions``, every 10 minutes, finishes deletions whose job was lost or failed."""

from __future__ import annotations

from dataclasses import asdict

from pcs_app.services import accounts
from pcs_app.services.accounts import deletion
from pcs_app.services.core import Core

from .registry import job


@job(deletion.JOB, retries=5, retry_delay=30.0)
def delete_account(core: Core, user_id: int) -> dict[str, object]:
    """Idempotent: each step deletes what is left."""
    return asdict(accounts.delete_account(core, int(user_id)))


@job("account_deletions", retries=0, every=lambda s: 10)
def account_deletions(core: Core) -> int:
    done = 0
    for user_id in deletion.unfinished(core):
        accounts.delete_account(core, user_id)
        done += 1
    return done
