"""Acting on the selection: new folder, rename, move/copy (with a folder picker), trash with Undo."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from pcs_app.models import FOLDER, User
from pcs_app.services import tree
from pcs_app.services.errors import PCSError
from pcs_app.services.tree import BulkResult

from ..format import count_of
from .base import Events, core, run
from .selection import SelectionState

UNDO_SECONDS = 10


def summary(verb: str, result: BulkResult) -> tuple[str, str]:
    """A toast for a bulk action: (level, text)."""
    done, failed, same = len(result.done), result.failed, len(result.unchanged)
    parts = []
    if done:
        parts.append(f"{verb} {count_of(done, 'item')}")
    if same:
        parts.append(f"{count_of(same, 'item')} already there")
    if failed:
        first = failed[0].error.message if failed[0].error else ""
        parts.append(f"{count_of(len(failed), 'item')} failed: {first}")
    return ("error" if failed else "success"), "; ".join(parts) or "Nothing to do"


def toast(level: str, text: str) -> Any:
    return rx.toast.error(text) if level == "error" else rx.toast.success(text)


class ActionsState(SelectionState):
    dialog: rx.Field[str] = rx.field("")  # "", "new_folder", "rename", "move", "copy"
    dialog_name: rx.Field[str] = rx.field("")
    dialog_error: rx.Field[str] = rx.field("")
    picker_id: rx.Field[str] = rx.field("")
    picker_crumbs: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    picker_folders: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    picker_naming: rx.Field[bool] = rx.field(False)  # the Move/Copy dialog's "New folder" field is open
    undo_shown: rx.Field[bool] = rx.field(False)
    undo_label: rx.Field[str] = rx.field("")
    progress: rx.Field[str] = rx.field("")  # "Moving to the trash: 1,200 of 3,000", while a bulk action runs
    _undo_ids: list[str] = []
    _undo_gen: int = 0

    # -- dialogs -----------------------------------------------------------------------------
    @rx.event
    def open_dialog(self, kind: str) -> Any:
        self.dialog, self.dialog_error = kind, ""
        if kind == "rename" and len(self.selected) == 1 and not self.all_mode:
            it = self.item(self.selected[0])
            self.dialog_name = str(it["name"]) if it else ""
        elif kind == "new_folder":
            self.dialog_name = ""
        elif kind in ("move", "copy"):
            return ActionsState.browse_picker(self.folder_id)
        return None

    @rx.event
    def close_dialog(self) -> None:
        self.dialog, self.dialog_error = "", ""

    @rx.event
    def set_dialog_open(self, is_open: bool) -> None:
        if not is_open:
            self.close_dialog()

    @rx.event
    def set_dialog_name(self, value: str) -> None:
        self.dialog_name = value

    async def _after_change(self, user: User) -> None:
        await self.relist(user)
        async with self:
            self._selection_changed()

    async def _bulk(self, user: User, op: str, dest: str | None = None) -> tuple[BulkResult, int]:
        """``op`` over the selection, on the server: a list of ids, or the whole folder less the ones
        taken out (then in steps, with the progress shown as it goes). Returns the outcomes and how
        many items the selection held."""
        async with self:
            all_mode, fid, ids, excluded = self.all_mode, self.folder_id, list(self.selected), list(self.excluded)
        if not all_mode:
            return await run(tree.apply, core(), user, op, ids, dest), len(ids)
        verb = {"move": "Moving", "copy": "Copying", "trash": "Moving to the trash"}.get(op, op)
        seen: list[tuple[int, int]] = [(0, 0)]
        task = asyncio.ensure_future(
            run(tree.apply_folder, core(), user, op, fid, excluded, dest, lambda a, b: seen.append((a, b)))
        )
        try:
            while not task.done():
                await asyncio.wait([task], timeout=0.25)
                handled, total = seen[-1]
                async with self:
                    self.progress = f"{verb}: {handled:,} of {total:,}" if total else f"{verb}…"
            result = task.result()
        finally:
            async with self:
                self.progress = ""
        return result, len(result.outcomes)

    @rx.event(background=True)
    async def submit_name(self, form: dict[str, str]) -> Events:
        """New folder or rename, from the name dialog."""
        async with self:
            kind, fid, target = self.dialog, self.folder_id, (self.selected[0] if self.selected else "")
        user = await self._user()
        if user is None:
            return
        name = form.get("name", "")
        try:
            if kind == "new_folder":
                await run(tree.create_folder, core(), user, fid, name)
            elif kind == "rename":
                await run(tree.rename, core(), user, target, name)
        except PCSError as e:
            async with self:
                self.dialog_error = e.message
            return
        async with self:
            self.dialog = ""
        await self._after_change(user)
        yield

    @rx.event(background=True)
    async def browse_picker(self, folder_id: str) -> Events:
        """The move/copy dialog's folder picker: list the folders of ``folder_id``."""
        user = await self._user()
        if user is None:
            return
        try:
            path = await run(tree.ancestors, core(), user, folder_id)
            page = await run(tree.list_children, core(), user, folder_id, limit=core().settings.list_page_max)
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        async with self:
            moving = set(self.selected)
            self.picker_naming = False
            self.picker_id = folder_id
            self.picker_crumbs = [{"id": n.id, "name": n.name or "My files"} for n in path]
            self.picker_folders = [
                {"id": n.id, "name": n.name} for n in page.items if n.kind == FOLDER and n.id not in moving
            ]

    @rx.event
    def set_picker_naming(self, on: bool) -> None:
        self.picker_naming, self.dialog_error = on, ""

    @rx.event(background=True)
    async def picker_new_folder(self, form: dict[str, str]) -> Events:
        """A new folder made inside the one the Move/Copy dialog shows, then opened there."""
        async with self:
            parent = self.picker_id
        user = await self._user()
        if user is None:
            return
        try:
            made = await run(tree.create_folder, core(), user, parent, form.get("name", ""))
        except PCSError as e:
            async with self:
                self.dialog_error = e.message
            return
        async with self:
            self.picker_naming, self.dialog_error = False, ""
        yield ActionsState.browse_picker(made.id)

    @rx.event(background=True)
    async def move_or_copy_here(self) -> Events:
        async with self:
            kind, dest = self.dialog, self.picker_id
        user = await self._user()
        if user is None or kind not in ("move", "copy"):
            return
        try:
            result, _n = await self._bulk(user, kind, dest)
        except PCSError as e:
            async with self:
                self.dialog_error = e.message
            return
        level, text = summary("Moved" if kind == "move" else "Copied", result)
        async with self:
            if result.failed and not result.done:
                self.dialog_error = text
            else:
                self.dialog = ""
                self._set([])
        await self._after_change(user)
        yield toast(level, text)

    # -- trash and undo ----------------------------------------------------------------------
    @rx.event(background=True)
    async def trash_selected(self) -> Events:
        async with self:
            any_selected = self.all_mode or bool(self.selected)
        user = await self._user()
        if user is None or not any_selected:
            return
        try:
            result, _n = await self._bulk(user, "trash")
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        trashed = [o.id for o in result.done]
        async with self:
            self._set([])
            self._undo_ids = trashed
            self._undo_gen += 1
            mine = self._undo_gen
            self.undo_shown = bool(trashed)
            self.undo_label = f"{count_of(len(trashed), 'item')} moved to the trash"
        await self._after_change(user)
        if result.failed:
            yield toast(*summary("Moved to the trash", result))
        yield
        await asyncio.sleep(UNDO_SECONDS)
        async with self:
            if self._undo_gen == mine:
                self._undo_ids, self.undo_shown = [], False

    @rx.event(background=True)
    async def undo(self) -> Events:
        async with self:
            ids, self._undo_ids, self.undo_shown = list(self._undo_ids), [], False
        user = await self._user()
        if user is None or not ids:
            return
        result = BulkResult()
        for start in range(0, len(ids), tree.MAX_ITEMS):
            part = await run(tree.apply, core(), user, "restore", ids[start : start + tree.MAX_ITEMS])
            result.outcomes.extend(part.outcomes)
            if len(ids) > tree.MAX_ITEMS:
                async with self:
                    self.progress = f"Restoring: {min(start + tree.MAX_ITEMS, len(ids)):,} of {len(ids):,}"
        async with self:
            self.progress = ""
        await self._after_change(user)
        if result.failed:
            yield toast(*summary("Restored", result))

    @rx.event
    def dismiss_undo(self) -> None:
        self._undo_ids, self.undo_shown = [], False
