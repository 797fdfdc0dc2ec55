"""/s/{token}: a share link's page for anyone (no account): a file with its preview and a download
button, a folder to browse (thumbnails, zip), a file drop's upload zone, a password form, or a clear
"no longer available"."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from .. import routes
from ..components.icons import entry_icon
from ..states.public import PublicState

Row = ObjectVar[dict[str, str]]


def _frame(*children: rx.Component | rx.Var[object]) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.link(
                    rx.hstack(rx.icon("cloud", size=24), rx.heading("PCS", size="5"), align="center", spacing="2"),
                    href=routes.LOGIN,
                    color="inherit",
                    underline="none",
                ),
                rx.spacer(),
                rx.text("Shared with you", size="2", color_scheme="gray"),
                width="100%",
                align="center",
                padding_y="0.75rem",
            ),
            *children,
            spacing="4",
            width="100%",
            max_width="60rem",
            margin="0 auto",
            padding_x=["0.75rem", "1rem", "1.5rem"],
            padding_bottom="4rem",
        ),
        rx.script(src="/public.js"),
    )


def _notice(icon: str, title: str, text: str, id_: str) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=48, color="var(--gray-9)"),
            rx.heading(title, size="5", as_="h1"),
            rx.text(text, color_scheme="gray", text_align="center"),
            align="center",
            spacing="2",
        ),
        padding_y="4rem",
        id=id_,
    )


def password_form() -> rx.Component:
    return rx.center(
        rx.card(
            rx.el.form(
                rx.vstack(
                    rx.hstack(
                        rx.icon("lock", size=20),
                        rx.heading("This link needs a password", size="4", as_="h1"),
                        align="center",
                    ),
                    rx.el.label("Password", html_for="link-password", class_name="rt-Text rt-r-size-2"),
                    rx.input(
                        id="link-password",
                        name="password",
                        type="password",
                        required=True,
                        size="3",
                        width="100%",
                        auto_focus=True,
                    ),
                    rx.el.div(id="unlock-error", role="alert", class_name="pcs-auth-error"),
                    rx.button("Open", type="submit", size="3", width="100%", id="unlock"),
                    spacing="3",
                    width="100%",
                ),
                id="unlock-form",
                custom_attrs={"data-token": PublicState.token},
            ),
            width="min(24rem, 100%)",
            size="3",
        ),
        padding_y="3rem",
    )


def file_view() -> rx.Component:
    it = PublicState.item
    return rx.vstack(
        rx.hstack(
            entry_icon(it["icon"], size=28, flex_shrink="0"),
            rx.vstack(
                rx.heading(it["name"], size="5", as_="h1", class_name="pcs-ellipsis", max_width="100%"),
                rx.text(it["size"] + " · modified " + it["modified"], size="2", color_scheme="gray"),
                spacing="0",
                min_width="0",
            ),
            align="center",
            spacing="3",
            width="100%",
        ),
        rx.box(
            rx.match(
                it["preview"],
                (
                    "image",
                    rx.image(src=it["inline"], alt=it["name"], max_height="70vh", max_width="100%", margin="auto"),
                ),
                (
                    "video",
                    rx.el.video(src=it["inline"], controls=True, style={"max_width": "100%", "max_height": "70vh"}),
                ),
                ("audio", rx.el.audio(src=it["inline"], controls=True, style={"width": "100%"})),
                (
                    "pdf",
                    rx.el.iframe(
                        src=it["inline"], title=it["name"], style={"width": "100%", "height": "70vh", "border": "0"}
                    ),
                ),
                rx.fragment(),
            ),
            width="100%",
            id="public-preview",
        ),
        # rx.download clicks a real anchor, so the bytes stream straight from the API (an <a> of the
        # app would be taken over by its client-side router).
        rx.button(
            rx.icon("download", size=16),
            "Download",
            size="3",
            on_click=rx.download(url=it["download"], filename=it["name"]),
            id="public-download",
        ),
        spacing="4",
        width="100%",
    )


def public_row(row: Row) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.cond(
                row["thumb"] != "",
                rx.image(src=row["thumb"], alt="", width="2.5rem", height="2.5rem", object_fit="cover", loading="lazy"),
                entry_icon(
                    row["icon"], size=22, color=rx.cond(row["kind"] == "folder", "var(--accent-9)", "var(--gray-10)")
                ),
            ),
            width="2.5rem",
            height="2.5rem",
            flex_shrink="0",
            overflow="hidden",
            border_radius="var(--radius-2)",
        ),
        rx.cond(
            row["kind"] == "folder",
            rx.link(row["name"], href=row["href"], class_name="pcs-ellipsis", weight="medium", flex="1", min_width="0"),
            rx.el.button(
                row["name"],
                on_click=rx.download(url=row["href"], filename=row["name"]),
                class_name="pcs-name pcs-public-file",
                title="Download " + row["name"],
                style={"flex": "1", "min_width": "0"},
            ),
        ),
        rx.text(row["size"], size="2", color_scheme="gray", white_space="nowrap"),
        rx.text(row["modified"], size="2", color_scheme="gray", white_space="nowrap", display=["none", "block"]),
        align="center",
        spacing="3",
        width="100%",
        min_height="3rem",
        border_bottom="1px solid var(--gray-4)",
        class_name="pcs-public-row",
    )


def folder_view() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.hstack(
                rx.foreach(
                    PublicState.crumbs,
                    lambda c, i: rx.hstack(
                        rx.cond(i > 0, rx.icon("chevron-right", size=16, color="var(--gray-9)")),
                        rx.link(
                            c["name"],
                            href=c["href"],
                            size="3",
                            weight=rx.cond(i == PublicState.crumbs.length() - 1, "bold", "regular"),
                        ),
                        align="center",
                        spacing="1",
                    ),
                ),
                wrap="wrap",
                spacing="1",
                id="public-crumbs",
            ),
            rx.spacer(),
            rx.button(
                rx.icon("download", size=16),
                "Download all (zip)",
                variant="soft",
                on_click=rx.download(url=PublicState.item["zip"], filename=PublicState.item["name"] + ".zip"),
                id="public-zip",
            ),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            PublicState.rows.length() == 0,
            rx.text("This folder is empty.", color_scheme="gray"),
            rx.vstack(rx.foreach(PublicState.rows, public_row), spacing="0", width="100%", id="public-list"),
        ),
        rx.cond(
            PublicState.next_cursor != "",
            rx.button("Load more", variant="soft", on_click=PublicState.load_more, id="public-more"),
        ),
        spacing="3",
        width="100%",
    )


def drop_view() -> rx.Component:
    return rx.vstack(
        rx.heading("Send files to “" + PublicState.item["name"] + "”", size="5", as_="h1"),
        rx.text("Whatever you send goes to its owner; you will not see what is already there.", color_scheme="gray"),
        rx.el.label(
            rx.vstack(
                rx.icon("upload", size=36, color="var(--accent-9)"),
                rx.text("Drop files here, or choose them", weight="medium"),
                rx.el.input(type="file", multiple=True, id="drop-input", class_name="pcs-visually-hidden"),
                align="center",
                spacing="2",
            ),
            html_for="drop-input",
            id="drop-zone",
            class_name="pcs-drop-zone",
            custom_attrs={"data-token": PublicState.token},
        ),
        rx.el.ul(id="drop-list", class_name="pcs-drop-list", aria_live="polite"),
        spacing="3",
        width="100%",
    )


def public_page() -> rx.Component:
    return _frame(
        rx.match(
            PublicState.link_state,
            ("loading", rx.center(rx.spinner(size="3"), padding="3rem")),
            ("password", password_form()),
            (
                "gone",
                _notice(
                    "link-2-off",
                    "This link is no longer available",
                    "Ask whoever shared it for a new one.",
                    "link-gone",
                ),
            ),
            (
                "missing",
                _notice("circle-help", "No such link", "Check the address: it may be incomplete.", "link-missing"),
            ),
            rx.cond(
                PublicState.item["upload_only"] == "1",
                drop_view(),
                rx.cond(PublicState.item["kind"] == "folder", folder_view(), file_view()),
            ),
        )
    )
