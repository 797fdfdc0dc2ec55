"""Sharing with other accounts: a grant gives one account a role (viewer or editor) on a file or
folder and everything below it. Only the owner shares; the owner or the recipient can end a grant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from pcs_app.models import FOLDER, Grant, Node, ShareLink, User, looks_like_id

from .. import audit
from ..access import ROLES, Actor, Perm, account, check, check_node
from ..accounts import normalise_email
from ..content.versions import list_versions
from ..core import Core
from ..errors import Conflict, InvalidInput, NotFound
from ..notify import triggers
from ..tree.common import require_not_root
from ..tree.listing import ancestors, count_children
from ..tx import write_tx
from ..usage.ledger import Ledger
from .links import state_of

SHARED, UNSHARED = "shared", "unshared"  # change-feed kinds for the owner and the recipient


@dataclass(frozen=True)
class GrantView:
    grant: Grant
    node: Node
    email: str  # the recipient's (for the owner) or the owner's (for the recipient)


def _role(role: object) -> str:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}.")
    return str(role)


def share(core: Core, actor: Actor, node_id: object, email: object, role: object) -> GrantView:
    """Share an item with the account of ``email`` (or change its role if it is already shared)."""
    role_ = _role(role)
    email_n = normalise_email(email)
    with core.db.read() as s:
        owner = check_node(s, actor, node_id, Perm.MANAGE).owner_id
        to = s.exec(select(User).where(User.email == email_n)).first()
    if to is None or to.id is None:
        raise NotFound("There is no account with that email address.")
    if to.id == owner:
        raise Conflict("That is the owner's own account: it has everything already.")
    with write_tx(core, owner) as tx:
        node = check_node(tx.s, actor, node_id, Perm.MANAGE)
        require_not_root(node)
        grant = tx.s.exec(select(Grant).where(Grant.node_id == node.id, Grant.user_id == to.id)).first()
        new = grant is None
        if grant is None:
            grant = Grant(node_id=node.id, owner_id=node.owner_id, user_id=to.id, role=role_)
        grant.role = role_
        tx.s.add(grant)
        tx.s.flush()
        tx.record(node, SHARED, to=[to.id], sharers=False)
        _audit(tx.ledger, "grant.create" if new else "grant.update", node, to.email, role_)
        owner_email = tx.s.exec(select(User.email).where(User.id == node.owner_id)).one()
    if new:
        triggers.share_received(core, to, owner_email, node, role_)
    return GrantView(grant, node, to.email)


def _audit(ledger: Ledger, action: str, node: Node, email: str, role: str | None) -> None:
    ledger.note(audit.node_row(action, audit.who(), node, detail={"with": email, "role": role}))


def grants_on(core: Core, actor: Actor, node_id: object) -> list[GrantView]:
    """Who the item is shared with (for whoever may manage it)."""
    with core.db.read() as s:
        node = check_node(s, actor, node_id, Perm.MANAGE)
        rows = s.exec(
            select(Grant, User.email)
            .join(User, col(User.id) == col(Grant.user_id))
            .where(Grant.node_id == node.id)
            .order_by(col(User.email))
        ).all()
    return [GrantView(g, node, email) for g, email in rows]


def _load(core: Core, grant_id: object) -> Grant:
    with core.db.read() as s:
        grant = s.get(Grant, grant_id) if looks_like_id(grant_id) else None
    if grant is None:
        raise NotFound("No such share.")
    return grant


def change_role(core: Core, actor: Actor, grant_id: object, role: object) -> GrantView:
    """Make a recipient a viewer or an editor (the owner only)."""
    role_ = _role(role)
    grant = _load(core, grant_id)
    with write_tx(core, grant.owner_id) as tx:
        row = tx.s.get(Grant, grant.id)
        if row is None:
            raise NotFound("No such share.")
        node = _managed_or_missing(tx.s, actor, row)
        row.role = role_
        tx.s.add(row)
        tx.record(node, SHARED, to=[row.user_id], sharers=False)
        email = tx.s.exec(select(User.email).where(User.id == row.user_id)).one()
        _audit(tx.ledger, "grant.update", node, email, role_)
    return GrantView(row, node, email)


def _managed_or_missing(s: Session, actor: Actor, grant: Grant) -> Node:
    """The granted item, if ``actor`` may manage it (else NotFound/Forbidden from the gate)."""
    return check_node(s, actor, grant.node_id, Perm.MANAGE, allow_trashed=True)


def remove(core: Core, actor: Actor, grant_id: object) -> None:
    """End a share: the owner unshares, or the recipient leaves. Their views drop it at once."""
    grant = _load(core, grant_id)
    with write_tx(core, grant.owner_id) as tx:
        row = tx.s.get(Grant, grant.id)
        if row is None:
            raise NotFound("No such share.")
        user = account(actor)
        node = tx.s.get(Node, row.node_id)
        if node is None:
            raise NotFound("No such share.")
        if row.user_id != user.id:
            _managed_or_missing(tx.s, actor, row)
        tx.s.delete(row)
        tx.s.flush()
        tx.record(node, UNSHARED, to=[row.user_id], sharers=False)
        email = tx.s.exec(select(User.email).where(User.id == row.user_id)).one()
        _audit(tx.ledger, "grant.remove", node, email, None)


def shared_with(core: Core, user: User) -> list[GrantView]:
    """What others share with ``user``: each shared item with its owner's email, newest first."""
    with core.db.read() as s:
        rows = s.exec(
            select(Grant, Node, User.email)
            .join(Node, col(Node.id) == col(Grant.node_id))
            .join(User, col(User.id) == col(Grant.owner_id))
            .where(Grant.user_id == user.id, col(Node.trashed_at).is_(None))
            .order_by(col(Grant.created_at).desc())
        ).all()
    return [GrantView(g, n, email) for g, n, email in rows]


