"""Using a share link, signed out: open it, unlock it, browse and download inside it, drop files.

Unknown tokens are 'not found'; revoked, expired and used-up links are all the same 'gone' and say
nothing of what they held. What a visitor may see is decided by the one gate (services/access.py)
with a LinkVisitor actor: the linked item and what is below it, never above.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import col, select, update

from pcs_app.models import FOLDER, Node, ShareLink, utcnow

from .. import archive, audit, content, tree
from ..access import LinkVisitor
from ..accounts import throttle
from ..core import Core
from ..errors import Conflict, Gone, NotFound, PasswordRequired, QuotaExceeded, Throttled, Unauthorized
from ..notify import triggers
from ..tx import write_tx
from .links import LINK_CHANGE, state_of
from .tokens import ACCESS_TTL_SECONDS, access_ok, access_token, looks_like_token, token_hash

_hasher = PasswordHasher()
TOUCH_EVERY = timedelta(seconds=60)  # last access is written at most this often per link


@dataclass(frozen=True)
class Unlocked:
    access_token: str
    expires_in: int


def open_link(core: Core, token: object) -> ShareLink:
    """The live link behind ``token``: NotFound if none, Gone if revoked, expired or used up."""
    link = None
    if looks_like_token(token):
        with core.db.read() as s:
            link = s.exec(select(ShareLink).where(ShareLink.token_hash == token_hash(str(token)))).first()
    if link is None:
        raise NotFound("No such link.")
    if state_of(link) != "active":
        raise Gone("This link is no longer available.")
    return link


def visitor(core: Core, token: object, access: object = None) -> LinkVisitor:
    """Whoever holds ``token`` (and, for a password link, a live access token from ``unlock``)."""
    return admit(core, open_link(core, token), access)


def admit(core: Core, link: ShareLink, access: object = None) -> LinkVisitor:
    """A visitor of this live link, if it has no password or ``access`` unlocks it."""
    if link.password_hash is not None and not access_ok(core, link, access):
        raise PasswordRequired("This link needs its password.")
    audit.as_link(link)  # this request's audit events are the link's
    return LinkVisitor(link)


def unlock(core: Core, token: object, password: object, client_ip: str | None) -> Unlocked:
    """Check a password link's password (throttled per link and per address); an access token."""
    link = open_link(core, token)
    if link.password_hash is None:
        return Unlocked(access_token(core, link), ACCESS_TTL_SECONDS)
    keys = throttle.SignInKeys(
        pair=f"lpair:{link.id}|{throttle.address_hash(core, client_ip or '')}",
        account=f"link:{link.id}",
        address=f"ip:{throttle.address_hash(core, client_ip)}" if client_ip else None,
    )
    try:
        throttle.check_sign_in(core, keys, known=False)
    except Throttled:
        _audit(core, "link.unlock", link, "throttled")
        raise
    try:
        ok = isinstance(password, str) and len(password) <= 1024 and _hasher.verify(link.password_hash, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        throttle.record_failure(core, keys)
        _audit(core, "link.unlock", link, "failed")
        raise Unauthorized("Wrong password.")
    _audit(core, "link.unlock", link, "ok")
    return Unlocked(access_token(core, link), ACCESS_TTL_SECONDS)


def _audit(core: Core, action: str, link: ShareLink, outcome: str = "ok") -> None:
    audit.record(
        core,
        action,
        audit.who(),
        outcome=outcome,
        target_type="link",
        target_id=link.id,
        owner_id=link.owner_id,
        detail={"node": link.node_id},
    )


def touch(core: Core, link: ShareLink) -> None:
    """Note that the link was used (at most once a minute: reads stay reads)."""
    now = utcnow()
    if link.last_access_at is not None and now - link.last_access_at < TOUCH_EVERY:
        return
    with write_tx(core, link.owner_id) as tx:
        tx.s.exec(update(ShareLink).where(col(ShareLink.id) == link.id).values(last_access_at=now))
        node = tx.s.get(Node, link.node_id)
        if node is not None:
            tx.record(node, LINK_CHANGE, sharers=False)


def count_download(core: Core, link: ShareLink) -> None:
    """Count one download; Gone when the limit was already reached (the last allowed one succeeds)."""
    with write_tx(core, link.owner_id) as tx:
        done = tx.s.exec(
            update(ShareLink)
            .where(
                col(ShareLink.id) == link.id,
                col(ShareLink.revoked_at).is_(None),
                (col(ShareLink.max_downloads).is_(None)) | (col(ShareLink.downloads) < col(ShareLink.max_downloads)),
            )
            .values(downloads=col(ShareLink.downloads) + 1, last_access_at=utcnow())
            .returning(col(ShareLink.downloads), col(ShareLink.notify_downloads))
        ).first()
        if done is None:
            raise Gone("This link is no longer available.")
        node = tx.s.get(Node, link.node_id)
        if node is not None:
            tx.record(node, LINK_CHANGE, sharers=False)
    if done[0] == 1 and done[1]:  # the first download, and its owner asked to hear of it
        triggers.link_downloaded(core, link)


def item(core: Core, guest: LinkVisitor) -> Node:
    """The linked file or folder (a file drop shows only that it is a folder that takes files)."""
    touch(core, guest.link)
    with core.db.read() as s:
        node = s.get(Node, guest.link.node_id)
    if node is None or node.trashed_at is not None:
        raise Gone("This link is no longer available.")
    _audit(core, "link.access", guest.link)
    return node


def children(
    core: Core, guest: LinkVisitor, parent_id: object = None, *, cursor: str | None = None, limit: int = 200
) -> tree.Page:
    """A page of the linked folder, or of a folder inside it."""
    return tree.list_children(core, guest, parent_id or guest.link.node_id, cursor=cursor, limit=limit)


def path(core: Core, guest: LinkVisitor, node_id: object) -> list[Node]:
    """From the linked item down to ``node_id`` (breadcrumbs inside a shared folder)."""
    return tree.ancestors(core, guest, node_id)


def download(core: Core, guest: LinkVisitor, node_id: object = None, *, counts: bool = True) -> content.Download:
    """A file of the link (the linked file itself by default); ``counts``: a new download, not a resume."""
    dl = content.open_download(core, guest, node_id or guest.link.node_id)
    if counts:
        count_download(core, guest.link)
    return dl


def zip_of(core: Core, guest: LinkVisitor) -> archive.Archive:
    """The linked folder as one zip (one download)."""
    with core.db.read() as s:
        node = s.get(Node, guest.link.node_id)
    if node is not None and node.kind != FOLDER:
        raise Conflict("This link is to a file: download the file itself.")
    arc = archive.build(core, guest, [guest.link.node_id])
    count_download(core, guest.link)
    return arc


def drop(core: Core, guest: LinkVisitor, name: object, chunks: Iterable[bytes], size: int | None = None) -> Node:
    """Add a file to a file-drop link's folder: a taken name gets a number, nothing is overwritten."""
    try:
        node = content.upload(core, guest, guest.link.node_id, name, chunks, size=size, on_conflict="rename")
    except QuotaExceeded:
        # The owner's numbers are not the visitor's business.
        raise QuotaExceeded("This file drop is full: its owner's storage has no room for the file.") from None
    touch(core, guest.link)
    triggers.file_dropped(core, guest.link, node)
    return node
