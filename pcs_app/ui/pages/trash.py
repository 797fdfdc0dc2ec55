"""The Trash: what was deleted, from where, when and how big; restore, delete for good, empty."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ..components.header import header
from ..components.icons import entry_icon
from ..states.trash import TrashState
from ..styles import MAX_WIDTH

Row = ObjectVar[dict[str, str]]


def _check(checked: Any, on_change: Any, label: Any, **props: Any) -> rx.Component:
    # The label is the 44 px touch target; a click anywhere on it toggles the box.
    return rx.el.label(
        rx.checkbox(checked=checked, on_change=on_change, aria_label=label, size="2"),
        class_name="pcs-check-cell",
        **props,
    )


def trash_row(row: Row) -> rx.Component:
    selected = TrashState.trash_selected.contains(row["id"])
    return rx.el.div(
        _check(selected, lambda _v: TrashState.toggle_trash(row["id"]), "Select " + row["name"]),
        rx.hstack(
            entry_icon(
                row["icon"],
                size=20,
                color=rx.cond(row["kind"] == "folder", "var(--accent-9)", "var(--gray-10)"),
                flex_shrink="0",
            ),
            rx.vstack(
                rx.text(
                    row["name"],
                    weight="medium",
                    class_name="pcs-ellipsis pcs-trash-name",
                    title=row["name"],
                    max_width="100%",
                ),
                rx.text(
                    "from " + row["from"] + " · " + row["deleted"] + " · " + row["size"],
                    size="1",
                    color_scheme="gray",
                    class_name="pcs-ellipsis pcs-trash-meta",
                    max_width="100%",
                ),
                spacing="0",
                min_width="0",
                width="100%",
            ),
            align="center",
            spacing="3",
            min_width="0",
        ),
        rx.text(row["from"], size="2", color_scheme="gray", class_name="pcs-ellipsis pcs-desk", title=row["from"]),
        rx.text(row["deleted"], size="2", color_scheme="gray", class_name="pcs-desk", title=row["deleted_iso"]),
        rx.text(row["size"], size="2", color_scheme="gray", class_name="pcs-desk pcs-trash-size"),
        rx.icon_button(
            rx.icon("rotate-ccw", size=18),
            variant="ghost",
            size="2",
            on_click=TrashState.restore(row["id"]),
            aria_label="Restore " + row["name"],
            title="Restore to " + row["from"],
            class_name="pcs-touch pcs-trash-restore",
            disabled=TrashState.trash_busy,
        ),
        class_name="pcs-trash-row",
        custom_attrs={"data-node-id": row["id"], "data-selected": rx.cond(selected, "true", "false")},
        background=rx.cond(selected, "var(--accent-3)", "transparent"),
    )


def head_row() -> rx.Component:
    return rx.el.div(
        _check(
            TrashState.trash_all_selected,
            lambda _v: TrashState.toggle_all_trash(),
            "Select all shown",
            id="trash-select-all",
        ),
        rx.text("Name", size="1", color_scheme="gray"),
        rx.text("From", size="1", color_scheme="gray", class_name="pcs-desk"),
        rx.text("Deleted", size="1", color_scheme="gray", class_name="pcs-desk"),
        rx.text("Size", size="1", color_scheme="gray", class_name="pcs-desk pcs-trash-size"),
        rx.el.span(),
        class_name="pcs-trash-row pcs-trash-head",
    )


def actions() -> rx.Component:
    busy = TrashState.trash_busy
    return rx.cond(
        TrashState.trash_selected_count > 0,
        rx.hstack(
            rx.text(TrashState.trash_selected_count.to_string() + " selected", size="2", weight="medium"),
            rx.button(
                rx.icon("rotate-ccw", size=16),
                "Restore",
                variant="soft",
                on_click=TrashState.restore(""),
                disabled=busy,
                class_name="pcs-touch",
                id="trash-restore-selected",
            ),
            rx.button(
                rx.icon("trash-2", size=16),
                "Delete",
                # "forever" only where it fits on one line with the rest (the confirmation says it anyway).
                rx.el.span("forever", class_name="pcs-wide-only", margin_left="-0.2rem"),
                variant="soft",
                color_scheme="red",
                on_click=TrashState.ask_delete,
                disabled=busy,
                loading=busy,
                class_name="pcs-touch",
                id="trash-delete-selected",
            ),
            rx.icon_button(
                rx.icon("x", size=16),
                variant="ghost",
                on_click=TrashState.clear_trash_selection,
                aria_label="Clear selection",
                class_name="pcs-touch",
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.hstack(
            rx.text(TrashState.trash_shown, size="2", color_scheme="gray", id="trash-count"),
            rx.spacer(),
            rx.button(
                rx.icon("trash", size=16),
                "Empty trash",
                variant="soft",
                color_scheme="red",
                on_click=TrashState.ask_empty,
                disabled=busy | (TrashState.trash.length() == 0),
                loading=busy,
                class_name="pcs-touch",
                id="empty-trash",
            ),
            width="100%",
            align="center",
        ),
    )


def confirm() -> rx.Component:
    is_empty = TrashState.trash_confirm == "empty"
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(
                rx.cond(is_empty, "Empty the trash?", TrashState.delete_title),
                class_name="pcs-ellipsis",
            ),
            rx.alert_dialog.description(
                rx.cond(
                    is_empty,
                    rx.cond(
                        TrashState.empty_summary != "",
                        "Everything in the trash (" + TrashState.empty_summary + ") is deleted for good, "
                        "with all its versions. This cannot be undone.",
                        "Everything in the trash is deleted for good, with all its versions. This cannot be undone.",
                    ),
                    "The selected items and all their versions are deleted for good. This cannot be undone.",
                ),
                size="2",
                id="trash-confirm-text",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", class_name="pcs-touch")
                ),
                rx.alert_dialog.action(
                    rx.button(
                        rx.cond(is_empty, "Empty trash", "Delete forever"),
                        color_scheme="red",
                        on_click=TrashState.confirmed_delete,
                        class_name="pcs-touch",
                        id="trash-confirm",
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            width="min(28rem, calc(100vw - 2rem))",
            max_width="min(28rem, calc(100vw - 2rem))",
            id="trash-confirm-dialog",
        ),
        open=TrashState.trash_confirm != "",
        on_open_change=TrashState.set_trash_confirm_open,
    )


def empty_state() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("trash-2", size=48, color="var(--gray-8)"),
            rx.heading("The trash is empty", size="4"),
            rx.text(
                "What you delete stays here for a while, and you can restore it.",
                color_scheme="gray",
                text_align="center",
            ),
            align="center",
            spacing="2",
        ),
        padding_y="4rem",
        width="100%",
        id="trash-empty",
    )


def trash_page() -> rx.Component:
    return rx.box(
        rx.vstack(
            header(),
            rx.heading("Trash", size="5", as_="h1"),
            rx.text(
                "Items in the trash still count towards your storage. ",
                rx.cond(
                    TrashState.trash_days > 0,
                    "They are deleted for good " + TrashState.trash_days.to_string() + " days after you delete them.",
                    "They stay until you delete them for good.",
                ),
                size="2",
                color_scheme="gray",
            ),
            rx.box(actions(), width="100%", min_height="2.75rem", padding_y="0.25rem"),
            rx.cond(
                TrashState.trash_loading,
                rx.center(rx.spinner(size="3"), padding="3rem", width="100%"),
                rx.cond(
                    TrashState.trash.length() == 0,
                    empty_state(),
                    rx.el.div(
                        head_row(),
                        rx.foreach(TrashState.trash, trash_row),
                        id="trash-list",
                        style={"width": "100%"},
                    ),
                ),
            ),
            rx.cond(
                TrashState.trash_cursor != "",
                rx.center(
                    rx.button(
                        "Load more",
                        variant="soft",
                        on_click=TrashState.more_trash,
                        class_name="pcs-touch",
                        id="trash-more",
                    ),
                    padding="1rem",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
            max_width=MAX_WIDTH,
            margin="0 auto",
            padding_x=["0.75rem", "1rem", "1.5rem"],
            padding_bottom="4rem",
        ),
        confirm(),
    )
