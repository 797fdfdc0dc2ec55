"""The file browser page: breadcrumbs, list and grid views, selection, dialogs, uploads, live updates."""

from __future__ import annotations

import reflex as rx

from . import routes
from .state import FilesState
from .styles import MAX_WIDTH, ROW_HEIGHT, focus_ring, mobile_hidden


def header() -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.hstack(rx.icon("cloud", size=24), rx.heading("PCS", size="5"), align="center", spacing="2"),
            href=routes.FILES,
            color="inherit",
            underline="none",
            aria_label="PCS home: My files",
        ),
        rx.spacer(),
        rx.text(FilesState.used, size="2", color_scheme="gray", id="usage", display=["none", "block"]),
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("circle-user", size=18),
                    rx.text(FilesState.email, display=["none", "none", "inline"]),
                    variant="soft",
                    size="2",
                    aria_label="Account",
                )
            ),
            rx.menu.content(
                rx.menu.item(FilesState.email, disabled=True),
                rx.menu.separator(),
                rx.menu.item("Sign out", on_click=FilesState.sign_out, id="sign-out"),
            ),
        ),
        width="100%",
        padding_y="0.75rem",
        align="center",
    )


def breadcrumbs() -> rx.Component:
    return rx.el.nav(
        rx.hstack(
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
                ),
            ),
            wrap="wrap",
            align="center",
            spacing="1",
        ),
        aria_label="Folder path",
        id="breadcrumbs",
    )


def _action(icon: str, label: str, on_click: object, id_: str, **props: object) -> rx.Component:
    """A toolbar button for the current selection."""
    return rx.button(rx.icon(icon, size=16), label, variant="soft", size="2", on_click=on_click, id=id_, **props)


def toolbar() -> rx.Component:
    selection_actions = rx.hstack(
        rx.text(FilesState.selected_count.to_string() + " selected", size="2", weight="medium", id="selection-count"),
        # rx.download clicks a real anchor in the browser, so the file streams straight from the
        # API (an <a> rendered by the app would be taken over by the client-side router).
        _action(
            "download",
            "Download",
            rx.download(url=FilesState.download_url, filename=FilesState.download_name),
            "download-selected",
        ),
        _action("folder-input", "Move", FilesState.open_dialog("move"), "move-selected"),
        _action("copy", "Copy", FilesState.open_dialog("copy"), "copy-selected"),
        rx.cond(
            FilesState.selected_count == 1,
            _action("pencil", "Rename", FilesState.open_dialog("rename"), "rename-selected"),
        ),
        _action("trash-2", "Delete", FilesState.trash_selected, "delete-selected", color_scheme="red"),
        rx.icon_button(
            rx.icon("x", size=16),
            variant="ghost",
            size="2",
            on_click=FilesState.clear_selection,
            aria_label="Clear selection",
            id="clear-selection",
        ),
        wrap="wrap",
        spacing="2",
        align="center",
    )
    main_actions = rx.hstack(
        rx.button(
            rx.icon("upload", size=16),
            "Upload",
            size="2",
            id="upload-button",
            on_click=rx.call_script("document.getElementById('upload-input').click()"),
        ),
        rx.button(
            rx.icon("folder-up", size=16),
            rx.text("Upload folder", display=["none", "inline"]),
            variant="soft",
            size="2",
            id="upload-folder-button",
            aria_label="Upload folder",
            on_click=rx.call_script("document.getElementById('upload-folder-input').click()"),
        ),
        rx.button(
            rx.icon("folder-plus", size=16),
            rx.text("New folder", display=["none", "inline"]),
            variant="soft",
            size="2",
            on_click=FilesState.open_dialog("new_folder"),
            id="new-folder",
            aria_label="New folder",
        ),
        rx.spacer(),
        rx.segmented_control.root(
            rx.segmented_control.item(rx.icon("list", size=16), value="list", aria_label="List view"),
            rx.segmented_control.item(rx.icon("layout-grid", size=16), value="grid", aria_label="Grid view"),
            value=FilesState.view,
            on_change=FilesState.set_view,
            size="2",
            id="view-toggle",
        ),
        width="100%",
        spacing="2",
        align="center",
    )
    return rx.box(
        rx.cond(FilesState.selected_count > 0, selection_actions, main_actions),
        rx.el.input(type="file", id="upload-input", multiple=True, hidden=True, aria_label="Choose files to upload"),
        rx.el.input(
            type="file",
            id="upload-folder-input",
            multiple=True,
            hidden=True,
            custom_attrs={"webkitdirectory": "", "directory": ""},
            aria_label="Choose a folder to upload",
        ),
        width="100%",
        min_height="2.75rem",
        padding_y="0.5rem",
    )


