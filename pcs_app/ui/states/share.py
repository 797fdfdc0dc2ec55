"""The Share dialog: links (create, copy, change, revoke; counts update live) and people (share by
email as viewer or editor, change the role, remove)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import reflex as rx

from pcs_app.models import User
from pcs_app.services import sharing
from pcs_app.services.errors import PCSError
from pcs_app.services.sharing import GrantView, LinkView

from .. import live
from ..format import when
from .base import Events, core, run
from .selection import SelectionState

LINK_FIELDS = ("expires", "password", "max_downloads", "upload_only")


def link_row(v: LinkView) -> dict[str, str]:
    link = v.link
    limit = f" of {link.max_downloads}" if link.max_downloads is not None else ""
    return {
        "id": link.id,
        "url": v.url,
        "state": v.state,
        "expires": f"expires {when(link.expires_at)}" if link.expires_at else "never expires",
        "expires_iso": link.expires_at.isoformat() if link.expires_at else "",
        "password": "1" if link.password_hash else "",
        "downloads": f"{link.downloads}{limit} download{'' if link.downloads == 1 and not limit else 's'}",
        "last_access": f"last opened {when(link.last_access_at)}" if link.last_access_at else "not opened yet",
        "upload_only": "1" if link.upload_only else "",
        "max_downloads": str(link.max_downloads or ""),
    }


def person_row(v: GrantView) -> dict[str, str]:
    return {"id": v.grant.id, "email": v.email, "role": v.grant.role}


def parse_expiry(local: str, tz_offset_minutes: int) -> datetime | None:
    """A browser's datetime-local value ('2026-12-01T14:30') in its time zone, as UTC."""
    if not local:
        return None
    try:
        naive = datetime.fromisoformat(local)
    except ValueError as e:
        raise PCSError("Choose the expiry date and time again.") from e
    return naive.replace(tzinfo=UTC) + timedelta(minutes=tz_offset_minutes)


