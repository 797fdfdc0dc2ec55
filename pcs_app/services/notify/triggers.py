"""When PCS mails someone: each function renders one kind of mail and queues it, unless its
recipient turned that kind off. None of them ever fails the action that caused it."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec

from pcs_app.models import FOLDER, Node, ShareLink, User, utcnow

from ..core import Core
from . import outbox, templates
from .prefs import wants

log = logging.getLogger(__name__)
P = ParamSpec("P")


def _never_fails(fn: Callable[P, None]) -> Callable[P, None]:
    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            fn(*args, **kwargs)
        except Exception:  # the share, download or upload happened; a missing mail is logged
            log.exception("could not queue the %s mail", fn.__name__)

    return run


def _account(core: Core, user_id: int) -> User | None:
    with core.db.read() as s:
        return s.get(User, user_id)


def _base(core: Core) -> str:
    return core.settings.effective_public_url


@_never_fails
def share_received(core: Core, to: User, owner_email: str, node: Node, role: str) -> None:
    """``owner_email`` shared ``node`` with ``to``."""
    if to.id is None or not wants(core, to.id, "share_received"):
        return
    folder = node.id if node.kind == FOLDER else None
    msg = templates.share_received(_base(core), owner_email, node.name, role, folder)
    outbox.queue(core, to=to.email, kind="share_received", message=msg, user_id=to.id)


@_never_fails
def link_downloaded(core: Core, link: ShareLink) -> None:
    """The link's first download (the caller checked that its owner asked to hear of it)."""
    if not wants(core, link.owner_id, "link_downloaded"):
        return
    with core.db.read() as s:
        node, owner = s.get(Node, link.node_id), s.get(User, link.owner_id)
    if node is None or owner is None:
        return
    folder = node.id if node.kind == FOLDER else (node.parent_id or "")
    msg = templates.link_downloaded(_base(core), node.name, folder)
    outbox.queue(core, to=owner.email, kind="link_downloaded", message=msg, user_id=owner.id)


@_never_fails
def file_dropped(core: Core, link: ShareLink, node: Node) -> None:
    """A visitor added ``node`` to the link's file drop."""
    if not wants(core, link.owner_id, "file_dropped"):
        return
    with core.db.read() as s:
        folder, owner = s.get(Node, link.node_id), s.get(User, link.owner_id)
    if folder is None or owner is None:
        return
    msg = templates.file_dropped(_base(core), node.name, node.size, folder.name, folder.id)
    outbox.queue(core, to=owner.email, kind="file_dropped", message=msg, user_id=owner.id)


@_never_fails
def quota_reached(core: Core, user_id: int, level: int, used: int, quota: int) -> None:
    """The account's usage just crossed ``level`` percent of its quota."""
    user = _account(core, user_id)
    if user is None or not wants(core, user_id, "quota"):
        return
    msg = templates.quota_reached(_base(core), level, used, quota)
    outbox.queue(core, to=user.email, kind="quota", message=msg, user_id=user_id)


@_never_fails
def new_sign_in(core: Core, user: User, device: str, address: str | None) -> None:
    """A sign-in from a device or address the account never signed in from before."""
    if user.id is None or not wants(core, user.id, "new_sign_in"):
        return
    when = utcnow().strftime("%Y-%m-%d %H:%M UTC")
    msg = templates.new_sign_in(_base(core), user.email, device, address, when)
    outbox.queue(core, to=user.email, kind="new_sign_in", message=msg, user_id=user.id)


def password_reset(core: Core, user: User, token: str) -> None:
    """The single-use reset link (always sent: it cannot be turned off)."""
    msg = templates.password_reset(_base(core), user.email, token, core.settings.password_reset_minutes)
    outbox.queue(core, to=user.email, kind="password_reset", message=msg, user_id=user.id)
