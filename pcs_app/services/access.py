"""The one place that decides who may read or write a node.

Another user's node answers exactly like a missing one, so ids leak nothing.
"""

from __future__ import annotations

from typing import Literal

from sqlmodel import Session

from pcs_app.models import FOLDER, Node, User

from .errors import InvalidInput, NotFound

Need = Literal["read", "write"]


def check_node(s: Session, actor: User, node_id: object, need: Need = "read", *, allow_trashed: bool = False) -> Node:
    """Return the node if ``actor`` may ``need`` it, else raise NotFound."""
    if not isinstance(node_id, str) or not (1 <= len(node_id) <= 32):
        raise NotFound("No such file or folder.")
    node = s.get(Node, node_id)
    if node is None or not _allowed(actor, node, need):
        raise NotFound("No such file or folder.")
    if node.trashed_at is not None and not allow_trashed:
        raise NotFound("No such file or folder (it is in the trash).")
    return node


def check_folder(s: Session, actor: User, node_id: object, need: Need = "read") -> Node:
    node = check_node(s, actor, node_id, need)
    if node.kind != FOLDER:
        raise InvalidInput("That is a file, not a folder.")
    return node


def _allowed(actor: User, node: Node, need: Need) -> bool:
    # Shared folders (grants) will extend this; today every node belongs to exactly one owner.
    return node.owner_id == actor.id
