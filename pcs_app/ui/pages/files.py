"""The file browser page."""

from __future__ import annotations

import reflex as rx

from ..components.details import details_dialog
from ..components.dialogs import name_dialog, picker_dialog, preview_dialog, undo_bar
from ..components.header import breadcrumbs, header
from ..components.history import history_dialog
from ..components.listing import list_head, listing
from ..components.share_dialog import share_dialog
from ..components.toolbar import toolbar
from ..states import FilesState
from ..styles import MAX_WIDTH


def files_page() -> rx.Component:
    return rx.box(
        rx.vstack(
            # The header, the path, the actions and the column names stay in view while the rows scroll.
            rx.box(
                header(),
                breadcrumbs(),
                toolbar(),
                rx.cond((FilesState.view != "grid") & (FilesState.total > 0), list_head()),
                id="sticky-top",
                class_name="pcs-sticky",
            ),
            listing(),
            spacing="0",
            width="100%",
            max_width=MAX_WIDTH,
            margin="0 auto",
            padding_x=["0.75rem", "1rem", "1.5rem"],
            padding_bottom="6rem",
            id="files-main",
        ),
        name_dialog(),
        picker_dialog(),
        preview_dialog(),
        undo_bar(),
        share_dialog(),
        history_dialog(),
        details_dialog(),
        rx.el.div(id="upload-panel", role="region", aria_label="Uploads", aria_live="polite"),
        rx.el.div(rx.text("Drop to upload here"), id="drop-overlay", aria_hidden="true"),
        rx.script(src="/uploader.js"),
        rx.script(src="/browser_nav.js"),
    )
