"""Mail waits in the ``mail_outbox`` table until a job sends it: a request never waits for a mail
server, and a server that is down loses nothing.

``queue`` stores the rendered mail and queues ``send_mail(id)``. ``send`` claims the row (so two
runs never both send it), hands it to the configured mailer (``core.mailer``), and marks it sent —
or, on a transient failure (``MailError``), schedules the next attempt, waiting twice as long each
time up to an hour. The periodic ``mail_sweep`` queues every mail that is due again (a lost job, a
long outage) and gives up on those older than ``PCS_MAIL_MAX_AGE_HOURS`` (status ``expired``). A mail
the server refuses for good (``MailRejected``, a malformed address) is marked ``rejected``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, update
from sqlmodel import col, select

from pcs_app.adapters.mail import InvalidMessage, MailError, MailRejected, compose
from pcs_app.models import MailOutbox, utcnow

from ..core import Core
from .templates import Message

log = logging.getLogger(__name__)
SEND_JOB, SWEEP_JOB = "send_mail", "mail_sweep"
LEASE = timedelta(minutes=5)  # a send that takes longer is presumed dead and may be tried again
FIRST_RETRY, LONGEST_RETRY = timedelta(seconds=30), timedelta(hours=1)
SWEEP_BATCH = 500
KEEP = timedelta(days=30)  # sent, refused and expired mails are deleted after this


def queue(core: Core, *, to: str, kind: str, message: Message, user_id: int | None = None) -> int:
    """Store a mail and queue its sending; returns its id. Never waits for a mail server."""
    row = MailOutbox(
        user_id=user_id, to_addr=to, kind=kind, subject=message.subject, text=message.text, html=message.html
    )
    with core.db.write() as s:
        s.add(row)
        s.flush()
        mail_id = row.id or 0
    if core.make_jobs is not None:
        try:
            core.jobs.enqueue(SEND_JOB, mail_id)
        except Exception:  # the sweep sends it within a minute
            log.exception("could not queue mail %s; the sweep will", mail_id)
    return mail_id


def _backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def send(core: Core, mail_id: int) -> str:
    """Send one waiting mail (the ``send_mail`` job). Returns what became of it."""
    now = utcnow()
    with core.db.write() as s:
        claimed = s.exec(
            update(MailOutbox)
            .where(
                col(MailOutbox.id) == mail_id,
                col(MailOutbox.status) == "pending",
                col(MailOutbox.next_attempt_at) <= now,
            )
            .values(attempts=col(MailOutbox.attempts) + 1, next_attempt_at=now + LEASE)
        ).rowcount
        row = s.get(MailOutbox, mail_id) if claimed else None
    if row is None:
        return "not due"  # sent, given up, or another run has it
    try:
        msg = compose(
            core.settings.mail_from,
            row.to_addr,
            row.subject,
            row.text,
            row.html,
            headers={"X-PCS-Kind": row.kind, "Auto-Submitted": "auto-generated"},
        )
        provider_id = core.mailer.send(msg)
    except (MailRejected, InvalidMessage) as e:
        _finish(core, mail_id, "rejected", error=str(e))
        log.warning("mail %s to %s refused for good: %s", mail_id, row.to_addr, e)
        return "rejected"
    except MailError as e:
        _retry_later(core, mail_id, row.attempts, str(e))
        log.warning("mail %s to %s not sent yet (attempt %d): %s", mail_id, row.to_addr, row.attempts, e)
        return "retry"
    _finish(core, mail_id, "sent", provider_id=provider_id)
    return "sent"


def _finish(core: Core, mail_id: int, status: str, *, error: str = "", provider_id: str | None = None) -> None:
    with core.db.write() as s:
        s.exec(
            update(MailOutbox)
            .where(col(MailOutbox.id) == mail_id)
            .values(
                status=status,
                last_error=error[:1000],
                provider_id=provider_id[:400] if provider_id else None,
                sent_at=utcnow() if status == "sent" else None,
            )
        )


def _retry_later(core: Core, mail_id: int, attempts: int, error: str) -> None:
    with core.db.write() as s:
        s.exec(
            update(MailOutbox)
            .where(col(MailOutbox.id) == mail_id)
            .values(last_error=error[:1000], next_attempt_at=utcnow() + _backoff(attempts))
        )


@dataclass(frozen=True)
class SweepReport:
    queued: int
    expired: int


def sweep(core: Core) -> SweepReport:
    """Queue the mails that are due again; give up on those too old to matter (the ``mail_sweep`` job)."""
    now = utcnow()
    cutoff = now - timedelta(hours=core.settings.mail_max_age_hours)
    with core.db.write() as s:
        expired = s.exec(
            update(MailOutbox)
            .where(col(MailOutbox.status) == "pending", col(MailOutbox.created_at) < cutoff)
            .values(status="expired")
        ).rowcount
        # What was sent (or given up) is not kept for ever: it holds people's names and files.
        s.exec(delete(MailOutbox).where(col(MailOutbox.status) != "pending", col(MailOutbox.created_at) < now - KEEP))
    with core.db.read() as s:
        due = s.exec(
            select(MailOutbox.id)
            .where(col(MailOutbox.status) == "pending", col(MailOutbox.next_attempt_at) <= now)
            .order_by(col(MailOutbox.next_attempt_at))
            .limit(SWEEP_BATCH)
        ).all()
    for mail_id in due:
        if mail_id is not None:
            core.jobs.enqueue(SEND_JOB, mail_id)
    return SweepReport(len(due), expired)


@dataclass(frozen=True)
class MailHealth:
    pending: int
    oldest_pending_seconds: float | None
    rejected: int
    expired: int
    last_error: str


def health(core: Core) -> MailHealth:
    """How the outbox is doing (the admin dashboard)."""
    with core.db.read() as s:
        counts = dict(
            s.exec(
                select(MailOutbox.status, func.count())
                .where(col(MailOutbox.status).in_(("pending", "rejected", "expired")))
                .group_by(col(MailOutbox.status))
            ).all()
        )
        oldest = s.exec(select(func.min(MailOutbox.created_at)).where(col(MailOutbox.status) == "pending")).first()
        last = s.exec(
            select(MailOutbox.last_error)
            .where(col(MailOutbox.status) == "pending", col(MailOutbox.last_error) != "")
            .order_by(col(MailOutbox.id).desc())
            .limit(1)
        ).first()
    age = (utcnow() - oldest).total_seconds() if oldest is not None else None
    return MailHealth(
        int(counts.get("pending", 0)), age, int(counts.get("rejected", 0)), int(counts.get("expired", 0)), last or ""
    )