class ShareState(SelectionState):
    share_open: rx.Field[bool] = rx.field(False)
    share_id: rx.Field[str] = rx.field("")
    share_name: rx.Field[str] = rx.field("")
    share_is_folder: rx.Field[bool] = rx.field(False)
    links: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    people: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    editing_link: rx.Field[str] = rx.field("")  # the link whose options the form changes ("" = a new one)
    link_form: rx.Field[dict[str, str]] = rx.field(default_factory=lambda: dict.fromkeys(LINK_FIELDS, ""))
    link_error: rx.Field[str] = rx.field("")
    person_error: rx.Field[str] = rx.field("")
    tz_offset: rx.Field[int] = rx.field(0)
    _share_gen: int = 0

    @rx.event
    def set_tz_offset(self, minutes: int | str) -> None:
        try:
            self.tz_offset = int(minutes)
        except (TypeError, ValueError):
            self.tz_offset = 0

    @rx.event
    def open_share(self, item_id: str = "") -> Any:
        target = item_id or (self.selected[0] if len(self.selected) == 1 else "")
        it = self.item(target)
        if it is None:
            return None
        self.share_id, self.share_name, self.share_is_folder = target, str(it["name"]), it["kind"] == "folder"
        self.share_open, self.link_error, self.person_error, self.editing_link = True, "", "", ""
        self.link_form = dict.fromkeys(LINK_FIELDS, "")
        self.links, self.people = [], []
        return [
            rx.call_script("new Date().getTimezoneOffset()", callback=ShareState.set_tz_offset),
            ShareState.share_live,
        ]

    @rx.event
    def set_share_open(self, is_open: bool) -> None:
        self.share_open = is_open
        if not is_open:
            self._share_gen += 1  # ends the dialog's live loop

    async def _reload(self, user: User) -> None:
        async with self:
            node_id = self.share_id
        try:
            links = await run(sharing.links_of, core(), user, node_id)
            people = await run(sharing.grants_on, core(), user, node_id)
        except PCSError as e:
            async with self:
                self.link_error = e.message
            return
        async with self:
            if self.share_id == node_id:
                self.links = [link_row(v) for v in links]
                self.people = [person_row(v) for v in people]

    @rx.event(background=True)
    async def share_live(self) -> Events:
        """While the dialog is open: load it, then follow the feed so counts and people stay current."""
        async with self:
            self._share_gen += 1
            gen, token, node_id = self._share_gen, self.router.session.client_token, self.share_id
        user = await self._user()
        if user is None:
            return
        await self._reload(user)
        yield

        async def still() -> bool:
            async with self:
                return self._share_gen == gen and self.share_open and live.connected(token)

        async for page in live.follow(core(), user, still):
            if any(c.node_id == node_id for c in page.changes):
                await self._reload(user)
                yield

    # -- links -------------------------------------------------------------------------------
    @rx.event
    def edit_link(self, link_id: str) -> None:
        row = next((r for r in self.links if r["id"] == link_id), None)
        if row is None:
            return
        self.editing_link, self.link_error = link_id, ""
        # Dates are shown in the browser's own zone; the form edits everything but the password.
        local = ""
        if row["expires_iso"]:
            utc = datetime.fromisoformat(row["expires_iso"])
            local = (utc - timedelta(minutes=self.tz_offset)).strftime("%Y-%m-%dT%H:%M")
        self.link_form = {
            "expires": local,
            "password": "",
            "max_downloads": row["max_downloads"],
            "upload_only": row["upload_only"],
        }

    @rx.event
    def new_link_form(self) -> None:
        self.editing_link, self.link_error = "", ""
        self.link_form = dict.fromkeys(LINK_FIELDS, "")

    @rx.event(background=True)
    async def save_link(self, form: dict[str, Any]) -> Events:
        """Create a link, or change the one being edited, from the form."""
        async with self:
            node_id, editing, tz = self.share_id, self.editing_link, self.tz_offset
        user = await self._user()
        if user is None:
            return
        try:
            expires = parse_expiry(str(form.get("expires") or ""), tz)
            limit_text = str(form.get("max_downloads") or "").strip()
            if limit_text and not limit_text.isdigit():
                raise PCSError("The download limit is a whole number.")
            limit = int(limit_text) if limit_text else None
            password = str(form.get("password") or "") or None
            drop = bool(form.get("upload_only"))
            if editing:
                options: dict[str, Any] = {"expires_at": expires, "max_downloads": limit, "upload_only": drop}
                if password:
                    options["password"] = password
                await run(sharing.update_link, core(), user, editing, **options)
            else:
                made = await run(
                    sharing.create_link,
                    core(),
                    user,
                    node_id,
                    expires_at=expires,
                    password=password,
                    max_downloads=limit,
                    upload_only=drop,
                )
                yield rx.set_clipboard(made.url)
                yield rx.toast.success("Link created and copied")
        except PCSError as e:
            async with self:
                self.link_error = e.message
            return
        async with self:
            self.editing_link, self.link_error = "", ""
            self.link_form = dict.fromkeys(LINK_FIELDS, "")
        await self._reload(user)

    @rx.event(background=True)
    async def drop_password(self, link_id: str) -> Events:
        user = await self._user()
        if user is None:
            return
        try:
            await run(sharing.update_link, core(), user, link_id, password=None)
        except PCSError as e:
            yield rx.toast.error(e.message)
        await self._reload(user)

    @rx.event(background=True)
    async def revoke(self, link_id: str) -> Events:
        user = await self._user()
        if user is None:
            return
        try:
            await run(sharing.revoke_link, core(), user, link_id)
        except PCSError as e:
            yield rx.toast.error(e.message)
        await self._reload(user)
        yield rx.toast.success("Link revoked: it no longer opens anything")

    # -- people ------------------------------------------------------------------------------
    @rx.event(background=True)
    async def add_person(self, form: dict[str, Any]) -> Events:
        async with self:
            node_id = self.share_id
        user = await self._user()
        if user is None:
            return
        try:
            await run(
                sharing.share, core(), user, node_id, str(form.get("email") or "").strip(), form.get("role") or "viewer"
            )
        except PCSError as e:
            async with self:
                self.person_error = e.message
            return
        async with self:
            self.person_error = ""
        await self._reload(user)
        yield rx.toast.success("Shared")

    @rx.event(background=True)
    async def set_role(self, grant_id: str, role: str) -> Events:
        user = await self._user()
        if user is None:
            return
        try:
            await run(sharing.change_role, core(), user, grant_id, role)
        except PCSError as e:
            yield rx.toast.error(e.message)
        await self._reload(user)

    @rx.event(background=True)
    async def remove_person(self, grant_id: str) -> Events:
        user = await self._user()
        if user is None:
            return
        try:
            await run(sharing.remove, core(), user, grant_id)
        except PCSError as e:
            yield rx.toast.error(e.message)
        await self._reload(user)
