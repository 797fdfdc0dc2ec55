"""The Trash page: what was deleted, from where and when, a page at a time; restore, delete for good,
empty; kept current live (items trashed in another tab appear)."""

from __future__ import annotations

from datetime import UTC, datetime

import reflex as rx

from pcs_app.models import FOLDER, Node, User, kind_name
from pcs_app.services import accounts, changes, tree
from pcs_app.services.errors import PCSError
from pcs_app.services.tree import BulkResult
from pcs_app.services.units import human_size

from .. import live, routes
from ..format import count_of, icon_for, when
from .base import AuthState, Events, core, run

PAGE = 50  # the first page is all a visit reads, however big the trash
TRASH_KINDS = ("trashed", "restored", "deleted")


def trash_row(n: Node, now: datetime | None = None) -> dict[str, str]:
    src = n.trashed_from or "/"
    deleted = n.trashed_at or n.modified_at
    return {
        "id": n.id,
        "name": n.name,
        "kind": kind_name(n.kind),
        "icon": icon_for(n.kind, n.mime_type),
        "from": "My files" if src == "/" else "My files" + src,
        "deleted": when(deleted, now),
        "deleted_iso": deleted.isoformat(),
        "size": "—" if n.kind == FOLDER else human_size(n.size),
    }


def restore_summary(result: BulkResult, rows: dict[str, dict[str, str]]) -> tuple[str, str]:
    """A toast for a restore: (level, text); says where one item went and which came back renamed
    (a name taken in the meantime gives 'name (restored)')."""
    done, failed = result.done, result.failed
    renamed = [
        (rows[o.id]["name"], o.node.name)
        for o in done
        if o.node is not None and o.id in rows and o.node.name != rows[o.id]["name"]
    ]
    if len(done) == 1 and done[0].id in rows:
        row = rows[done[0].id]
        text = f"Restored “{row['name']}” to {row['from']}"
        if renamed:
            text += f" as “{renamed[0][1]}” (the name was taken)"
    elif done:
        text = f"Restored {count_of(len(done), 'item')}"
        if renamed:
            text += f"; {count_of(len(renamed), 'item')} under a new name, e.g. “{renamed[0][1]}”"
    else:
        text = ""
    if failed:
        first = failed[0].error.message if failed[0].error else ""
        text = "; ".join(t for t in (text, f"{count_of(len(failed), 'item')} failed: {first}") if t)
    return ("error" if failed else "success"), text or "Nothing to restore"


