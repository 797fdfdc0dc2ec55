"""The page header and the folder path."""

from __future__ import annotations

import reflex as rx
from reflex.style import set_color_mode

from .. import routes
from ..states import AuthState, FilesState
from .search import search_box
from .usage import usage_button


def header() -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.hstack(rx.icon("cloud", size=24), rx.heading("PCS", size="5"), align="center", spacing="2"),
            href=routes.FILES,
            color="inherit",
            underline="none",
            aria_label="PCS home: My files",
        ),
        rx.el.nav(
            rx.hstack(
                rx.link("My files", href=routes.FILES, size="2", id="nav-files"),
                rx.link("Shared with me", href=routes.SHARED, size="2", id="nav-shared"),
                rx.link("Trash", href=routes.TRASH, size="2", id="nav-trash"),
                rx.link("Dashboard", href=routes.DASHBOARD, size="2", id="nav-dashboard", class_name="pcs-nav-wide"),
                spacing="3",
                align="center",
            ),
            aria_label="Main",
            margin_left="1rem",
            display=["none", "block"],
        ),
        search_box(),
        rx.spacer(),
        usage_button(),
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("circle-user", size=18),
                    rx.text(AuthState.email, display=["none", "none", "inline"]),
                    variant="soft",
                    size="2",
                    aria_label="Account",
                    class_name="pcs-touch",
                )
            ),
            rx.menu.content(
                rx.menu.item(AuthState.email, disabled=True, class_name="pcs-account-email"),
                rx.menu.separator(),
                rx.menu.item("My files", on_click=rx.redirect(routes.FILES)),
                rx.menu.item("Shared with me", on_click=rx.redirect(routes.SHARED), id="menu-shared"),
                rx.menu.item("Trash", on_click=rx.redirect(routes.TRASH), id="menu-trash"),
                rx.menu.separator(),
                rx.menu.item("Dashboard", on_click=rx.redirect(routes.DASHBOARD), id="menu-dashboard"),
                rx.menu.item("Activity", on_click=rx.redirect(routes.ACTIVITY), id="menu-activity"),
                rx.menu.item("Settings", on_click=rx.redirect(routes.SETTINGS), id="menu-settings"),
                # Light or dark, or follow the system (the default).
                rx.menu.sub(
                    rx.menu.sub_trigger(rx.icon("sun-moon", size=16), "Theme", id="menu-theme"),
                    rx.menu.sub_content(
                        rx.menu.item("System", on_click=set_color_mode("system"), id="theme-system"),
                        rx.menu.item("Light", on_click=set_color_mode("light"), id="theme-light"),
                        rx.menu.item("Dark", on_click=set_color_mode("dark"), id="theme-dark"),
                    ),
                ),
                rx.menu.separator(),
                rx.menu.item("Sign out", on_click=AuthState.sign_out, id="sign-out"),
            ),
        ),
        width="100%",
        padding_y="0.75rem",
        align="center",
    )


def breadcrumbs() -> rx.Component:
    return rx.el.nav(
        rx.hstack(
            # On a phone a deep path shows as "… / parent / folder"; the "…" goes one level further up.
            rx.cond(
                FilesState.crumbs.length() > 2,
                rx.hstack(
                    rx.link(
                        "…",
                        href=FilesState.crumbs[FilesState.crumbs.length() - 3]["href"],
                        aria_label="Folders above",
                        class_name="pcs-touch-link",
                        size="3",
                    ),
                    align="center",
                    spacing="1",
                    class_name="pcs-crumb-more",
                ),
            ),
            rx.foreach(
                FilesState.crumbs,
                lambda c, i: rx.hstack(
                    rx.cond(i > 0, rx.icon("chevron-right", size=16, color="var(--gray-9)")),
                    rx.link(
                        c["name"],
                        href=c["href"],
                        size="3",
                        weight=rx.cond(i == FilesState.crumbs.length() - 1, "bold", "regular"),
                        custom_attrs={"data-drop-folder": c["id"]},
                        padding="0.25rem",
                        border_radius="var(--radius-2)",
                    ),
                    align="center",
                    spacing="1",
                    class_name="pcs-crumb",
                    custom_attrs={"data-deep": rx.cond(i < FilesState.crumbs.length() - 2, "true", "false")},
                ),
            ),
            wrap="wrap",
            align="center",
            spacing="1",
        ),
        aria_label="Folder path",
        id="breadcrumbs",
    )
