"""The Activity page: what happened to the account and its data, newest first, a page at a time."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ..components.header import header
from ..components.icons import either_icon
from ..states.activity import ActivityState
from ..styles import MAX_WIDTH

Row = ObjectVar[dict[str, str]]
A = ActivityState


def event_row(r: Row) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            either_icon(
                r["failed"] != "",
                "circle-alert",
                "circle-check",
                size=16,
                color=rx.cond(r["failed"] != "", "var(--red-9)", "var(--gray-9)"),
                flex_shrink="0",
                margin_top="0.2rem",
            ),
            rx.vstack(
                rx.text(
                    rx.el.span(r["what"], class_name="pcs-event-what"),
                    rx.cond(r["target"] != "", " " + r["target"], ""),
                    rx.cond(
                        r["failed"] != "", rx.badge(r["outcome"], color_scheme="red", size="1", margin_left="0.5rem")
                    ),
                    size="2",
                    class_name="pcs-break",
                ),
                rx.text(
                    r["when"],
                    rx.cond(A.everyone, " · by " + r["actor"], ""),
                    rx.cond(r["address"] != "", " · " + r["address"], ""),
                    rx.cond(r["agent"] != "", " · " + r["agent"], ""),
                    size="1",
                    color_scheme="gray",
                    title=r["iso"],
                    class_name="pcs-break",
                ),
                rx.cond(r["detail"] != "", rx.text(r["detail"], size="1", color_scheme="gray", class_name="pcs-break")),
                spacing="0",
                min_width="0",
                width="100%",
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
        class_name="pcs-event",
        custom_attrs={"data-action": r["action"], "data-event-id": r["id"]},
    )


def filters() -> rx.Component:
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(aria_label="Kind of activity", id="activity-kind", class_name="pcs-touch"),
            rx.select.content(
                rx.foreach(A.kind_choices, lambda c: rx.select.item(c["label"], value=c["value"])),
            ),
            value=A.events_kind,
            on_change=A.set_events_kind,
        ),
        rx.cond(
            A.is_admin,
            rx.hstack(
                rx.el.label(
                    rx.switch(checked=A.everyone, on_change=A.set_everyone, id="activity-everyone"),
                    rx.text("Everyone's", size="2"),
                    class_name="pcs-switch-label",
                ),
                rx.cond(
                    A.everyone,
                    rx.select.root(
                        rx.select.trigger(placeholder="All accounts", aria_label="Account", id="activity-who"),
                        rx.select.content(
                            rx.select.item("All accounts", value="all"),
                            rx.foreach(A.account_choices, lambda c: rx.select.item(c["label"], value=c["value"])),
                        ),
                        value=A.who,
                        on_change=A.set_who,
                    ),
                ),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
        width="100%",
    )


def activity_page() -> rx.Component:
    return rx.box(
        rx.vstack(
            header(),
            rx.heading("Activity", size="5", as_="h1"),
            rx.text(
                rx.cond(
                    A.everyone,
                    "Everything every account did and had done to its data (administrators only).",
                    "What you did, and what happened to your files: sign-ins, uploads, downloads, sharing.",
                ),
                size="2",
                color_scheme="gray",
            ),
            filters(),
            rx.cond(A.events_error != "", rx.callout(A.events_error, color_scheme="red", role="alert")),
            rx.cond(
                A.events_loading,
                rx.center(rx.spinner(size="3"), padding="3rem", width="100%"),
                rx.cond(
                    A.events.length() == 0,
                    rx.center(
                        rx.text("Nothing here yet.", color_scheme="gray"),
                        padding_y="3rem",
                        width="100%",
                        id="activity-empty",
                    ),
                    rx.el.ul(rx.foreach(A.events, event_row), id="activity-list", class_name="pcs-events"),
                ),
            ),
            rx.cond(
                A.events_cursor != "",
                rx.center(
                    rx.button(
                        "Load more", variant="soft", on_click=A.more_events, class_name="pcs-touch", id="activity-more"
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
    )
