"""The folder's entries as a list or a grid. Stateless: each piece takes the row's Var."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ..states import FilesState, PreviewState, SelectionState
from ..styles import ROW_HEIGHT, focus_ring, mobile_hidden

Row = ObjectVar[dict[str, str]]


def _row_attrs(item: Row, selected: rx.Var[bool]) -> dict[str, Any]:
    return {
        "data-node-id": item["id"],
        "data-kind": item["kind"],
        "data-drop-folder": rx.cond(item["kind"] == "folder", item["id"], ""),
        "draggable": "true",
        "data-selected": rx.cond(selected, "true", "false"),
    }


def name_button(item: Row) -> rx.Component:
    return rx.hstack(
        rx.el.button(
            item["name"],
            on_click=[rx.stop_propagation, PreviewState.open_item(item["id"])],
            class_name="pcs-name",
            title=item["name"],
        ),
        rx.cond(
            item["shared"] == "1",
            rx.icon(
                "users",
                size=14,
                color="var(--accent-11)",
                flex_shrink="0",
                aria_label="Shared",
                class_name="pcs-shared",
            ),
        ),
        align="center",
        spacing="1",
        min_width="0",
    )


def file_icon(item: Row, size: int) -> rx.Component:
    return rx.icon(
        item["icon"],
        size=size,
        color=rx.cond(item["kind"] == "folder", "var(--accent-9)", "var(--gray-10)"),
        flex_shrink="0",
    )


def sort_header(label: str, column: str, **props: Any) -> rx.Component:
    arrow = rx.cond(
        FilesState.sort == column,
        rx.cond(FilesState.desc, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14)),
    )
    return rx.table.column_header_cell(
        rx.button(
            label,
            arrow,
            variant="ghost",
            size="1",
            on_click=FilesState.set_sort(column),
            color_scheme="gray",
            id=f"sort-{column}",
        ),
        **props,
    )


def list_row(item: Row) -> rx.Component:
    selected = SelectionState.selected.contains(item["id"])
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=selected,
                on_change=lambda _v: SelectionState.toggle(item["id"]),
                aria_label="Select " + item["name"],
                size="2",
            ),
            width="2.5rem",
            on_click=rx.stop_propagation,
            vertical_align="middle",
        ),
        rx.table.cell(
            rx.hstack(
                file_icon(item, 20),
                rx.vstack(
                    name_button(item),
                    rx.text(
                        rx.cond(item["kind"] == "folder", item["modified"], item["size"] + " · " + item["modified"]),
                        size="1",
                        color_scheme="gray",
                        display=["block", "block", "none"],
                    ),
                    spacing="0",
                    min_width="0",
                ),
                align="center",
                spacing="3",
                min_width="0",
            ),
            max_width="0",
            width="100%",
            vertical_align="middle",
        ),
        rx.table.cell(item["size"], white_space="nowrap", color="var(--gray-11)", style=mobile_hidden),
        rx.table.cell(
            item["modified"],
            white_space="nowrap",
            color="var(--gray-11)",
            style=mobile_hidden,
            title=item["modified_iso"],
        ),
        on_click=lambda e: SelectionState.click_row(item["id"], e),
        on_double_click=PreviewState.open_item(item["id"]),
        background=rx.cond(selected, "var(--accent-3)", "transparent"),
        height=ROW_HEIGHT,
        cursor="default",
        custom_attrs=_row_attrs(item, selected),
        class_name="pcs-row",
    )


def list_view() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(
                    rx.checkbox(
                        checked=SelectionState.all_selected,
                        on_change=lambda _v: SelectionState.toggle_all(),
                        aria_label="Select all",
                        id="select-all",
                        size="2",
                    ),
                    width="2.5rem",
                ),
                sort_header("Name", "name"),
                sort_header("Size", "size", style=mobile_hidden, width="7rem"),
                sort_header("Modified", "modified", style=mobile_hidden, width="9rem"),
            )
        ),
        rx.table.body(rx.foreach(FilesState.items, list_row)),
        width="100%",
        variant="ghost",
        size="1",
        id="file-list",
        style={"table_layout": "fixed"},
    )


def grid_card(item: Row) -> rx.Component:
    selected = SelectionState.selected.contains(item["id"])
    return rx.card(
        rx.vstack(
            rx.center(
                rx.cond(
                    item["thumb"] != "",
                    rx.image(
                        src=item["thumb"], alt="", loading="lazy", width="100%", height="100%", object_fit="cover"
                    ),
                    file_icon(item, 44),
                ),
                overflow="hidden",
                height="5.5rem",
                width="100%",
                background="var(--gray-2)",
                border_radius="var(--radius-2)",
            ),
            name_button(item),
            rx.text(rx.cond(item["kind"] == "folder", "Folder", item["size"]), size="1", color_scheme="gray"),
            spacing="2",
            width="100%",
        ),
        on_click=lambda e: SelectionState.click_row(item["id"], e),
        on_double_click=PreviewState.open_item(item["id"]),
        background=rx.cond(selected, "var(--accent-3)", "var(--color-panel)"),
        custom_attrs=_row_attrs(item, selected),
        class_name="pcs-row",
        size="1",
    )


def grid_view() -> rx.Component:
    return rx.grid(
        rx.foreach(FilesState.items, grid_card),
        columns=rx.breakpoints(initial="2", xs="3", sm="4", md="5", lg="6"),
        spacing="3",
        width="100%",
        id="file-grid",
    )


def empty_state() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("folder-open", size=48, color="var(--gray-8)"),
            rx.heading("This folder is empty", size="4"),
            rx.text("Drop files or folders here, or use Upload.", color_scheme="gray"),
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
            rx.cond(
                FilesState.items.length() == 0,
                empty_state(),
                rx.cond(FilesState.view == "grid", grid_view(), list_view()),
            ),
        ),
        rx.cond(
            FilesState.next_cursor != "",
            rx.center(
                rx.button("Load more", variant="soft", on_click=FilesState.load_more, id="load-more"),
                padding="1rem",
            ),
        ),
        id="file-browser",
        custom_attrs={"data-folder-id": FilesState.folder_id},
        tab_index=0,
        aria_label="Files in this folder",
        style={"width": "100%", "min_height": "60vh", **focus_ring},
    )
