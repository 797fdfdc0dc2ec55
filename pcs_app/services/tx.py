"""Write transactions that record every metadata change in the change feeds of everyone who sees it.

A change to an owner's files goes into the owner's feed and into the feed of every account it is
shared with (a grant on the item or a folder above it). Each feed is per account, gapless and in
commit order: the transaction locks the rows of the owner and of every grantee of the owner's
files, in ascending id order (so two writers never wait for each other in a circle), and numbers
each account's new changes from its own head.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlmodel import Session, col, select, update

from pcs_app.models import Change, Grant, Node, User

from . import quota
from .core import Core
from .paths import path_of
from .search.indexing import after_commit as index_after_commit
from .usage.ledger import Ledger


@dataclass
class _Feed:
    seq: int
    pending: list[Change] = field(default_factory=lambda: list[Change]())


@dataclass
class Tx:
    s: Session
    user_id: int
    used_bytes: int
    quota_bytes: int | None
    feeds: dict[int, _Feed]
    grants: dict[str, set[int]]  # shared item id -> accounts it is shared with
    charged: int = 0
    # Audit log and usage counters (services/usage/ledger.py): what each recorded change did. ``op``
    # names a change the feed's kinds cannot tell apart ("copy", "version_restore").
    ledger: Ledger = field(default_factory=Ledger)
    op: str = ""

    @property
    def seq(self) -> int:
        """The owner's feed head (after the changes recorded so far)."""
        return self.feeds[self.user_id].seq

    def record(
        self, node: Node, kind: str, *, also: Iterable[str] = (), to: Iterable[int] = (), sharers: bool = True
    ) -> None:
        """Append a change for ``node`` to the owner's feed and the feeds of those it is shared with.

        ``also``: more item ids whose sharers must hear of it (e.g. the folder a move came from);
        ``to``: more accounts to tell (e.g. one whose grant was just removed); ``sharers=False``: tell
        only the owner and ``to`` (news about the sharing itself is for those it concerns).
        """
        recipients = self._recipients(node, also, to) if sharers else sorted({self.user_id, *to})
        for user_id in recipients:
            feed = self.feeds.get(user_id)
            if feed is None:
                feed = self.feeds[user_id] = _Feed(_lock_seq(self.s, user_id))
            feed.seq += 1
            feed.pending.append(
                Change(
                    user_id=user_id,
                    seq=feed.seq,
                    node_id=node.id,
                    kind=kind,
                    parent_id=node.parent_id,
                    name=node.name,
                    node_kind=node.kind,
                )
            )
        self.ledger.on_record(self, node, kind, also)  # audit + usage

    def _recipients(self, node: Node, also: Iterable[str], to: Iterable[int]) -> list[int]:
        out = {self.user_id, *to}
        if self.grants:
            seen: set[str] = {node.id, *also}
            for item in list(seen):
                start = node if item == node.id else self.s.get(Node, item)
                if start is not None:
                    seen.update(n.id for n in path_of(self.s, start))
            for item in seen & self.grants.keys():
                out |= self.grants[item]
        return sorted(out)

    def charge(self, delta: int) -> None:
        """Count ``delta`` bytes against the owner's usage, refusing what the quota cannot hold."""
        quota.check(self.used_bytes + self.charged, self.quota_bytes, delta)
        self.charged += delta

    @contextmanager
    def savepoint(self) -> Generator[None]:
        """A part of the transaction that fails alone: its rows, feed entries and charge are undone."""
        charged, heads = self.charged, {u: (f.seq, len(f.pending)) for u, f in self.feeds.items()}
        noted = self.ledger.mark()  # audit + usage
        try:
            with self.s.begin_nested():
                yield
        except BaseException:
            self.charged = charged
            self.ledger.rollback(noted)
            for user_id in list(self.feeds):
                if user_id in heads:
                    self.feeds[user_id].seq, n = heads[user_id]
                    del self.feeds[user_id].pending[n:]
                else:  # locked inside the savepoint, whose rollback may have released the lock
                    del self.feeds[user_id]
            raise


def _lock_seq(s: Session, user_id: int) -> int:
    return s.exec(select(User.change_seq).where(User.id == user_id).with_for_update()).one()


def _grants_of(s: Session, owner_id: int) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for node_id, user_id in s.exec(select(Grant.node_id, Grant.user_id).where(Grant.owner_id == owner_id)).all():
        out.setdefault(node_id, set()).add(user_id)
    return out


@contextmanager
def write_tx(core: Core, owner_id: int) -> Generator[Tx]:
    """Open a write transaction on ``owner_id``'s files.

    The rows of the owner and of the accounts its files are shared with are locked first, in id
    order, so feed sequence numbers are handed out in commit order (a cursor never skips a late
    commit) and concurrent writers cannot deadlock on them.
    """
    with core.db.write() as s:
        grants = _grants_of(s, owner_id)
        everyone = sorted({owner_id}.union(*grants.values()))
        rows = s.exec(
            select(User.id, User.change_seq, User.used_bytes, User.quota_bytes)
            .where(col(User.id).in_(everyone))
            .order_by(col(User.id))
            .with_for_update()
        ).all()
        by_id = {r[0]: r for r in rows}
        if owner_id not in by_id:
            raise LookupError(f"no account {owner_id}")
        _, _, used, limit = by_id[owner_id]
        # Read the grants again under the owner's lock (grants change only under it): one made while
        # we waited adds an account not locked yet; it is locked when its first change is recorded
        # (rare, and only then out of order).
        grants = _grants_of(s, owner_id)
        feeds = {uid: _Feed(seq) for uid, seq, _, _ in rows if uid is not None}
        tx = Tx(s, owner_id, used, limit, feeds, grants)
        yield tx
        for user_id, feed in tx.feeds.items():
            if feed.pending:
                s.add_all(feed.pending)
                s.exec(update(User).where(col(User.id) == user_id).values(change_seq=feed.seq))
        if tx.charged:
            s.exec(update(User).where(col(User.id) == owner_id).values(used_bytes=col(User.used_bytes) + tx.charged))
        kinds = {c.kind for c in tx.feeds[owner_id].pending}  # the owner's feed has every change of the tx
        tx.ledger.flush(tx)  # audit + usage rows, in this transaction
    for user_id, feed in tx.feeds.items():
        if feed.pending:
            core.broker.publish(user_id, feed.seq)
    tx.ledger.after_commit(core, tx)  # audit JSON lines, quota mails
    if kinds:
        index_after_commit(core, owner_id, kinds)  # the search index follows the owner's feed (a job)
