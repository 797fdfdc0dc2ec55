"""Deleting an account and everything it holds. The audit log keeps its rows (with the email as label).

``request_deletion`` (the account's password needed) locks the account out at once — every token
revoked, the password made unusable, a row in ``account_deletion`` — and queues ``delete_account``,
which removes the data in bounded transactions: the upload sessions (their S3 parts aborted), every
share in both directions, the links, every file and folder with all its versions (deepest first, 500
to a transaction; each version gives its blob's reference back, and garbage collection then deletes
the bytes nobody else holds), the search index's documents, then every other row that names the
account, and the account itself. Each step finds what is left, so a run that dies is finished by the
next (the job's retries, or the periodic sweep).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, update
from sqlmodel import SQLModel, col, select

from pcs_app.models import (
    AccountDeletion,
    ApiToken,
    Blob,
    Grant,
    KnownDevice,
    MailOutbox,
    Node,
    NotifyOptOut,
    PasswordReset,
    ShareLink,
    Throttle,
    UploadSession,
    UsageDaily,
    UsageEvent,
    UsageSnapshot,
    UsageTotal,
    User,
    Version,
    utcnow,
)

from .. import audit
from ..core import Core
from ..errors import Forbidden
from ..tx import write_tx
from . import directory
from .passwords import verify

log = logging.getLogger(__name__)
JOB = "delete_account"
CHUNK = 500
UNUSABLE = "!deleted"  # no argon2 hash: every password check fails
UNSHARED = "unshared"  # the change-feed kind that drops a share from its recipient's views
_OWN_ROWS = (UsageEvent, UsageDaily, UsageTotal, UsageSnapshot, NotifyOptOut, PasswordReset, KnownDevice, MailOutbox)


def request_deletion(core: Core, actor: object, password: object, address: str | None = None) -> None:
    """Delete the actor's account and all its data (the password is asked again). Signs it out at once."""
    if not isinstance(actor, User) or actor.id is None:
        raise Forbidden("This needs an account: sign in first.")
    if verify(core, actor, password, address) is not None:
        directory.delete(core, actor.email)  # Cognito's account first: if that fails, nothing has changed
    with core.db.write() as s:
        if s.get(AccountDeletion, actor.id) is None:
            s.add(AccountDeletion(user_id=actor.id, email=actor.email))
        s.exec(update(User).where(col(User.id) == actor.id).values(password_hash=UNUSABLE))
        s.exec(
            update(ApiToken)
            .where(col(ApiToken.user_id) == actor.id, col(ApiToken.revoked_at).is_(None))
            .values(revoked_at=utcnow())
        )
    audit.record_now(
        core, "account.delete", actor, outcome="requested", target_type="account", target=actor.email, owner_id=actor.id
    )
    if core.make_jobs is not None:
        try:
            core.jobs.enqueue(JOB, actor.id)
        except Exception:  # the periodic sweep finishes it
            log.exception("could not queue the deletion of account %s", actor.id)


@dataclass
class DeletionReport:
    items: int = 0
    bytes: int = 0  # logical bytes the account no longer holds
    done: bool = False


def _sessions(core: Core, user_id: int) -> None:
    with core.db.read() as s:
        sessions = list(s.exec(select(UploadSession).where(UploadSession.user_id == user_id)).all())
    for sess in sessions:
        try:
            core.blobs.abort_multipart(sess.s3_key, sess.s3_upload_id)
        except Exception:  # noqa: BLE001 - garbage collection aborts uploads no session owns
            log.warning("could not abort the multipart upload of session %s", sess.id)
        with core.db.write() as s:
            s.exec(delete(UploadSession).where(col(UploadSession.id) == sess.id))


def _shares(core: Core, user_id: int) -> None:
    """Shares with the account go; shares by it go too, each recipient's views told."""
    with core.db.write() as s:
        s.exec(delete(Grant).where(col(Grant.user_id) == user_id))
    with core.db.read() as s:
        grants = list(s.exec(select(Grant).where(Grant.owner_id == user_id)).all())
    if grants:
        with write_tx(core, user_id) as tx:
            for g in grants:
                node = tx.s.get(Node, g.node_id)
                if node is not None:
                    tx.record(node, UNSHARED, to=[g.user_id], sharers=False)
            tx.s.exec(delete(Grant).where(col(Grant.owner_id) == user_id))
    with core.db.write() as s:
        s.exec(delete(ShareLink).where(col(ShareLink.owner_id) == user_id))


