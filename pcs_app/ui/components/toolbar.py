"""The action bar: upload and new-folder buttons, or what can be done with the selection."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ..states import ActionsState, FilesState, SelectionState
from ..states.details import DetailsState
from ..states.history import HistoryState
from ..states.share import ShareState


def action(icon: str, label: str, on_click: Any, id_: str, **props: Any) -> rx.Component:
    """A toolbar button for the current selection."""
    return rx.button(
        rx.icon(icon, size=16),
        label,
        variant="soft",
        size="2",
        on_click=on_click,
        id=id_,
        class_name="pcs-touch",
        **props,
    )


def selection_actions() -> rx.Component:
    return rx.hstack(
        rx.text(
            rx.cond(SelectionState.all_selected, "All ", ""),
            SelectionState.selected_count.to_string() + " selected",
            size="2",
            weight="medium",
            id="selection-count",
        ),
        rx.cond(
            ~SelectionState.all_selected & (FilesState.total > SelectionState.selected_count),
            rx.button(
                "Select all " + FilesState.total.to_string() + " in this folder",
                variant="ghost",
                size="2",
                on_click=SelectionState.select_all,
                id="select-all-folder",
                class_name="pcs-touch",
            ),
        ),
        # rx.download clicks a real anchor in the browser, so the file streams straight from the
        # API (an <a> rendered by the app would be taken over by the client-side router).
        action(
            "download",
            "Download",
            rx.download(url=SelectionState.download_url, filename=SelectionState.download_name),
            "download-selected",
        ),
        action("folder-input", "Move", ActionsState.open_dialog("move"), "move-selected"),
        action("copy", "Copy", ActionsState.open_dialog("copy"), "copy-selected"),
        rx.cond(
            (SelectionState.selected_count == 1) & ~SelectionState.all_mode,
            action("pencil", "Rename", ActionsState.open_dialog("rename"), "rename-selected"),
        ),
        rx.cond(
            SelectionState.selected_file,
            action("history", "History", HistoryState.open_history(""), "history-selected"),
        ),
        rx.cond(
            SelectionState.selected_mine,
            action("share-2", "Share", ShareState.open_share(""), "share-selected"),
        ),
        rx.cond(
            (SelectionState.selected_count == 1) & ~SelectionState.all_mode,
            action("info", "Details", DetailsState.open_details(""), "details-selected"),
        ),
        action("trash-2", "Delete", ActionsState.trash_selected, "delete-selected", color_scheme="red"),
        rx.icon_button(
            rx.icon("x", size=16),
            variant="ghost",
            size="2",
            on_click=SelectionState.clear,
            aria_label="Clear selection",
            id="clear-selection",
            class_name="pcs-touch",
        ),
        wrap="wrap",
        spacing="2",
        align="center",
    )


PICK_FILES = rx.call_script("document.getElementById('upload-input').click()")
PICK_FOLDER = rx.call_script("document.getElementById('upload-folder-input').click()")


def new_menu() -> rx.Component:
    """On a phone: one labelled "+ New" menu instead of two icon-only buttons."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(rx.icon("plus", size=16), "New", size="2", id="new-menu", class_name="pcs-touch"),
        ),
        rx.menu.content(
            rx.menu.item(rx.icon("upload", size=16), "Upload files", on_click=PICK_FILES, id="new-menu-upload"),
            rx.menu.item(
                rx.icon("folder-up", size=16), "Upload folder", on_click=PICK_FOLDER, id="new-menu-upload-folder"
            ),
            rx.menu.separator(),
            rx.menu.item(
                rx.icon("folder-plus", size=16),
                "New folder",
                on_click=ActionsState.open_dialog("new_folder"),
                id="new-menu-folder",
            ),
            class_name="pcs-menu",
        ),
    )


SORT_CHOICES = (
    ("name-asc", "Name (A to Z)"),
    ("name-desc", "Name (Z to A)"),
    ("modified-desc", "Newest first"),
    ("modified-asc", "Oldest first"),
    ("size-desc", "Largest first"),
    ("size-asc", "Smallest first"),
)


def sort_menu() -> rx.Component:
    """On a phone the columns are hidden: sort by name, size or date from a menu."""
    current = FilesState.sort + rx.cond(FilesState.desc, "-desc", "-asc").to(str)
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("arrow-down-up", size=16),
                "Sort",
                variant="soft",
                size="2",
                id="sort-menu",
                class_name="pcs-touch",
            ),
        ),
        rx.menu.content(
            *[
                rx.menu.item(
                    rx.cond(current == value, rx.icon("check", size=14), rx.box(width="14px")),
                    label,
                    on_click=FilesState.sort_by(value),
                    id=f"sort-{value}",
                )
                for value, label in SORT_CHOICES
            ],
            class_name="pcs-menu",
        ),
    )


def main_actions() -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("upload", size=16),
            "Upload",
            size="2",
            id="upload-button",
            on_click=PICK_FILES,
            class_name="pcs-touch pcs-wide-only",
        ),
        rx.button(
            rx.icon("folder-up", size=16),
            "Upload folder",
            variant="soft",
            size="2",
            id="upload-folder-button",
            on_click=PICK_FOLDER,
            class_name="pcs-touch pcs-wide-only",
        ),
        rx.button(
            rx.icon("folder-plus", size=16),
            "New folder",
            variant="soft",
            size="2",
            on_click=ActionsState.open_dialog("new_folder"),
            id="new-folder",
            class_name="pcs-touch pcs-wide-only",
        ),
        rx.box(new_menu(), class_name="pcs-narrow-only"),
        rx.spacer(),
        rx.box(sort_menu(), class_name="pcs-no-columns-only"),
        rx.segmented_control.root(
            rx.segmented_control.item(rx.icon("list", size=16), value="list", aria_label="List view"),
            rx.segmented_control.item(rx.icon("layout-grid", size=16), value="grid", aria_label="Grid view"),
            value=FilesState.view,
            on_change=FilesState.set_view,
            size="2",
            id="view-toggle",
        ),
        width="100%",
        spacing="2",
        align="center",
    )


def toolbar() -> rx.Component:
    return rx.box(
        rx.cond(SelectionState.selected_count > 0, selection_actions(), main_actions()),
        rx.cond(
            ActionsState.progress != "",
            rx.hstack(
                rx.spinner(size="1"),
                rx.text(ActionsState.progress, size="2"),
                id="bulk-progress",
                role="status",
                align="center",
                spacing="2",
                padding_top="0.25rem",
            ),
        ),
        rx.el.input(type="file", id="upload-input", multiple=True, hidden=True, aria_label="Choose files to upload"),
        rx.el.input(
            type="file",
            id="upload-folder-input",
            multiple=True,
            hidden=True,
            custom_attrs={"webkitdirectory": "", "directory": ""},
            aria_label="Choose a folder to upload",
        ),
        width="100%",
        min_height="2.75rem",
        padding_y="0.5rem",
    )