def marked(core: Core, user: User, nodes: Sequence[Node]) -> set[str]:
    """Which of these items of the user's own are shared: with someone, or by a live link (another
    account's items, seen through a grant, carry no marker: there is nothing to ask)."""
    node_ids = [n.id for n in nodes if n.owner_id == user.id]
    if not node_ids:
        return set()
    with core.db.read() as s:
        granted = s.exec(select(Grant.node_id).where(col(Grant.node_id).in_(node_ids), Grant.owner_id == user.id)).all()
        linked = s.exec(
            select(ShareLink.node_id).where(
                col(ShareLink.node_id).in_(node_ids), ShareLink.owner_id == user.id, col(ShareLink.revoked_at).is_(None)
            )
        ).all()
    return set(granted) | set(linked)


@dataclass(frozen=True)
class Details:
    """One item as the details panel shows it, as far as ``actor`` may see it."""

    node: Node
    path: list[Node]  # from the top the actor may see (their root, or the shared item) down to the item
    role: str  # the actor's: owner, editor or viewer
    owner: str  # the owner's email
    items: int | None  # a folder's live entries
    versions: int | None  # a file's versions, the current one included
    people: list[GrantView]  # who sees it, through a grant on it or on a folder above (its owner only)
    links: int  # active links to the item itself (its owner only)
    links_above: int  # active links to a folder above it, which open it too (its owner only)


def details(core: Core, actor: Actor, node_id: object) -> Details:
    """What an item is, where, how many entries or versions, and who else sees it: its owner learns
    who it is shared with and its active links; a recipient learns the owner and their own role."""
    user = account(actor)
    with core.db.read() as s:
        got = check(s, user, node_id, Perm.READ)
        owner = s.exec(select(User.email).where(User.id == got.node.owner_id)).one()
    node = got.node
    path = ancestors(core, user, node.id)
    items = count_children(core, user, node.id) if node.kind == FOLDER else None
    versions = None if node.kind == FOLDER else len(list_versions(core, user, node.id))
    people: list[GrantView] = []
    links = above = 0
    chain = list(reversed(path[1:]))  # the item, then each folder above it (a root is never shared)
    if got.allows(Perm.MANAGE) and chain:  # its owner, who may manage every folder above it too
        at = {n.id: i for i, n in enumerate(chain)}
        with core.db.read() as s:
            granted = s.exec(
                select(Grant, User.email)
                .join(User, col(User.id) == col(Grant.user_id))
                .where(col(Grant.node_id).in_(list(at)))
            ).all()
            linked = s.exec(
                select(ShareLink).where(col(ShareLink.node_id).in_(list(at)), col(ShareLink.revoked_at).is_(None))
            ).all()
        for g, email in sorted(granted, key=lambda r: (at[r[0].node_id], r[1])):
            people.append(GrantView(g, chain[at[g.node_id]], email))
        for link in linked:
            if state_of(link) == "active":
                links, above = (links + 1, above) if link.node_id == node.id else (links, above + 1)
    return Details(node, path, got.role, owner, items, versions, people, links, above)
