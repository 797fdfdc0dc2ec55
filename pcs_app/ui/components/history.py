"""The version history panel of a file, and its confirmations. Stateless pieces that take Vars."""

from __future__ import annotations

from typing import Any, Literal

import reflex as rx
from reflex.vars import ObjectVar

from ..states.history import HistoryState
from .icons import either_icon, entry_icon

Row = ObjectVar[dict[str, str]]


def _icon_button(icon: str | rx.Component, label: Any, on_click: Any, marker: str, **props: Any) -> rx.Component:
    """``icon``: a Lucide name, or an icon component when a Var chooses it (components/icons.py)."""
    return rx.icon_button(
        rx.icon(icon, size=18) if isinstance(icon, str) else icon,
        variant="ghost",
        size="2",
        on_click=on_click,
        aria_label=label,
        title=label,
        class_name="pcs-touch " + marker,
        **props,
    )


def _badge(text: str, color: Literal["green", "amber"], icon: str, class_name: str) -> rx.Component:
    return rx.badge(rx.icon(icon, size=12), text, color_scheme=color, variant="soft", class_name=class_name)


def version_item(v: Row) -> rx.Component:
    current = v["current"] == "1"
    pinned = v["pinned"] == "1"
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                rx.text(v["when"], weight="medium", size="2", title=v["when_iso"], white_space="nowrap"),
                rx.cond(current, _badge("Current", "green", "check", "pcs-current")),
                rx.cond(pinned, _badge("Pinned", "amber", "pin", "pcs-pinned")),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(
                v["size"] + " · by " + v["author"],
                size="1",
                color_scheme="gray",
                class_name="pcs-ellipsis",
                max_width="100%",
            ),
            spacing="1",
            min_width="0",
            class_name="pcs-version-info",
        ),
        rx.hstack(
            _icon_button("eye", "Preview", HistoryState.view_version(v["id"]), "pcs-v-preview"),
            _icon_button(
                "download",
                "Download",
                rx.download(url=v["href"], filename=HistoryState.history_name),
                "pcs-v-download",
            ),
            rx.cond(
                current,
                rx.fragment(),
                _icon_button(
                    "rotate-ccw",
                    "Restore this version",
                    HistoryState.ask("restore", v["id"]),
                    "pcs-v-restore",
                ),
            ),
            _icon_button(
                either_icon(pinned, "pin-off", "pin", size=18),
                rx.cond(pinned, "Unpin (retention may thin it)", "Pin (always keep)"),
                HistoryState.toggle_pin(v["id"]),
                "pcs-v-pin",
            ),
            rx.cond(
                current,
                rx.fragment(),
                _icon_button(
                    "trash-2",
                    "Delete this version",
                    HistoryState.ask("delete", v["id"]),
                    "pcs-v-delete",
                    color_scheme="red",
                ),
            ),
            spacing="1",
            align="center",
            class_name="pcs-version-actions",
        ),
        class_name="pcs-version",
        custom_attrs={"data-version-id": v["id"], "data-current": rx.cond(current, "true", "false")},
    )


def version_list() -> rx.Component:
    return rx.cond(
        HistoryState.history_loading,
        rx.center(rx.spinner(size="3"), padding="2rem"),
        rx.cond(
            HistoryState.history_error != "",
            rx.text(HistoryState.history_error, color_scheme="red", role="alert", id="history-error"),
            rx.el.ul(rx.foreach(HistoryState.versions, version_item), class_name="pcs-versions", id="history-list"),
        ),
    )


