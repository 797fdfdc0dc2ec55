"""The one gate: who may do what to a node. Every service that reads or writes a node asks here.

A check takes the actor, the node and the permission needed, and answers from one place:

- ``Perm.READ``   see it, list it, download it, copy it out;
- ``Perm.WRITE``  change what is inside: upload, create, rename, move within, trash, restore;
- ``Perm.MANAGE`` decide who else may see it: share links, grants;
- ``Perm.OWN``    what only the owner does: delete for good, move or trash a shared folder itself.

An actor is an account (``User``) or someone holding a share link (``LinkVisitor``). Its role on a
node is ``owner`` (everything), through a grant on the node or a folder above it ``editor`` (read +
write) or ``viewer`` (read), through a link ``viewer``, or through a file-drop link ``dropper`` (may
only add files to the link's folder, and see nothing). Without a role an id answers the same
NotFound as a missing one, so ids leak nothing; with too little a role the answer is Forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from sqlalchemy import literal
from sqlmodel import Session, col, select

from pcs_app.models import FOLDER, Grant, Node, ShareLink, User, looks_like_id

from . import audit
from .errors import Conflict, Forbidden, NotFound
from .paths import path_of


class Perm(IntEnum):
    READ = 1
    WRITE = 2
    MANAGE = 3
    OWN = 4


OWNER, EDITOR, VIEWER, DROPPER = "owner", "editor", "viewer", "dropper"
ROLES = (VIEWER, EDITOR)  # the roles a grant can give
ROLE_PERM = {OWNER: Perm.OWN, EDITOR: Perm.WRITE, VIEWER: Perm.READ}
_WORDS = {Perm.READ: "see", Perm.WRITE: "change", Perm.MANAGE: "share", Perm.OWN: "do that to"}


@dataclass(frozen=True)
class LinkVisitor:
    """Whoever holds a share link's token (checked by the sharing service: live, unlocked)."""

    link: ShareLink

    @property
    def id(self) -> None:
        """A visitor has no account."""
        return None


Actor = User | LinkVisitor


@dataclass(frozen=True)
class Access:
    """What ``actor`` may do with ``node``; ``root`` is the shared item the access comes through."""

    node: Node
    role: str
    root: str | None = None

    def allows(self, need: Perm) -> bool:
        if self.role == DROPPER:
            return need == Perm.WRITE and self.node.id == self.root
        return ROLE_PERM[self.role] >= need


def _grant_role(s: Session, user: User, node: Node) -> tuple[str, str] | None:
    """(role, granted node id) of the strongest grant on ``node`` or a folder above it: one query that
    walks up from the node and meets the user's grants on the way."""
    up = select(Node.id, Node.parent_id, literal(0).label("depth")).where(Node.id == node.id).cte(recursive=True)
    up = up.union_all(select(Node.id, Node.parent_id, (up.c.depth + 1).label("depth")).where(Node.id == up.c.parent_id))
    rows = s.exec(
        select(Grant.role, Grant.node_id, up.c.depth)
        .join(up, col(Grant.node_id) == up.c.id)
        .where(Grant.user_id == user.id)
    ).all()
    if not rows:
        return None
    # The strongest role wins; between equals, the grant nearest the node (the least depth).
    role, root, _ = max(rows, key=lambda r: (ROLE_PERM[r[0]], -r[2]))
    return role, root


def role_of(s: Session, actor: Actor, node: Node) -> tuple[str, str | None] | None:
    """The actor's role on ``node`` and the shared item it comes through (None: no role at all)."""
    if isinstance(actor, LinkVisitor):
        link = actor.link
        if node.owner_id != link.owner_id or all(n.id != link.node_id for n in path_of(s, node)):
            return None
        return (DROPPER if link.upload_only else VIEWER), link.node_id
    if node.owner_id == actor.id:
        return OWNER, None
    return _grant_role(s, actor, node)


def access(s: Session, actor: Actor, node_id: object, *, allow_trashed: bool = False) -> Access:
    """The actor's access to a node; NotFound when they have none (or the id is malformed)."""
    if not looks_like_id(node_id):
        raise NotFound("No such file or folder.")
    node = s.get(Node, node_id)
    found = role_of(s, actor, node) if node is not None else None
    if node is None or found is None:
        raise NotFound("No such file or folder.")
    if node.trashed_at is not None and not allow_trashed:
        raise NotFound("No such file or folder (it is in the trash).")
    return Access(node, found[0], found[1])


def check_node(
    s: Session, actor: Actor, node_id: object, need: Perm = Perm.READ, *, allow_trashed: bool = False
) -> Node:
    """The node if ``actor`` may ``need`` it; NotFound without any role, Forbidden with too little."""
    return check(s, actor, node_id, need, allow_trashed=allow_trashed).node


def check(s: Session, actor: Actor, node_id: object, need: Perm = Perm.READ, *, allow_trashed: bool = False) -> Access:
    """Like ``check_node``, returning the whole Access (role and shared root)."""
    got = access(s, actor, node_id, allow_trashed=allow_trashed)
    if not got.allows(need):
        audit.denied(s, actor, got.node, need.name.lower())  # the audit log keeps every denial
        if got.role == DROPPER:
            raise Forbidden("This link only lets you add files.")
        raise Forbidden(f"You may not {_WORDS[need]} '{got.node.name}': you are a {got.role} here.")
    return got


def check_folder(s: Session, actor: Actor, node_id: object, need: Perm = Perm.READ) -> Node:
    """Like ``check_node``, and the node must be a folder."""
    node = check_node(s, actor, node_id, need)
    if node.kind != FOLDER:
        raise Conflict("That is a file, not a folder.")
    return node


def visible_path(s: Session, actor: Actor, node: Node) -> list[Node]:
    """The nodes from the top the actor may see down to ``node``: the owner's root for the owner, the
    shared item for everyone else (nothing above it is shown)."""
    path = path_of(s, node)
    found = role_of(s, actor, node)
    root = found[1] if found else None
    if root is None:
        return path
    ids = [n.id for n in path]
    return path[ids.index(root) :] if root in ids else path[-1:]


def account(actor: Actor) -> User:
    """The actor's account; Forbidden for a link visitor (an action that needs an account)."""
    if isinstance(actor, LinkVisitor):
        raise Forbidden("This needs an account: sign in first.")
    return actor


def require_admin(actor: Actor) -> User:
    """The actor's account if it administers this server; Forbidden for anyone else."""
    user = account(actor)
    if not user.is_admin:
        raise Forbidden("Only administrators may do that.")
    return user
