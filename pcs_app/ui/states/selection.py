"""Which rows are selected: click, ctrl/cmd-click, shift-click ranges, select all, and what a download of them is."""

from __future__ import annotations

import reflex as rx

from ..format import archive_url, content_url
from .browser import FilesState


class SelectionState(FilesState):
    selected: rx.Field[list[str]] = rx.field(default_factory=list)
    anchor: rx.Field[str] = rx.field("")

    @rx.var
    def selected_count(self) -> int:
        return len(self.selected)

    @rx.var
    def all_selected(self) -> bool:
        return bool(self.items) and len(self.selected) == len(self.items)

    @rx.var
    def selected_mine(self) -> bool:
        """One item is selected and it is the user's own (so it can be shared)."""
        if len(self.selected) != 1:
            return False
        it = self.item(self.selected[0])
        return it is not None and it.get("mine") == "1"

    @rx.var
    def selected_file(self) -> bool:
        """One item is selected and it is a file (it has a version history)."""
        if len(self.selected) != 1:
            return False
        it = self.item(self.selected[0])
        return it is not None and it["kind"] == "file"

    @rx.var
    def download_url(self) -> str:
        """One file: its content; several items or a folder: a zip."""
        if len(self.selected) == 1:
            it = self.item(self.selected[0])
            if it is not None and it["kind"] == "file":
                return content_url(it["id"])
        return archive_url(self.selected)

    @rx.var
    def download_name(self) -> str:
        if len(self.selected) == 1:
            it = self.item(self.selected[0])
            if it is not None:
                return str(it["name"]) + (".zip" if it["kind"] == "folder" else "")
        return "PCS download.zip"

    @rx.event
    def clear(self) -> None:
        """Nothing selected (also on every folder load)."""
        self.selected, self.anchor = [], ""

    @rx.event
    def keep_shown(self) -> None:
        """Drop selected ids that left the listing."""
        ids = {i["id"] for i in self.items}
        self.selected = [s for s in self.selected if s in ids]

    @rx.event
    def click_row(self, item_id: str, info: rx.event.PointerEventInfo) -> None:
        """Click selects one; ctrl/cmd-click toggles; shift-click selects a range."""
        ids = [i["id"] for i in self.items]
        if info.get("shift_key") and self.anchor in ids and item_id in ids:
            a, b = sorted((ids.index(self.anchor), ids.index(item_id)))
            self.selected = ids[a : b + 1]
            return
        if info.get("ctrl_key") or info.get("meta_key"):
            self.toggle(item_id)
            return
        self.selected, self.anchor = [item_id], item_id

    @rx.event
    def toggle(self, item_id: str) -> None:
        if item_id in self.selected:
            self.selected = [s for s in self.selected if s != item_id]
        else:
            self.selected = [*self.selected, item_id]
            self.anchor = item_id

    @rx.event
    def toggle_all(self) -> None:
        self.selected = [] if self.all_selected else [i["id"] for i in self.items]