def sort_header(label: str, column: str, **props: object) -> rx.Component:
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


def list_row(item: rx.Var[dict[str, str]]) -> rx.Component:
    selected = FilesState.selected.contains(item["id"])
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=selected,
                on_change=lambda _v: FilesState.toggle(item["id"]),
                aria_label="Select " + item["name"],
                size="2",
            ),
            width="2.5rem",
            on_click=rx.stop_propagation,
            vertical_align="middle",
        ),
        rx.table.cell(
            rx.hstack(
                rx.icon(
                    item["icon"],
                    size=20,
                    color=rx.cond(item["kind"] == "folder", "var(--accent-9)", "var(--gray-10)"),
                    flex_shrink="0",
                ),
                rx.vstack(
                    rx.el.button(
                        item["name"],
                        on_click=[rx.stop_propagation, FilesState.open_item(item["id"])],
                        class_name="pcs-name",
                        title=item["name"],
                    ),
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
        on_click=lambda e: FilesState.click_row(item["id"], e),
        on_double_click=FilesState.open_item(item["id"]),
        background=rx.cond(selected, "var(--accent-3)", "transparent"),
        height=ROW_HEIGHT,
        cursor="default",
        custom_attrs={
            "data-node-id": item["id"],
            "data-kind": item["kind"],
            "data-drop-folder": rx.cond(item["kind"] == "folder", item["id"], ""),
            "draggable": "true",
            "data-selected": rx.cond(selected, "true", "false"),
        },
        class_name="pcs-row",
    )


def list_view() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(
                    rx.checkbox(
                        checked=FilesState.all_selected,
                        on_change=lambda _v: FilesState.toggle_all(),
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


def grid_card(item: rx.Var[dict[str, str]]) -> rx.Component:
    selected = FilesState.selected.contains(item["id"])
    return rx.card(
        rx.vstack(
            rx.center(
                rx.cond(
                    item["thumb"] != "",
                    rx.image(
                        src=item["thumb"], alt="", loading="lazy", width="100%", height="100%", object_fit="cover"
                    ),
                    rx.icon(
                        item["icon"],
                        size=44,
                        color=rx.cond(item["kind"] == "folder", "var(--accent-9)", "var(--gray-10)"),
                    ),
                ),
                overflow="hidden",
                height="5.5rem",
                width="100%",
                background="var(--gray-2)",
                border_radius="var(--radius-2)",
            ),
            rx.el.button(
                item["name"],
                on_click=[rx.stop_propagation, FilesState.open_item(item["id"])],
                class_name="pcs-name",
                title=item["name"],
            ),
            rx.text(rx.cond(item["kind"] == "folder", "Folder", item["size"]), size="1", color_scheme="gray"),
            spacing="2",
            width="100%",
        ),
        on_click=lambda e: FilesState.click_row(item["id"], e),
        on_double_click=FilesState.open_item(item["id"]),
        background=rx.cond(selected, "var(--accent-3)", "var(--color-panel)"),
        custom_attrs={
            "data-node-id": item["id"],
            "data-kind": item["kind"],
            "data-drop-folder": rx.cond(item["kind"] == "folder", item["id"], ""),
            "draggable": "true",
            "data-selected": rx.cond(selected, "true", "false"),
        },
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


def name_dialog() -> rx.Component:
    is_rename = FilesState.dialog == "rename"
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(is_rename, "Rename", "New folder")),
            rx.form(
                rx.vstack(
                    rx.el.label("Name", html_for="dialog-name", class_name="rt-Text rt-r-size-2"),
                    rx.input(
                        id="dialog-name",
                        name="name",
                        value=FilesState.dialog_name,
                        on_change=FilesState.set_dialog_name,
                        auto_focus=True,
                        size="3",
                        width="100%",
                    ),
                    rx.cond(
                        FilesState.dialog_error != "",
                        rx.text(FilesState.dialog_error, color_scheme="red", size="2", role="alert", id="dialog-error"),
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button(rx.cond(is_rename, "Rename", "Create"), type="submit", id="dialog-submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=FilesState.submit_name,
                reset_on_submit=False,
            ),
            max_width="28rem",
        ),
        open=(FilesState.dialog == "rename") | (FilesState.dialog == "new_folder"),
        on_open_change=FilesState.set_dialog_open,
    )


def picker_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(FilesState.dialog == "move", "Move to…", "Copy to…")),
            rx.hstack(
                rx.foreach(
                    FilesState.picker_crumbs,
                    lambda c, i: rx.hstack(
                        rx.cond(i > 0, rx.icon("chevron-right", size=14)),
                        rx.link(c["name"], on_click=FilesState.browse_picker(c["id"]), href="#", size="2"),
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
                    FilesState.picker_folders,
                    lambda f: rx.el.button(
                        rx.icon("folder", size=18, color="var(--accent-9)", flex_shrink="0"),
                        rx.el.span(f["name"], class_name="pcs-ellipsis"),
                        on_click=FilesState.browse_picker(f["id"]),
                        class_name="pcs-picker-item",
                    ),
                ),
                rx.cond(
                    FilesState.picker_folders.length() == 0,
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
                FilesState.dialog_error != "",
                rx.text(FilesState.dialog_error, color_scheme="red", size="2", role="alert"),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    rx.cond(FilesState.dialog == "move", "Move here", "Copy here"),
                    on_click=FilesState.move_or_copy_here,
                    id="picker-submit",
                ),
                justify="end",
                width="100%",
                margin_top="1rem",
            ),
            max_width="30rem",
        ),
        open=(FilesState.dialog == "move") | (FilesState.dialog == "copy"),
        on_open_change=FilesState.set_dialog_open,
    )


def preview_body() -> rx.Component:
    p = FilesState.preview
    inline = p["href"] + "?inline=true"
    return rx.match(
        p["preview"],
        (
            "image",
            rx.image(
                src=inline, alt=p["name"], max_height="70vh", max_width="100%", object_fit="contain", margin="auto"
            ),
        ),
        ("video", rx.el.video(src=inline, controls=True, style={"max_width": "100%", "max_height": "70vh"})),
        ("audio", rx.el.audio(src=inline, controls=True, style={"width": "100%"})),
        ("pdf", rx.el.iframe(src=inline, title=p["name"], style={"width": "100%", "height": "70vh", "border": "0"})),
        (
            "text",
            rx.cond(
                p["mime"] == "text/markdown",
                rx.scroll_area(rx.markdown(FilesState.preview_text), max_height="60vh", type="auto"),
                rx.el.pre(FilesState.preview_text, id="preview-text", class_name="pcs-text-preview"),
            ),
        ),
        rx.center(
            rx.vstack(
                rx.icon(p["icon"], size=56, color="var(--gray-9)"),
                rx.text("No preview for this kind of file."),
                align="center",
            ),
            padding="2rem",
        ),
    )


def preview_dialog() -> rx.Component:
    p = FilesState.preview
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title(
                    p["name"], margin="0", overflow="hidden", text_overflow="ellipsis", white_space="nowrap"
                ),
                rx.spacer(),
                rx.dialog.close(rx.icon_button(rx.icon("x", size=18), variant="ghost", aria_label="Close preview")),
                align="center",
                width="100%",
            ),
            rx.text(p["size"] + " · " + p["mime"] + " · modified " + p["modified"], size="2", color_scheme="gray"),
            rx.box(preview_body(), margin_y="1rem", id="preview-body"),
            rx.hstack(
                rx.button(
                    rx.icon("download", size=16),
                    "Download",
                    on_click=rx.download(url=p["href"], filename=p["name"]),
                    id="preview-download",
                ),
                justify="end",
            ),
            max_width="min(60rem, 96vw)",
        ),
        open=FilesState.dialog == "preview",
        on_open_change=FilesState.set_dialog_open,
    )


