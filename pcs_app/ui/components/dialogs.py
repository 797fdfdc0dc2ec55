"""Dialogs: a name (new folder, rename), a folder picker (move, copy), the preview; and the Undo bar."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ..states import ActionsState, PreviewState
from ..states.history import HistoryState
from ..states.preview import TEXT_PREVIEW_BYTES
from .icons import entry_icon


def name_dialog() -> rx.Component:
    is_rename = ActionsState.dialog == "rename"
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(is_rename, "Rename", "New folder")),
            rx.form(
                rx.vstack(
                    rx.el.label("Name", html_for="dialog-name", class_name="rt-Text rt-r-size-2"),
                    rx.input(
                        id="dialog-name",
                        name="name",
                        value=ActionsState.dialog_name,
                        on_change=ActionsState.set_dialog_name,
                        auto_focus=True,
                        size="3",
                        width="100%",
                    ),
                    rx.cond(
                        ActionsState.dialog_error != "",
                        rx.text(
                            ActionsState.dialog_error, color_scheme="red", size="2", role="alert", id="dialog-error"
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button(rx.cond(is_rename, "Rename", "Create"), type="submit", id="dialog-submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=ActionsState.submit_name,
                reset_on_submit=False,
            ),
            max_width="28rem",
        ),
        open=(ActionsState.dialog == "rename") | (ActionsState.dialog == "new_folder"),
        on_open_change=ActionsState.set_dialog_open,
    )


def picker_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(ActionsState.dialog == "move", "Move to…", "Copy to…")),
            rx.hstack(
                rx.foreach(
                    ActionsState.picker_crumbs,
                    lambda c, i: rx.hstack(
                        rx.cond(i > 0, rx.icon("chevron-right", size=14)),
                        rx.link(c["name"], on_click=ActionsState.browse_picker(c["id"]), href="#", size="2"),
                        align="center",
                        spacing="1",
                    ),
                ),
                wrap="wrap",
                spacing="1",
                id="picker-crumbs",
            ),
            rx.box(
                rx.foreach(
                    ActionsState.picker_folders,
                    lambda f: rx.el.button(
                        rx.icon("folder", size=18, color="var(--accent-9)", flex_shrink="0"),
                        rx.el.span(f["name"], class_name="pcs-ellipsis"),
                        on_click=ActionsState.browse_picker(f["id"]),
                        class_name="pcs-picker-item",
                    ),
                ),
                rx.cond(
                    ActionsState.picker_folders.length() == 0,
                    rx.text("No subfolders here.", color_scheme="gray", size="2", padding="0.5rem"),
                ),
                max_height="50vh",
                min_height="6rem",
                overflow_y="auto",
                border="1px solid var(--gray-5)",
                border_radius="var(--radius-2)",
                margin_top="0.5rem",
                id="picker-folders",
            ),
            rx.cond(
                ActionsState.picker_naming,
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="name",
                            placeholder="New folder name",
                            auto_focus=True,
                            id="picker-new-name",
                            flex_grow="1",
                            aria_label="New folder name",
                        ),
                        rx.button("Create", type="submit", variant="soft", id="picker-new-submit"),
                        width="100%",
                        margin_top="0.5rem",
                    ),
                    on_submit=ActionsState.picker_new_folder,
                    reset_on_submit=True,
                ),
                rx.button(
                    rx.icon("folder-plus", size=16),
                    "New folder",
                    variant="ghost",
                    size="2",
                    on_click=ActionsState.set_picker_naming(True),
                    id="picker-new-folder",
                    margin_top="0.5rem",
                    class_name="pcs-touch",
                ),
            ),
            rx.cond(
                ActionsState.dialog_error != "",
                rx.text(ActionsState.dialog_error, color_scheme="red", size="2", role="alert"),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    rx.cond(ActionsState.dialog == "move", "Move here", "Copy here"),
                    on_click=ActionsState.move_or_copy_here,
                    id="picker-submit",
                ),
                justify="end",
                width="100%",
                margin_top="1rem",
            ),
            max_width="30rem",
        ),
        open=(ActionsState.dialog == "move") | (ActionsState.dialog == "copy"),
        on_open_change=ActionsState.set_dialog_open,
    )


def preview_body() -> rx.Component | rx.Var[Any]:
    p: ObjectVar[dict[str, str]] = PreviewState.preview
    inline = p["href"] + "?inline=true"
    return rx.match(
        p["preview"],
        (
            "image",
            # A click zooms to the image's own size (scroll to pan) and back (assets/browser_nav.js).
            rx.box(
                rx.image(
                    src=inline, alt=p["name"], max_height="70vh", max_width="100%", object_fit="contain", margin="auto"
                ),
                class_name="pcs-zoom",
                id="preview-image",
                title="Click to zoom",
            ),
        ),
        ("video", rx.el.video(src=inline, controls=True, style={"max_width": "100%", "max_height": "70vh"})),
        ("audio", rx.el.audio(src=inline, controls=True, style={"width": "100%"})),
        ("pdf", rx.el.iframe(src=inline, title=p["name"], style={"width": "100%", "height": "70vh", "border": "0"})),
        (
            "text",
            rx.cond(
                p["mime"] == "text/markdown",
                rx.scroll_area(
                    rx.html(PreviewState.preview_html, class_name="pcs-markdown", id="preview-markdown"),
                    max_height="60vh",
                    type="auto",
                ),
                rx.el.pre(PreviewState.preview_text, id="preview-text", class_name="pcs-text-preview"),
            ),
        ),
        rx.center(
            rx.vstack(
                entry_icon(p["icon"], size=56, color="var(--gray-9)"),
                rx.text("No preview for this kind of file."),
                align="center",
            ),
            padding="2rem",
        ),
    )


def preview_dialog() -> rx.Component:
    p: ObjectVar[dict[str, str]] = PreviewState.preview
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title(
                    p["name"], margin="0", overflow="hidden", text_overflow="ellipsis", white_space="nowrap"
                ),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("chevron-left", size=18),
                    variant="ghost",
                    aria_label="Previous file",
                    on_click=PreviewState.preview_step(-1),
                    id="preview-prev",
                    class_name="pcs-touch",
                ),
                rx.icon_button(
                    rx.icon("chevron-right", size=18),
                    variant="ghost",
                    aria_label="Next file",
                    on_click=PreviewState.preview_step(1),
                    id="preview-next",
                    class_name="pcs-touch",
                ),
                rx.dialog.close(rx.icon_button(rx.icon("x", size=18), variant="ghost", aria_label="Close preview")),
                align="center",
                width="100%",
            ),
            rx.text(p["size"] + " · " + p["mime"] + " · modified " + p["modified"], size="2", color_scheme="gray"),
            rx.box(preview_body(), margin_y="1rem", id="preview-body"),
            rx.cond(
                PreviewState.preview_cut,
                rx.callout(
                    f"This shows the first {TEXT_PREVIEW_BYTES // 1024} KiB only. Download the file to read all of it.",
                    icon="info",
                    size="1",
                    margin_bottom="0.75rem",
                    id="preview-cut",
                ),
            ),
            rx.hstack(
                rx.button(
                    rx.icon("history", size=16),
                    "Version history",
                    variant="soft",
                    on_click=[PreviewState.set_preview_open(False), HistoryState.open_history(p["id"])],
                    class_name="pcs-touch",
                    id="preview-history",
                ),
                rx.button(
                    rx.icon("download", size=16),
                    "Download",
                    on_click=rx.download(url=p["href"], filename=p["name"]),
                    class_name="pcs-touch",
                    id="preview-download",
                ),
                justify="end",
                wrap="wrap",
            ),
            max_width="min(60rem, 96vw)",
        ),
        open=PreviewState.preview_open,
        on_open_change=PreviewState.set_preview_open,
    )


def undo_bar() -> rx.Component:
    return rx.cond(
        ActionsState.undo_shown,
        rx.hstack(
            rx.text(ActionsState.undo_label, size="2", class_name="pcs-ellipsis", white_space="nowrap"),
            rx.button("Undo", size="2", variant="solid", on_click=ActionsState.undo, id="undo"),
            rx.icon_button(
                rx.icon("x", size=16),
                size="2",
                variant="ghost",
                on_click=ActionsState.dismiss_undo,
                aria_label="Dismiss",
                class_name="pcs-undo-close pcs-touch",
            ),
            position="fixed",
            bottom="1rem",
            left="50%",
            transform="translateX(-50%)",
            width="max-content",
            max_width="calc(100vw - 1rem)",
            class_name="pcs-undo-bar",
            background="var(--gray-12)",
            color="var(--gray-1)",
            padding="0.5rem 0.75rem",
            border_radius="var(--radius-3)",
            box_shadow="var(--shadow-4)",
            align="center",
            z_index="50",
            role="status",
            id="undo-bar",
        ),
    )
