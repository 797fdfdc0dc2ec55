"""Which mails an account gets: every kind is on until its owner turns it off (stored as opt-outs)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete
from sqlmodel import col, select

from pcs_app.models import NotifyOptOut, User

from .. import audit
from ..core import Core
from ..errors import Forbidden, InvalidInput

# kind -> what it is, as the Settings page says it.
KINDS: dict[str, str] = {
    "share_received": "Someone shares a file or folder with me",
    "link_downloaded": "A share link of mine is downloaded for the first time (links with that option)",
    "file_dropped": "Someone adds a file to one of my file drops",
    "quota": "My storage reaches 80% or 100% of my quota",
    "new_sign_in": "My account is signed in to from a new device or address",
}


def _user(actor: object) -> User:
    if not isinstance(actor, User) or actor.id is None:
        raise Forbidden("This needs an account: sign in first.")
    return actor


def preferences(core: Core, actor: object) -> dict[str, bool]:
    """Every kind of mail, and whether the account gets it."""
    user = _user(actor)
    with core.db.read() as s:
        off = set(s.exec(select(NotifyOptOut.kind).where(NotifyOptOut.user_id == user.id)).all())
    return {kind: kind not in off for kind in KINDS}


def set_preferences(core: Core, actor: object, changes: Mapping[str, object]) -> dict[str, bool]:
    """Turn kinds on (True) or off (False); kinds not named stay as they are. Returns them all."""
    user = _user(actor)
    for kind, on in changes.items():
        if kind not in KINDS:
            raise InvalidInput(f"Unknown kind of mail {kind!r}; known: {', '.join(KINDS)}.")
        if not isinstance(on, bool):
            raise InvalidInput(f"{kind} must be true or false.")
    with core.db.write() as s:
        if changes:
            s.exec(
                delete(NotifyOptOut).where(col(NotifyOptOut.user_id) == user.id, col(NotifyOptOut.kind).in_(changes))
            )
        for kind, on in changes.items():
            if not on:
                s.add(NotifyOptOut(user_id=user.id or 0, kind=kind))
    audit.record_now(
        core,
        "notify.preferences",
        user,
        target_type="account",
        target=user.email,
        owner_id=user.id,
        detail={k: bool(v) for k, v in changes.items()},
    )
    return preferences(core, user)


def wants(core: Core, user_id: int, kind: str) -> bool:
    with core.db.read() as s:
        return s.get(NotifyOptOut, (user_id, kind)) is None
