"""The usage bar in the header and its popover: what takes the space."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from .. import routes
from ..states.base import AuthState
from ..states.usage import UsageState

Part = ObjectVar[dict[str, str]]


def meter() -> rx.Component:
    """How full the quota is; amber over 80 %, red over 95 % (hidden when there is no quota)."""
    return rx.el.div(
        rx.el.div(style={"width": AuthState.used_pct.to_string() + "%"}),
        class_name="pcs-meter",
        custom_attrs={"data-level": AuthState.used_level},
        role="progressbar",
        aria_label="Storage used",
        aria_valuenow=AuthState.used_pct,
        aria_valuemin=0,
        aria_valuemax=100,
    )


def _part_row(p: Part) -> rx.Component:
    return rx.hstack(
        rx.el.span(class_name="pcs-swatch", custom_attrs={"data-part": p["key"]}),
        rx.text(p["label"], size="2", flex="1"),
        rx.text(p["size"], size="2", weight="medium", white_space="nowrap"),
        rx.cond(
            p["key"] == "trash",
            rx.link(
                "Open",
                href=routes.TRASH,
                size="2",
                class_name="pcs-touch-link",
                id="usage-open-trash",
                aria_label="Open the trash",
            ),
        ),
        align="center",
        spacing="2",
        width="100%",
        class_name="pcs-usage-part",
        custom_attrs={"data-part": p["key"]},
    )


def _type_row(t: Part) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(t["label"], size="2", flex="1"),
            rx.text(t["size"], size="2", color_scheme="gray", white_space="nowrap"),
            width="100%",
        ),
        rx.el.div(rx.el.div(style={"width": t["pct"] + "%"}), class_name="pcs-type-bar"),
        spacing="1",
        width="100%",
        class_name="pcs-usage-type",
    )


def details() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Storage", size="3", as_="h2"),
            rx.spacer(),
            rx.text(AuthState.used, size="2", weight="medium", id="usage-total"),
            width="100%",
            align="center",
        ),
        rx.cond(
            UsageState.usage_loading & (UsageState.usage_parts.length() == 0),
            rx.center(rx.spinner(size="2"), padding="1rem", width="100%"),
            rx.vstack(
                rx.el.div(
                    rx.foreach(
                        UsageState.usage_parts,
                        lambda p: rx.el.div(
                            custom_attrs={"data-part": p["key"]},
                            style={"width": p["pct"] + "%"},
                        ),
                    ),
                    class_name="pcs-stack-bar",
                    aria_hidden="true",
                ),
                rx.vstack(rx.foreach(UsageState.usage_parts, _part_row), spacing="1", width="100%"),
                rx.text(UsageState.usage_free, size="1", color_scheme="gray", id="usage-free"),
                rx.separator(size="4"),
                rx.text("Current files by type", size="2", weight="medium"),
                rx.cond(
                    UsageState.usage_types.length() == 0,
                    rx.text("No files yet.", size="2", color_scheme="gray"),
                    rx.vstack(rx.foreach(UsageState.usage_types, _type_row), spacing="2", width="100%"),
                ),
                rx.text(
                    "Older versions and the trash count too: delete them to free space.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.link(
                    "Open the usage dashboard",
                    href=routes.DASHBOARD,
                    size="2",
                    class_name="pcs-touch-link",
                    id="usage-open-dashboard",
                ),
                spacing="3",
                width="100%",
            ),
        ),
        rx.cond(
            UsageState.usage_error != "",
            rx.text(UsageState.usage_error, color_scheme="red", size="2", role="alert"),
        ),
        spacing="3",
        width="100%",
        id="usage-details",
    )


def usage_button() -> rx.Component:
    """The header's bar; a click opens the breakdown."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.el.button(
                rx.el.span(AuthState.used, class_name="pcs-usage-text pcs-usage-long", id="usage"),
                # Phones: "83% used" (the whole line would crowd the header; the popover has it).
                rx.el.span(
                    rx.cond(AuthState.used_level == "", AuthState.used, AuthState.used_pct.to_string() + "% used"),
                    class_name="pcs-usage-text pcs-usage-short",
                ),
                meter(),
                class_name="pcs-usage-btn",
                custom_attrs={"data-level": AuthState.used_level},
                title=AuthState.used + ": what takes the space",
                id="usage-button",
            )
        ),
        rx.popover.content(
            details(),
            width="min(22rem, calc(100vw - 1.5rem))",
            collision_padding=12,
            align="end",
            id="usage-popover",
        ),
        open=UsageState.usage_open,
        on_open_change=UsageState.set_usage_open,
    )
