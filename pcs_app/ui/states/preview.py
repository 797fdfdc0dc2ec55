"""Opening an item: a folder navigates, a file opens in the preview dialog."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pcs_app.services import content
from pcs_app.services.errors import PCSError

from .. import markdown
from .base import Events, core, run
from .selection import SelectionState

PREVIEW_KEYS = ("id", "name", "kind", "icon", "size", "modified", "modified_iso", "mime", "href", "preview", "thumb")
TEXT_PREVIEW_BYTES = 64 * 1024


class PreviewState(SelectionState):
    # Every key stays present so the dialog's closing animation can still render the last file.
    preview: rx.Field[dict[str, str]] = rx.field(default_factory=lambda: dict.fromkeys(PREVIEW_KEYS, ""))
    preview_text: rx.Field[str] = rx.field("")
    preview_html: rx.Field[str] = rx.field("")  # a Markdown file's start, rendered (ui/markdown.py)
    preview_open: rx.Field[bool] = rx.field(False)
    preview_cut: rx.Field[bool] = rx.field(False)  # the text shown is only the start of the file

    @rx.event
    def open_item(self, item_id: str) -> Any:
        it = self.item(item_id)
        if it is None:
            return None
        if it["kind"] == "folder":
            return rx.redirect(it["href"])
        return PreviewState.open_preview(item_id)

    @rx.event(background=True)
    async def open_preview(self, item_id: str) -> Events:
        async with self:
            it = self.item(item_id)
            if it is None:
                return
            item = dict(it)
            self.preview, self.preview_text, self.preview_html = item, "", ""
            self.preview_open, self.preview_cut = True, False
            self._set([item_id])
            self.anchor = item_id
        if item["preview"] != "text":
            return
        user = await self._user()
        if user is None:
            return
        try:
            _node, head = await run(content.read_head, core(), user, item_id, TEXT_PREVIEW_BYTES)
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        cut = len(head) >= TEXT_PREVIEW_BYTES
        if cut and b"\n" in head:
            head = head[: head.rindex(b"\n") + 1]  # end on a whole line, not in the middle of one
        text, html = await run(markdown.text_preview, head, item["mime"])
        async with self:
            if self.preview.get("id") != item_id:  # another file was opened meanwhile
                return
            self.preview_text, self.preview_html, self.preview_cut = text, html, cut

    @rx.event
    def preview_step(self, step: int) -> Any:
        """Previous (-1) or next (+1) file of the folder in the preview (folders are skipped)."""
        here = self.item(self.preview.get("id", ""))
        if here is None or step not in (-1, 1):
            return None
        by_index = {int(r.get("index", "-1")): r for r in self._rows.values()}
        at = int(here.get("index", "-1"))
        for k in range(1, 200):
            it = by_index.get(at + k * step)
            if it is None:
                return None
            if it["kind"] == "file":
                return PreviewState.open_preview(it["id"])
        return None

    @rx.event
    def set_preview_open(self, is_open: bool) -> None:
        self.preview_open = is_open
