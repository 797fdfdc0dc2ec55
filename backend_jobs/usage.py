"""Usage roll-up, every PCS_USAGE_ROLLUP_MINUTES: usage events folded into the daily and all-time
tables; the accounts that changed measured (deduplication); new accounts given a baseline."""

from __future__ import annotations

from pcs_app.services.core import Core
from pcs_app.services.usage import rollup

from .registry import job


@job("usage_rollup", retries=2, retry_delay=30.0, every=lambda s: s.usage_rollup_minutes)
def usage_rollup(core: Core) -> dict[str, int]:
    """Idempotent and safe beside another run: each event is taken by exactly one run."""
    r = rollup.roll_up(core)
    return {"events": r.events, "accounts": len(r.users), "measured": r.measured, "baselines": r.baselines}


@job("usage_rebuild", retries=2, retry_delay=30.0)
def usage_rebuild(core: Core, user_id: int) -> str:
    """Recount one account's live counters from its files (`pcs jobs run usage_rebuild ID`)."""
    rollup.rebuild(core, int(user_id))
    return "rebuilt"
