"""Write transactions that record every metadata change in the user's change feed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlmodel import Session, select

from pcs_app.models import Change, Node, User

from .core import Core


@dataclass
class Tx:
    s: Session
    user_id: int
    seq: int
    pending: list[Change] = field(default_factory=list)

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


@contextmanager
def write_tx(core: Core, owner_id: int) -> Iterator[Tx]:
    """Open a write transaction on ``owner_id``'s namespace.

    The owner's row is locked first, so writes to one namespace are serialized and the feed's
    sequence numbers are handed out in commit order (a cursor never skips a late commit).
    """
    with core.db.write() as s:
        seq = s.exec(select(User.change_seq).where(User.id == owner_id).with_for_update()).one()
        tx = Tx(s, owner_id, seq)
        yield tx
        if tx.pending:
            s.add_all(tx.pending)
            s.exec(update(User).where(User.id == owner_id).values(change_seq=tx.seq))  # type: ignore[call-overload]
    if tx.pending:
        core.broker.publish(owner_id, tx.seq)
