"""The details panel of one item: what it is, its size, dates and path, how many versions or entries,
and who else sees it (for its owner: the people and links it is shared with; for a recipient: the
owner and their own role). Only what the gate lets the user read."""

from __future__ import annotations

from datetime import UTC, datetime

import reflex as rx

from pcs_app.models import FOLDER, Change, User
from pcs_app.services import sharing
from pcs_app.services.errors import PCSError
from pcs_app.services.sharing import Details
from pcs_app.services.units import human_size

from .. import live
from ..format import count_of, when_exact
from .base import Events, core, run
from .selection import SelectionState

ROLE_NAMES = {"owner": "Owner", "editor": "Editor", "viewer": "Viewer"}
KEYS = (
    "name",
    "kind",
    "size",
    "created",
    "created_iso",
    "modified",
    "modified_iso",
    "path",
    "versions",
    "mine",
    "owner",
    "role",
    "links",
)


def details_view(d: Details, tz_offset: int = 0, now: datetime | None = None) -> dict[str, str]:
    """The panel's text, every value a string (blank: not shown)."""
    n, now = d.node, now or datetime.now(UTC)
    mine = d.role == "owner"
    names = [p.name or "My files" for p in d.path]
    path = " / ".join(names if mine else ["Shared with me", *names])
    if d.items is not None:
        size = count_of(d.items, "item") if d.items else "Empty folder"
    else:
        size = human_size(n.size) + ("" if n.size < 1024 else f" ({n.size:,} bytes)")
    links = count_of(d.links, "active link") if d.links else "No active links"
    if d.links_above:
        links += " · " + count_of(d.links_above, "more to a folder above", "more to folders above")
    return {
        "name": n.name,
        "kind": "Folder" if d.items is not None else (n.mime_type or "Unknown type"),
        "size": size,
        "created": when_exact(n.created_at, now, tz_offset),
        "created_iso": n.created_at.isoformat(),
        "modified": when_exact(n.modified_at, now, tz_offset),
        "modified_iso": n.modified_at.isoformat(),
        "path": path,
        "versions": "" if d.versions is None else str(d.versions),
        "mine": "1" if mine else "",
        "owner": d.owner,
        "role": ROLE_NAMES.get(d.role, d.role),
        "links": links if mine else "",
    }


def person_row(v: sharing.GrantView, node_id: str) -> dict[str, str]:
    """One account the item is shared with, and the folder it comes through when not the item."""
    via = "" if v.node.id == node_id else v.node.name
    return {"email": v.email, "role": ROLE_NAMES.get(v.grant.role, v.grant.role), "via": via}


class DetailsState(SelectionState):
    details_open: rx.Field[bool] = rx.field(False)
    details_id: rx.Field[str] = rx.field("")
    # Every key is always there (the component reads them all); people: who it is shared with.
    details: rx.Field[dict[str, str]] = rx.field(default_factory=lambda: dict.fromkeys(KEYS, ""))
    details_people: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    details_tz: rx.Field[int] = rx.field(0)
    _details_gen: int = 0  # bumped to stop the previous panel's live loop

    @rx.event
    def set_details_tz(self, minutes: int | str) -> None:
        """The browser's time zone (JavaScript's getTimezoneOffset), asked when the page mounts."""
        try:
            self.details_tz = int(minutes)
        except (TypeError, ValueError):
            self.details_tz = 0

    @rx.event
    def set_details_open(self, is_open: bool) -> None:
        self.details_open = is_open

    async def _details_of(self, user: User, target: str) -> tuple[dict[str, str], list[dict[str, str]]]:
        async with self:
            tz = self.details_tz
        d = await run(sharing.details, core(), user, target)
        return details_view(d, tz), [person_row(v, d.node.id) for v in d.people]

    @rx.event(background=True)
    async def open_details(self, item_id: str = "") -> Events:
        """Open the panel for ``item_id`` (or the one selected item), then follow the feed while it is
        open: a rename, a new version, a share or a link made in another tab or by a collaborator shows
        at once. An id the user may not read answers the gate's own error, as a toast."""
        async with self:
            one = len(self.selected) == 1 and not self.all_mode
            target = item_id or (self.selected[0] if one else "")
            self.details_id = target
            self._details_gen += 1
            gen, token = self._details_gen, self.router.session.client_token
        if not target:
            return
        user = await self._user()
        if user is None:
            return
        try:
            view, people = await self._details_of(user, target)
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        async with self:
            if self.details_id != target:
                return  # another item was asked for meanwhile
            self.details, self.details_people, self.details_open = view, people, True
        yield

        async def still() -> bool:
            async with self:
                return self._details_gen == gen and self.details_open and live.connected(token)

        async for page in live.follow(core(), user, still):
            if not any(_touches(c, target) for c in page.changes):
                continue
            try:
                view, people = await self._details_of(user, target)
            except PCSError:  # gone (trashed, deleted, unshared): the panel has nothing left to show
                async with self:
                    mine = self._details_gen == gen
                    if mine:
                        self.details_open = False
                if mine:
                    yield rx.toast.info(f"“{view['name']}” is no longer there.")
                return
            async with self:
                if self._details_gen != gen:
                    return
                self.details, self.details_people = view, people
            yield


def _touches(c: Change, target: str) -> bool:
    """Whether a change can alter the panel of ``target``: the item itself, an entry of it (a folder's
    count), a folder's rename or move (the path), or any share or link (people and links come through
    folders above too)."""
    return (
        c.node_id == target
        or c.parent_id == target
        or (c.node_kind == FOLDER and c.kind in ("renamed", "moved"))
        or c.kind in (sharing.SHARED, sharing.UNSHARED, sharing.LINK_CHANGE)
    )
