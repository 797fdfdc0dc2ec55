"""A file's version history: every version with its time, size and author; preview, download,
restore, pin and delete one; kept current live while the panel is open."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import reflex as rx

from pcs_app.models import User
from pcs_app.services import content
from pcs_app.services.content import VersionEntry
from pcs_app.services.errors import PCSError
from pcs_app.services.mime import preview_kind
from pcs_app.services.units import human_size

from .. import live, markdown
from ..format import icon_for, version_url, when_exact
from .base import Events, core, run
from .selection import SelectionState

VIEW_KEYS = ("id", "when", "size", "preview", "mime", "href", "inline", "icon", "current")
TEXT_PREVIEW_BYTES = 64 * 1024  # as much as the file preview shows
RESTORED_TOAST = "Restored — the previous content is kept as a version"


def version_row(e: VersionEntry, node_id: str, tz_offset: int = 0, now: datetime | None = None) -> dict[str, str]:
    """One version as the string-only dict the panel renders."""
    v = e.version
    return {
        "id": str(v.id),
        "when": when_exact(v.created_at, now or datetime.now(UTC), tz_offset),
        "when_iso": v.created_at.isoformat(),
        "size": human_size(v.size),
        "author": e.author or "a visitor through a share link",
        "current": "1" if e.current else "",
        "pinned": "1" if v.pinned else "",
        "preview": preview_kind(v.mime_type),
        "mime": v.mime_type or "",
        "icon": icon_for("file", v.mime_type),
        "href": version_url(node_id, v.id),
        "inline": version_url(node_id, v.id, inline=True),
    }


def read_version_head(user: User, node_id: str, version_id: int) -> bytes:
    """The first bytes of one version, for a text preview (blocking: call in a thread)."""
    return content.read_head(core(), user, node_id, TEXT_PREVIEW_BYTES, version_id)[1]


class HistoryState(SelectionState):
    history_open: rx.Field[bool] = rx.field(False)
    history_id: rx.Field[str] = rx.field("")
    history_name: rx.Field[str] = rx.field("")
    versions: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    history_loading: rx.Field[bool] = rx.field(False)
    history_error: rx.Field[str] = rx.field("")
    # The version shown in the panel's preview ("" id: the list is shown); every key stays present.
    viewing: rx.Field[dict[str, str]] = rx.field(default_factory=lambda: dict.fromkeys(VIEW_KEYS, ""))
    viewing_text: rx.Field[str] = rx.field("")
    viewing_html: rx.Field[str] = rx.field("")  # a Markdown version's start, rendered (ui/markdown.py)
    confirm: rx.Field[str] = rx.field("")  # "", "restore" or "delete"
    confirm_version: rx.Field[dict[str, str]] = rx.field(default_factory=lambda: {"id": "", "when": ""})
    history_tz: rx.Field[int] = rx.field(0)
    _history_gen: int = 0

    @rx.var
    def history_count(self) -> int:
        return len(self.versions)

    @rx.event
    def open_history(self, item_id: str = "") -> Any:
        """Open the panel for ``item_id`` (or the one selected file)."""
        target = item_id or (self.selected[0] if len(self.selected) == 1 else "")
        it = self.item(target)
        if it is None or it["kind"] == "folder":
            return None
        self.history_id, self.history_name = target, str(it["name"])
        self.history_open, self.history_loading, self.history_error = True, True, ""
        self.versions, self.confirm = [], ""
        self.viewing, self.viewing_text, self.viewing_html = dict.fromkeys(VIEW_KEYS, ""), "", ""
        return rx.call_script("new Date().getTimezoneOffset()", callback=HistoryState.start_history)

    @rx.event
    def set_history_open(self, is_open: bool) -> None:
        self.history_open = is_open
        if not is_open:
            self._history_gen += 1  # ends the panel's live loop
            self.confirm = ""

    async def _reload(self, user: User) -> None:
        async with self:
            node_id, tz = self.history_id, self.history_tz
        try:
            entries = await run(content.history, core(), user, node_id)
        except PCSError as e:
            async with self:
                if self.history_id == node_id:
                    self.history_error, self.history_loading = e.message, False
            return
        now = datetime.now(UTC)
        fresh = [version_row(e, node_id, tz, now) for e in entries]
        async with self:
            if self.history_id == node_id:
                self.versions, self.history_loading, self.history_error = fresh, False, ""
                if self.viewing["id"] and not any(r["id"] == self.viewing["id"] for r in fresh):
                    self.viewing = dict.fromkeys(VIEW_KEYS, "")  # the version shown was deleted

    @rx.event(background=True)
    async def start_history(self, tz_offset: int | str = 0) -> Events:
        """Load the panel, then follow the feed: another tab's upload (or a restore) shows up at once."""
        async with self:
            try:
                self.history_tz = int(tz_offset)
            except (TypeError, ValueError):
                self.history_tz = 0
            self._history_gen += 1
            gen, token, node_id = self._history_gen, self.router.session.client_token, self.history_id
        user = await self._user()
        if user is None:
            return
        await self._reload(user)
        yield

        async def still() -> bool:
            async with self:
                return self._history_gen == gen and self.history_open and live.connected(token)

        async for page in live.follow(core(), user, still):
            if any(c.node_id == node_id for c in page.changes):
                await self._reload(user)
                yield

    # -- one version ---------------------------------------------------------------------------
    def _version(self, version_id: str) -> dict[str, str] | None:
        return next((v for v in self.versions if v["id"] == version_id), None)

    @rx.event(background=True)
    async def view_version(self, version_id: str) -> Events:
        """Show one version inline (text: its first 64 KiB) in the panel."""
        async with self:
            row = self._version(version_id)
            if row is None:
                return
            self.viewing = {k: row.get(k, "") for k in VIEW_KEYS}
            self.viewing_text, self.viewing_html = "", ""
            node_id = self.history_id
        if row["preview"] != "text":
            return
        user = await self._user()
        if user is None:
            return
        try:
            head = await run(read_version_head, user, node_id, int(version_id))
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        text, html = await run(markdown.text_preview, head, row["mime"])
        async with self:
            if self.viewing["id"] == version_id:
                self.viewing_text, self.viewing_html = text, html

    @rx.event
    def back_to_list(self) -> None:
        self.viewing, self.viewing_text, self.viewing_html = dict.fromkeys(VIEW_KEYS, ""), "", ""

    @rx.event
    def ask(self, kind: str, version_id: str) -> None:
        """Ask before a restore or a delete."""
        row = self._version(version_id)
        if row is None or kind not in ("restore", "delete"):
            return
        self.confirm, self.confirm_version = kind, {"id": row["id"], "when": row["when"]}

    @rx.event
    def set_confirm_open(self, is_open: bool) -> None:
        if not is_open:
            self.confirm = ""

    @rx.event(background=True)
    async def confirmed(self) -> Events:
        async with self:
            kind, node_id, vid = self.confirm, self.history_id, self.confirm_version["id"]
            self.confirm = ""
        user = await self._user()
        if user is None or not vid:
            return
        try:
            if kind == "restore":
                await run(content.restore_version, core(), user, node_id, int(vid))
            elif kind == "delete":
                await run(content.delete_version, core(), user, node_id, int(vid))
            else:
                return
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        async with self:
            self.viewing, self.viewing_text, self.viewing_html = dict.fromkeys(VIEW_KEYS, ""), "", ""
        await self._reload(user)
        yield rx.toast.success(RESTORED_TOAST if kind == "restore" else "Version deleted")

    @rx.event(background=True)
    async def toggle_pin(self, version_id: str) -> Events:
        async with self:
            row, node_id = self._version(version_id), self.history_id
        user = await self._user()
        if user is None or row is None:
            return
        try:
            await run(content.pin_version, core(), user, node_id, int(version_id), not row["pinned"])
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        await self._reload(user)
        yield rx.toast.success("Pinned: this version is kept" if not row["pinned"] else "Unpinned")