def _deepest_first(core: Core, user_id: int) -> list[str]:
    """The account's nodes, every folder after everything below it (levels of a walk down, reversed)."""
    with core.db.read() as s:
        parents = dict(s.exec(select(Node.id, Node.parent_id).where(Node.owner_id == user_id)).all())
    children: dict[str | None, list[str]] = {}
    for node_id, parent in parents.items():
        children.setdefault(parent if parent in parents else None, []).append(node_id)
    order: list[str] = []
    level = children.get(None, [])
    while level:
        order += level
        level = [c for n in level for c in children.get(n, [])]
    return order[::-1]


def _nodes(core: Core, user_id: int, report: DeletionReport) -> None:
    ids = _deepest_first(core, user_id)
    with core.db.write() as s:
        s.exec(update(User).where(col(User.id) == user_id).values(root_id=None))
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        with write_tx(core, user_id) as tx:
            s = tx.s
            versions = s.exec(select(Version.blob_id, Version.size).where(col(Version.node_id).in_(chunk))).all()
            for blob_id, n in Counter(b for b, _ in versions).items():
                s.exec(update(Blob).where(col(Blob.id) == blob_id).values(refcount=col(Blob.refcount) - n))
            s.exec(delete(Version).where(col(Version.node_id).in_(chunk)))
            s.exec(delete(ShareLink).where(col(ShareLink.node_id).in_(chunk)))
            s.exec(delete(Grant).where(col(Grant.node_id).in_(chunk)))
            s.exec(delete(Node).where(col(Node.id).in_(chunk)))
            freed = sum(size for _, size in versions)
            tx.charge(-freed)
        report.items += len(chunk)
        report.bytes += freed


def _rows(core: Core, user_id: int, email: str) -> None:
    """Every other row that names the account: its own tables, and any with a foreign key to it."""
    with core.db.write() as s:
        s.exec(update(Version).where(col(Version.author_id) == user_id).values(author_id=None))
        for model in _OWN_ROWS:
            s.exec(delete(model).where(col(model.user_id) == user_id))
        s.exec(delete(Throttle).where(col(Throttle.key).startswith(f"pair:{email}|", autoescape=True)))
        s.exec(delete(Throttle).where(col(Throttle.key) == f"acct:{email}"))
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name == "user":
                continue
            for fk in table.foreign_keys:
                keep = (table.name, fk.parent.name) == ("version", "author_id")  # set to NULL above
                if fk.column.table.name == "user" and fk.column.name == "id" and not keep:
                    s.exec(delete(table).where(fk.parent == user_id))


def delete_account(core: Core, user_id: int) -> DeletionReport:
    """The ``delete_account`` job: remove what is left of an account whose deletion was asked for."""
    report = DeletionReport()
    with core.db.read() as s:
        asked = s.get(AccountDeletion, user_id)
        user = s.get(User, user_id)
    if asked is None:
        return report  # never asked for: nothing is deleted
    if user is not None:
        _sessions(core, user_id)
        _shares(core, user_id)
        _nodes(core, user_id, report)
        if core.has_search:
            try:
                core.search.delete_owner(user_id)
            except Exception:  # searches check the database; the index's sweep drops the rest
                log.exception("could not drop account %s from the search index", user_id)
        _rows(core, user_id, asked.email)
        with core.db.write() as s:
            s.exec(delete(User).where(col(User.id) == user_id))
    with core.db.write() as s:
        s.exec(delete(AccountDeletion).where(col(AccountDeletion.user_id) == user_id))
    by = audit.Who(user_id, asked.email)
    r = audit.row(
        "account.delete",
        by,
        outcome="done",
        target_type="account",
        target=asked.email,
        owner_id=user_id,
        detail={"items": report.items, "bytes": report.bytes},
    )
    with core.db.write() as s:
        audit.write(s, [r])
    audit.emit(core, [r])
    report.done = True
    return report


def unfinished(core: Core, older_than: timedelta = timedelta(minutes=5)) -> list[int]:
    """Deletions asked for a while ago and not finished (their job was lost or failed)."""
    with core.db.read() as s:
        return list(
            s.exec(select(AccountDeletion.user_id).where(AccountDeletion.requested_at < utcnow() - older_than)).all()
        )
