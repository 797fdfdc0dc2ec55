"""Write transactions that record every metadata change in the user's change feed."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlmodel import Session, col, select, update

from pcs_app.models import Change, Node, User

from . import quota
from .core import Core


@dataclass
class Tx:
    s: Session
    user_id: int
    seq: int
    used_bytes: int
    quota_bytes: int | None
    charged: int = 0
    pending: list[Change] = field(default_factory=lambda: list[Change]())

    def record(self, node: Node, kind: str) -> None:
        """Append a change for ``node`` to the owner's feed, in this transaction."""
        self.seq += 1
        self.pending.append(
            Change(
                user_id=self.user_id,
                seq=self.seq,
                node_id=node.id,
                kind=kind,
                parent_id=node.parent_id,
                name=node.name,
                node_kind=node.kind,
            )
        )

    def charge(self, delta: int) -> None:
        """Count ``delta`` bytes against the owner's usage, refusing what the quota cannot hold."""
        quota.check(self.used_bytes + self.charged, self.quota_bytes, delta)
        self.charged += delta


@contextmanager
def write_tx(core: Core, owner_id: int) -> Generator[Tx]:
    """Open a write transaction on ``owner_id``'s namespace.

    The owner's row is locked first, so writes to one namespace are serialized and the feed's
    sequence numbers are handed out in commit order (a cursor never skips a late commit).
    """
    with core.db.write() as s:
        seq, used, quota = s.exec(
            select(User.change_seq, User.used_bytes, User.quota_bytes).where(User.id == owner_id).with_for_update()
        ).one()
        tx = Tx(s, owner_id, seq, used, quota)
        yield tx
        if tx.pending:
            s.add_all(tx.pending)
        if tx.pending or tx.charged:
            s.exec(
                update(User)
                .where(col(User.id) == owner_id)
                .values(change_seq=tx.seq, used_bytes=col(User.used_bytes) + tx.charged)
            )
    if tx.pending:
        core.broker.publish(owner_id, tx.seq)
