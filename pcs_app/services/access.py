"""The one gate: who may do what to a node. Every service that reads or writes a node asks here.

A check takes the actor, the node and the permission needed, and answers from one place:

- ``Perm.READ``   see it, list it, download it, copy it out;
- ``Perm.WRITE``  change what is inside: upload, create, rename, move within, trash, restore;
- ``Perm.MANAGE`` decide who else may see it: share links, grants;
- ``Perm.OWN``    what only the owner does: delete for good, move a shared root.

A role is what an actor holds on a node: ``owner`` (everything) or, through a grant, ``editor``
(read + write) or ``viewer`` (read). Someone with no role gets the same NotFound as for a missing
id, so ids leak nothing; someone who may read but not do more gets Forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from sqlmodel import Session

from pcs_app.models import FOLDER, Node, User, looks_like_id

from .errors import Conflict, Forbidden, NotFound


class Perm(IntEnum):
    READ = 1
    WRITE = 2
    MANAGE = 3
    OWN = 4


OWNER, EDITOR, VIEWER = "owner", "editor", "viewer"
ROLE_PERM = {OWNER: Perm.OWN, EDITOR: Perm.WRITE, VIEWER: Perm.READ}
_WORDS = {Perm.READ: "see", Perm.WRITE: "change", Perm.MANAGE: "share", Perm.OWN: "do that to"}


@dataclass(frozen=True)
class Access:
    """What ``actor`` may do with ``node``."""

    node: Node
    role: str

    @property
    def perm(self) -> Perm:
        return ROLE_PERM[self.role]

    def allows(self, need: Perm) -> bool:
        return self.perm >= need


def role_of(s: Session, actor: User, node: Node) -> str | None:
    """The actor's role on ``node`` (None: none at all)."""
    if node.owner_id == actor.id:
        return OWNER
    return None


def access(s: Session, actor: User, node_id: object, *, allow_trashed: bool = False) -> Access:
    """The actor's access to a node; NotFound when they have none (or the id is malformed)."""
    if not looks_like_id(node_id):
        raise NotFound("No such file or folder.")
    node = s.get(Node, node_id)
    role = role_of(s, actor, node) if node is not None else None
    if node is None or role is None:
        raise NotFound("No such file or folder.")
    if node.trashed_at is not None and not allow_trashed:
        raise NotFound("No such file or folder (it is in the trash).")
    return Access(node, role)


def check_node(
    s: Session, actor: User, node_id: object, need: Perm = Perm.READ, *, allow_trashed: bool = False
) -> Node:
    """The node if ``actor`` may ``need`` it; NotFound without any role, Forbidden with too little."""
    got = access(s, actor, node_id, allow_trashed=allow_trashed)
    if not got.allows(need):
        raise Forbidden(f"You may not {_WORDS[need]} '{got.node.name}': you are a {got.role} here.")
    return got.node


def check_folder(s: Session, actor: User, node_id: object, need: Perm = Perm.READ) -> Node:
    """Like ``check_node``, and the node must be a folder."""
    node = check_node(s, actor, node_id, need)
    if node.kind != FOLDER:
        raise Conflict("That is a file, not a folder.")
    return node
