"""Mail: ``send_mail(id)`` sends one mail of the outbox (queued when the mail is); ``mail_sweep``, every
minute, queues again those due for another attempt and gives up on those too old to matter."""

from __future__ import annotations

from dataclasses import asdict

from pcs_app.services.core import Core
from pcs_app.services.notify import outbox

from .registry import job


# No retries by huey: the outbox row keeps the attempts and their backoff, the sweep does the retrying.
@job(outbox.SEND_JOB, retries=0)
def send_mail(core: Core, mail_id: int) -> str:
    """sent, retry (a transient failure: the sweep tries again later), rejected, or not due."""
    return outbox.send(core, int(mail_id))


@job(outbox.SWEEP_JOB, retries=0, every=lambda s: 1)
def mail_sweep(core: Core) -> dict[str, int]:
    return asdict(outbox.sweep(core))
