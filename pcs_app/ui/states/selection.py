"""Which rows are selected: click, ctrl/cmd-click, shift-click ranges, long-press on touch, and "all N in
this folder" (kept as the folder less the rows taken out, never as N ids), and what a download of them is."""

from __future__ import annotations

import reflex as rx

from ..format import archive_url, content_url
from .browser import FilesState


class SelectionState(FilesState):
    selected: rx.Field[list[str]] = rx.field(default_factory=list)
    anchor: rx.Field[str] = rx.field("")
    # "Select all N in this folder": everything in the folder but ``excluded``.
    all_mode: rx.Field[bool] = rx.field(False)
    excluded: rx.Field[list[str]] = rx.field(default_factory=list)
    # What the toolbar needs to know about a single selected row (set with the selection: the rows
    # themselves are not state, so these cannot be computed from it).
    selected_mine: rx.Field[bool] = rx.field(False)
    selected_file: rx.Field[bool] = rx.field(False)
    download_url: rx.Field[str] = rx.field("")
    download_name: rx.Field[str] = rx.field("PCS download.zip")
    _anchor_index: int = -1

    @rx.var
    def selected_count(self) -> int:
        if self.all_mode:
            return max(0, self.total - len(self.excluded))
        return len(self.selected)

    @rx.var
    def all_selected(self) -> bool:
        return self.all_mode and not self.excluded and self.total > 0

    def _selection_changed(self) -> None:
        """Refresh what the toolbar shows for the selection."""
        one = self.item(self.selected[0]) if len(self.selected) == 1 and not self.all_mode else None
        self.selected_mine = one is not None and one.get("mine") == "1"
        self.selected_file = one is not None and one["kind"] == "file"
        if self.all_mode:
            self.download_url = archive_url([self.folder_id], list(self.excluded))
            crumb = self.crumbs[-1]["name"] if self.crumbs else "PCS download"
            self.download_name = f"{crumb}.zip"
        elif one is not None and one["kind"] == "file":
            self.download_url, self.download_name = content_url(one["id"]), str(one["name"])
        else:
            self.download_url = archive_url(self.selected) if self.selected else ""
            self.download_name = (str(one["name"]) + ".zip") if one is not None else "PCS download.zip"

    def _set(self, ids: list[str]) -> None:
        self.all_mode, self.excluded, self.selected = False, [], ids
        self._selection_changed()

    @rx.event
    def clear(self) -> None:
        """Nothing selected (also on every folder load)."""
        self._set([])
        self.anchor, self._anchor_index = "", -1

    @rx.event
    def keep_shown(self) -> None:
        """Drop selected ids that left the listing."""
        self._set([s for s in self.selected if s in self._rows])

    @rx.event
    def click_row(self, item_id: str, index: int = -1, shift: bool = False, ctrl: bool = False) -> None:
        """Click selects one; ctrl/cmd-click toggles; shift-click selects the range from the last click."""
        if shift and self._anchor_index >= 0 and index >= 0 and not self.all_mode:
            a, b = sorted((self._anchor_index, index))
            by_index = {int(r.get("index", "-1")): r["id"] for r in self._rows.values()}
            ids = [by_index[i] for i in range(a, b + 1) if i in by_index]
            if item_id not in ids:
                ids.append(item_id)
            self._set(ids)
            return
        if ctrl:
            self._toggle(item_id, index)
            return
        self._set([item_id])
        self.anchor, self._anchor_index = item_id, index

    @rx.event
    def toggle(self, item_id: str, index: int = -1) -> None:
        """The row's checkbox (or a tap while selecting on a touch screen)."""
        self._toggle(item_id, index)

    def _toggle(self, item_id: str, index: int) -> None:
        if self.all_mode:
            if item_id in self.excluded:
                self.excluded = [s for s in self.excluded if s != item_id]
            else:
                self.excluded = [*self.excluded, item_id]
            if self.selected_count == 0:
                self._set([])
            else:
                self._selection_changed()
            return
        if item_id in self.selected:
            self._set([s for s in self.selected if s != item_id])
        else:
            self._set([*self.selected, item_id])
            self.anchor, self._anchor_index = item_id, index

    @rx.event
    def long_press(self, item_id: str, index: int = -1) -> None:
        """A long press on a touch screen: add the row to the selection (taps then add more)."""
        if self.all_mode:
            if item_id in self.excluded:
                self._toggle(item_id, index)
            return
        if item_id not in self.selected:
            self._set([*self.selected, item_id])
        self.anchor, self._anchor_index = item_id, index

    @rx.event
    def select_all(self) -> None:
        """Everything in this folder, however many rows are loaded."""
        self.all_mode, self.excluded, self.selected = True, [], []
        self._selection_changed()

    @rx.event
    def toggle_all(self) -> None:
        if self.all_mode:
            self._set([])
        else:
            self.select_all()