class TrashState(AuthState):
    trash: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    trash_cursor: rx.Field[str] = rx.field("")
    trash_loading: rx.Field[bool] = rx.field(True)
    trash_selected: rx.Field[list[str]] = rx.field(default_factory=list)
    trash_confirm: rx.Field[str] = rx.field("")  # "", "delete" (the selection) or "empty"
    empty_summary: rx.Field[str] = rx.field("")
    trash_busy: rx.Field[bool] = rx.field(False)
    trash_days: rx.Field[int] = rx.field(30)
    _trash_gen: int = 0

    @rx.var
    def trash_selected_count(self) -> int:
        return len(self.trash_selected)

    @rx.var
    def trash_all_selected(self) -> bool:
        return bool(self.trash) and len(self.trash_selected) == len(self.trash)

    @rx.var
    def delete_title(self) -> str:
        """The delete-for-good question: the item's name, or how many."""
        if len(self.trash_selected) == 1:
            name = next((r["name"] for r in self.trash if r["id"] == self.trash_selected[0]), "")
            if name:
                return f"Delete “{name}” for good?"
        return f"Delete {count_of(len(self.trash_selected), 'item')} for good?"

    @rx.var
    def trash_shown(self) -> str:
        """'12 items' (everything) or '50 shown' (more pages to load)."""
        n = len(self.trash)
        return f"{n:,} shown, more below" if self.trash_cursor else count_of(n, "item")

    async def _reload(self, user: User) -> None:
        """Read the trash again from the top (as many rows as are shown), keeping the selection."""
        async with self:
            shown = len(self.trash)
        limit = min(max(PAGE, shown), core().settings.list_page_max)
        page = await run(tree.list_trash, core(), user, limit=limit)
        fresh = await run(accounts.get_user, core(), user.id)
        now = datetime.now(UTC)
        rows = [trash_row(n, now) for n in page.items]
        async with self:
            ids = {r["id"] for r in rows}
            self.trash, self.trash_cursor, self.trash_loading = rows, page.next_cursor or "", False
            self.trash_selected = [i for i in self.trash_selected if i in ids]
            self._show_usage(fresh)

    @rx.event(background=True)
    async def load_trash(self) -> Events:
        """on_load: the first page only, then follow the feed."""
        async with self:
            self.trash_loading, self.trash, self.trash_selected, self.trash_confirm = True, [], [], ""
            self._trash_gen += 1
            gen, token = self._trash_gen, self.router.session.client_token
        user = await self._user()
        if user is None:
            yield rx.redirect(routes.LOGIN)
            return
        async with self:
            self.email, self.root_id, self.is_admin = user.email, user.root_id or "", user.is_admin
            self.trash_days = core().settings.trash_days
        await self._reload(user)
        yield
        cursor = await run(changes.current_cursor, core(), user)
        while True:
            page = await changes.wait_for_changes(core(), user, cursor, timeout=25)
            async with self:
                if self._trash_gen != gen or not live.connected(token):
                    return
            cursor = page.cursor
            if any(c.kind in TRASH_KINDS for c in page.changes):
                await self._reload(user)
                yield

    @rx.event(background=True)
    async def more_trash(self) -> Events:
        async with self:
            cursor = self.trash_cursor
        user = await self._user()
        if user is None or not cursor:
            return
        try:
            page = await run(tree.list_trash, core(), user, limit=PAGE, cursor=cursor)
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        now = datetime.now(UTC)
        async with self:
            if self.trash_cursor == cursor:
                seen = {r["id"] for r in self.trash}
                self.trash = self.trash + [trash_row(n, now) for n in page.items if n.id not in seen]
                self.trash_cursor = page.next_cursor or ""
        yield

    # -- selection -----------------------------------------------------------------------------
    @rx.event
    def toggle_trash(self, item_id: str) -> None:
        if item_id in self.trash_selected:
            self.trash_selected = [s for s in self.trash_selected if s != item_id]
        else:
            self.trash_selected = [*self.trash_selected, item_id]

    @rx.event
    def toggle_all_trash(self) -> None:
        self.trash_selected = [] if self.trash_all_selected else [r["id"] for r in self.trash]

    @rx.event
    def clear_trash_selection(self) -> None:
        self.trash_selected = []

    # -- actions -------------------------------------------------------------------------------
    @rx.event(background=True)
    async def restore(self, item_id: str = "") -> Events:
        """Restore one item (``item_id``) or the selection, each to the folder it came from."""
        async with self:
            ids = [item_id] if item_id else list(self.trash_selected)
            # Names and places as shown now (the live feed may drop the rows before the toast is made).
            rows = {r["id"]: dict(r) for r in self.trash if r["id"] in ids}
            self.trash_busy = True
        user = await self._user()
        if user is None or not ids:
            async with self:
                self.trash_busy = False
            return
        try:
            result = await run(tree.apply, core(), user, "restore", ids)
        except PCSError as e:
            async with self:
                self.trash_busy = False
            yield rx.toast.error(e.message)
            return
        async with self:
            self.trash_busy = False
            done = {o.id for o in result.done}
            self.trash_selected = [i for i in self.trash_selected if i not in done]
        await self._reload(user)
        level, text = restore_summary(result, rows)
        yield rx.toast.error(text) if level == "error" else rx.toast.success(text)

    @rx.event(background=True)
    async def ask_empty(self) -> Events:
        """Open the Empty-trash confirmation, saying how much it deletes."""
        async with self:
            self.trash_confirm, self.empty_summary = "empty", ""
        yield
        user = await self._user()
        if user is None:
            return
        u = await run(accounts.usage, core(), user)
        count = count_of(await run(tree.trash_count, core(), user), "item")
        async with self:
            if self.trash_confirm == "empty":
                self.empty_summary = f"{count}, {human_size(u.trash_bytes)}"

    @rx.event
    def ask_delete(self) -> None:
        if self.trash_selected:
            self.trash_confirm = "delete"

    @rx.event
    def set_trash_confirm_open(self, is_open: bool) -> None:
        if not is_open:
            self.trash_confirm = ""

    @rx.event(background=True)
    async def confirmed_delete(self) -> Events:
        """Delete the selection (``delete``) or everything (``empty``) for good."""
        async with self:
            kind, ids = self.trash_confirm, list(self.trash_selected)
            self.trash_confirm, self.trash_busy = "", True
        user = await self._user()
        if user is None:
            async with self:
                self.trash_busy = False
            return
        items, freed, errors = 0, 0, list[str]()
        try:
            if kind == "empty":
                report = await run(tree.empty_trash, core(), user)
                items, freed = report.items, report.bytes
            elif kind == "delete":
                for i in ids:
                    try:
                        report = await run(tree.delete_forever, core(), user, i)
                    except PCSError as e:
                        errors.append(e.message)
                        continue
                    items, freed = items + report.items, freed + report.bytes
        finally:
            async with self:
                self.trash_busy = False
                if kind == "delete":
                    self.trash_selected = []
        await self._reload(user)
        text = f"Deleted {count_of(items, 'item')} for good, {human_size(freed)} freed"
        yield rx.toast.error(f"{text}; {len(errors)} failed: {errors[0]}") if errors else rx.toast.success(text)