def undo_bar() -> rx.Component:
    return rx.cond(
        FilesState.undo_ids.length() > 0,
        rx.hstack(
            rx.text(FilesState.undo_label, size="2"),
            rx.button("Undo", size="2", variant="solid", on_click=FilesState.undo, id="undo"),
            rx.icon_button(
                rx.icon("x", size=16), size="2", variant="ghost", on_click=FilesState.dismiss_undo, aria_label="Dismiss"
            ),
            position="fixed",
            bottom="1rem",
            left="50%",
            transform="translateX(-50%)",
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


def files_page() -> rx.Component:
    return rx.box(
        rx.vstack(
            header(),
            breadcrumbs(),
            toolbar(),
            rx.el.div(
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
            ),
            spacing="2",
            width="100%",
            max_width=MAX_WIDTH,
            margin="0 auto",
            padding_x=["0.75rem", "1rem", "1.5rem"],
            padding_bottom="6rem",
        ),
        name_dialog(),
        picker_dialog(),
        preview_dialog(),
        undo_bar(),
        rx.el.div(id="upload-panel", role="region", aria_label="Uploads", aria_live="polite"),
        rx.el.div(rx.text("Drop to upload here"), id="drop-overlay", aria_hidden="true"),
        rx.script(src="/uploader.js"),
    )