def version_preview() -> rx.Component:
    v: ObjectVar[dict[str, str]] = HistoryState.viewing
    body = rx.match(
        v["preview"],
        ("image", rx.image(src=v["inline"], alt="", max_height="55vh", max_width="100%", object_fit="contain")),
        ("video", rx.el.video(src=v["inline"], controls=True, style={"max_width": "100%", "max_height": "55vh"})),
        ("audio", rx.el.audio(src=v["inline"], controls=True, style={"width": "100%"})),
        ("pdf", rx.el.iframe(src=v["inline"], title="Version preview", class_name="pcs-version-frame")),
        (
            "text",
            rx.cond(
                v["mime"] == "text/markdown",
                rx.scroll_area(
                    rx.html(HistoryState.viewing_html, class_name="pcs-markdown", id="version-markdown"),
                    max_height="55vh",
                    type="auto",
                    width="100%",
                ),
                rx.el.pre(
                    HistoryState.viewing_text, class_name="pcs-text-preview", id="version-text", style={"width": "100%"}
                ),
            ),
        ),
        rx.center(
            rx.vstack(
                entry_icon(v["icon"], size=48, color="var(--gray-9)"),
                rx.text("No preview for this kind of file; download it instead."),
                align="center",
            ),
            padding="2rem",
        ),
    )
    return rx.vstack(
        rx.hstack(
            rx.button(
                rx.icon("arrow-left", size=16),
                "All versions",
                variant="ghost",
                on_click=HistoryState.back_to_list,
                class_name="pcs-touch",
                id="history-back",
            ),
            rx.spacer(),
            rx.text(v["when"] + " · " + v["size"], size="2", color_scheme="gray", white_space="nowrap"),
            width="100%",
            align="center",
        ),
        rx.center(body, width="100%", id="version-preview"),
        rx.hstack(
            rx.button(
                rx.icon("download", size=16),
                "Download",
                variant="soft",
                on_click=rx.download(url=v["href"], filename=HistoryState.history_name),
                class_name="pcs-touch",
                id="version-download",
            ),
            rx.cond(
                v["current"] == "1",
                rx.fragment(),
                rx.button(
                    rx.icon("rotate-ccw", size=16),
                    "Restore",
                    on_click=HistoryState.ask("restore", v["id"]),
                    class_name="pcs-touch",
                    id="version-restore",
                ),
            ),
            justify="end",
            width="100%",
            spacing="2",
        ),
        spacing="3",
        width="100%",
    )


def confirm_dialog() -> rx.Component:
    is_restore = HistoryState.confirm == "restore"
    when = HistoryState.confirm_version["when"]
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(rx.cond(is_restore, "Restore this version?", "Delete this version?")),
            rx.alert_dialog.description(
                rx.cond(
                    is_restore,
                    "The version from " + when + " becomes the current content. "
                    "What the file holds now is kept as a version: nothing is lost.",
                    "The version from " + when + " is deleted for good. This cannot be undone.",
                ),
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", class_name="pcs-touch")
                ),
                rx.alert_dialog.action(
                    rx.button(
                        rx.cond(is_restore, "Restore", "Delete version"),
                        color_scheme=rx.cond(is_restore, "indigo", "red"),
                        on_click=HistoryState.confirmed,
                        class_name="pcs-touch",
                        id="confirm-version",
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            width="min(28rem, calc(100vw - 2rem))",
            max_width="min(28rem, calc(100vw - 2rem))",
            id="version-confirm",
        ),
        open=HistoryState.confirm != "",
        on_open_change=HistoryState.set_confirm_open,
    )


def history_dialog() -> rx.Component:
    return rx.fragment(
        rx.dialog.root(
            rx.dialog.content(
                rx.hstack(
                    rx.vstack(
                        rx.dialog.title("Version history", margin="0", size="4"),
                        rx.text(
                            HistoryState.history_name,
                            size="2",
                            color_scheme="gray",
                            class_name="pcs-ellipsis",
                            max_width="100%",
                        ),
                        spacing="0",
                        min_width="0",
                        flex="1",
                    ),
                    rx.dialog.close(
                        rx.icon_button(
                            rx.icon("x", size=18), variant="ghost", aria_label="Close", class_name="pcs-touch"
                        )
                    ),
                    align="start",
                    width="100%",
                ),
                rx.dialog.description(
                    "Every upload keeps the previous content. Pinned versions are never thinned.",
                    font_size="0.8rem",
                    color="var(--gray-11)",
                    margin_y="0.5rem",
                ),
                rx.cond(HistoryState.viewing["id"] != "", version_preview(), version_list()),
                # A definite width: Radix's scroll box would grow to the content's min-content width
                # (a long file name) and push the dialog off a phone's screen.
                width="min(44rem, calc(100vw - 2rem))",
                max_width="min(44rem, calc(100vw - 2rem))",
                id="history-panel",
                class_name="pcs-dialog",
            ),
            open=HistoryState.history_open,
            on_open_change=HistoryState.set_history_open,
        ),
        confirm_dialog(),
    )
