"""Shared with me: what other accounts share with this one."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ..components.header import header
from ..components.icons import entry_icon
from ..states.shared import SharedState
from ..styles import MAX_WIDTH

Row = ObjectVar[dict[str, str]]


def shared_row(row: Row) -> rx.Component:
    return rx.hstack(
        entry_icon(
            row["icon"],
            size=22,
            color=rx.cond(row["kind"] == "folder", "var(--accent-9)", "var(--gray-10)"),
            flex_shrink="0",
        ),
        rx.vstack(
            rx.cond(
                row["kind"] == "folder",
                rx.link(row["name"], href=row["href"], weight="medium", class_name="pcs-ellipsis"),
                rx.el.button(
                    row["name"],
                    on_click=rx.download(url=row["href"], filename=row["name"]),
                    class_name="pcs-name",
                    title="Download " + row["name"],
                ),
            ),
            rx.text(
                "from " + row["owner"] + " · " + row["role"] + " · " + row["size"],
                size="1",
                color_scheme="gray",
                class_name="pcs-ellipsis",
            ),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.button("Leave", size="1", variant="soft", color_scheme="gray", on_click=SharedState.leave(row["grant_id"])),
        align="center",
        spacing="3",
        width="100%",
        min_height="3.25rem",
        border_bottom="1px solid var(--gray-4)",
        class_name="pcs-shared-row",
    )


def shared_page() -> rx.Component:
    return rx.vstack(
        header(),
        rx.heading("Shared with me", size="5", as_="h1"),
        rx.cond(
            SharedState.shared_loading,
            rx.center(rx.spinner(size="3"), padding="3rem"),
            rx.cond(
                SharedState.shared.length() == 0,
                rx.text("Nothing is shared with you yet.", color_scheme="gray", id="shared-empty"),
                rx.vstack(rx.foreach(SharedState.shared, shared_row), spacing="0", width="100%", id="shared-list"),
            ),
        ),
        spacing="3",
        width="100%",
        max_width=MAX_WIDTH,
        margin="0 auto",
        padding_x=["0.75rem", "1rem", "1.5rem"],
        padding_bottom="4rem",
    )
