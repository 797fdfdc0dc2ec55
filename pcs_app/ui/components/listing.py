"""The folder's entries as a list or a grid: a virtualized list (assets/file_list.jsx, on
@tanstack/react-virtual) that renders only the rows in view, under a sticky column header."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import passthrough_event_spec

from ..states import FilesState, PreviewState, SelectionState
from ..styles import focus_ring

VIRTUAL_VERSION = "3.14.26"


class FileList(rx.Component):
    """The virtualized rows. Rows come by script (``window.pcsList.put``), selection as props."""

    library = "$/public/file_list.jsx"
    tag = "FileList"
    lib_dependencies: list[str] = [f"@tanstack/react-virtual@{VIRTUAL_VERSION}"]

    folder_id: rx.Var[str]
    total: rx.Var[int]
    gen: rx.Var[int]
    view: rx.Var[str]
    selected: rx.Var[list[str]]
    all_mode: rx.Var[bool]
    excluded: rx.Var[list[str]]

    on_need: rx.EventHandler[passthrough_event_spec(int, int)]
    on_row_click: rx.EventHandler[passthrough_event_spec(str, int, bool, bool)]
    on_toggle: rx.EventHandler[passthrough_event_spec(str, int)]
    on_long_press: rx.EventHandler[passthrough_event_spec(str, int)]
    on_open: rx.EventHandler[passthrough_event_spec(str)]


def file_list(**props: Any) -> rx.Component:
    return FileList.create(
        folder_id=FilesState.folder_id,
        total=FilesState.total,
        gen=FilesState.gen,
        view=FilesState.view,
        selected=SelectionState.selected,
        all_mode=SelectionState.all_mode,
        excluded=SelectionState.excluded,
        on_need=FilesState.need,
        on_row_click=SelectionState.click_row,
        on_toggle=SelectionState.toggle,
        on_long_press=SelectionState.long_press,
        on_open=PreviewState.open_item,
        **props,
    )


def sort_header(label: str, column: str, class_name: str) -> rx.Component:
    arrow = rx.cond(
        FilesState.sort == column,
        rx.cond(FilesState.desc, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14)),
    )
    return rx.el.div(
        rx.button(
            label,
            arrow,
            variant="ghost",
            size="1",
            on_click=FilesState.set_sort(column),
            color_scheme="gray",
            id=f"sort-{column}",
            aria_label=f"Sort by {label.lower()}",
        ),
        role="columnheader",
        class_name=class_name,
    )


def list_head() -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.label(
                rx.el.input(
                    type="checkbox",
                    checked=SelectionState.all_selected,
                    on_change=lambda _v: SelectionState.toggle_all(),
                    aria_label="Select all in this folder",
                    id="select-all",
                    class_name="pcs-check-box",
                ),
                class_name="pcs-check-hit",
            ),
            role="columnheader",
            class_name="pcs-cell-check",
        ),
        sort_header("Name", "name", "pcs-cell-name"),
        sort_header("Size", "size", "pcs-cell-size"),
        sort_header("Modified", "modified", "pcs-cell-mod"),
        role="row",
        class_name="pcs-vhead",
    )


def list_view() -> rx.Component:
    return rx.el.div(
        file_list(),
        role="grid",
        aria_label="Files",
        aria_multiselectable="true",
        id="file-list",
        custom_attrs={"aria-rowcount": FilesState.total},
        class_name="pcs-vtable",
    )


def empty_state() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("folder-open", size=48, color="var(--gray-8)"),
            rx.heading("This folder is empty", size="4"),
            rx.text(
                rx.el.span("Drop files or folders here, or use Upload.", class_name="pcs-fine-pointer"),
                rx.el.span("Tap + New to upload files or make a folder.", class_name="pcs-coarse-pointer"),
                color_scheme="gray",
            ),
            align="center",
            spacing="2",
        ),
        padding_y="4rem",
        width="100%",
        id="empty-state",
    )


def listing() -> rx.Component:
    return rx.el.div(
        rx.cond(
            FilesState.loading,
            rx.center(rx.spinner(size="3"), padding="3rem"),
            rx.cond(FilesState.total == 0, empty_state(), list_view()),
        ),
        id="file-browser",
        custom_attrs={"data-folder-id": FilesState.folder_id, "data-total": FilesState.total},
        tab_index=0,
        aria_label="Files in this folder",
        style={"width": "100%", "min_height": "60vh", **focus_ring},
    )
