"""The search box in the header: results as you type, filter chips, keyboard, opening a result or its folder.

Every search is one call of ``services.search.search`` in a thread; a newer keystroke makes older answers
stale (``_gen``), so results never arrive out of order.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import reflex as rx

from pcs_app.models import FOLDER
from pcs_app.services import search as search_service
from pcs_app.services.errors import PCSError
from pcs_app.services.units import human_size

from .. import routes
from ..format import content_url, icon_for, when
from .base import AuthState, Events, core, run

PAGE = 20
# Filter chips: (value, label). Types as the service names them; dates as days back.
TYPE_CHIPS = [
    ("folder", "Folders"),
    ("document", "Documents"),
    ("pdf", "PDFs"),
    ("image", "Images"),
    ("spreadsheet", "Sheets"),
    ("presentation", "Slides"),
    ("video", "Videos"),
    ("audio", "Audio"),
    ("archive", "Archives"),
    ("code", "Code"),
]
DATE_CHIPS = [("7", "Past week"), ("30", "Past month"), ("365", "Past year")]
WHY = {
    "max_chars": "only its beginning was searched",
    "too_large": "too large to read; searched by name",
    "corrupt": "its text could not be read",
    "encrypted": "password-protected; searched by name",
    "empty": "it is empty",
    "timeout": "took too long to read; searched by name",
    "out_of_memory": "too big to read; searched by name",
    "crashed": "its text could not be read",
    "missing": "its content is missing",
}
_MARK = re.compile(r"(</?mark>)")


def safe_snippet(snippet: str) -> str:
    """The snippet with everything escaped again except <mark> pairs (it is shown as HTML)."""
    parts = _MARK.split(snippet)
    return "".join(p if p in ("<mark>", "</mark>") else html.escape(html.unescape(p)) for p in parts)


def note_of(hit: search_service.SearchHit) -> str:
    """What the result says about the text inside a file, when not all of it was searched."""
    c = hit.content
    if c is None or c.status == "indexed" or c.status == "none":
        return ""
    if c.status == "pending":
        return "Text not searched yet"
    return "Text: " + WHY.get(c.reason or "", c.reason or "not read")


def where(hit: search_service.SearchHit) -> str:
    """The folder a result is in, as its user sees it."""
    if hit.shared:
        return "Shared with me" + (" · " + hit.path.strip("/").replace("/", " / ") if hit.path else "")
    return "My files" + (" / " + hit.path.strip("/").replace("/", " / ") if hit.path.strip("/") else "")


def result_row(hit: search_service.SearchHit) -> dict[str, str]:
    n = hit.node
    is_folder = n.kind == FOLDER
    folder_href = routes.folder_url(hit.folder_id) if hit.folder_id else routes.SHARED
    snippet = safe_snippet(hit.snippet)
    # A snippet of the name marks the title itself; one of the text goes under it.
    of_name = html.unescape(_MARK.sub("", snippet)) == n.name
    return {
        "id": n.id,
        "name": n.name,
        "title": snippet if of_name else html.escape(n.name),
        "kind": "folder" if is_folder else "file",
        "icon": icon_for(n.kind, n.mime_type),
        "where": where(hit),
        "meta": ("" if is_folder else human_size(n.size) + " · ") + when(n.modified_at),
        "snippet": "" if of_name else snippet,
        "note": note_of(hit),
        "open": routes.folder_url(n.id) if is_folder else content_url(n.id, inline=True),
        "folder": folder_href,
    }


class SearchState(AuthState):
    """What is typed in the header's search box and what it found."""

    query: rx.Field[str] = rx.field("")
    types: rx.Field[list[str]] = rx.field(default_factory=list)
    days: rx.Field[str] = rx.field("")
    results: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    next_cursor: rx.Field[str] = rx.field("")
    panel_open: rx.Field[bool] = rx.field(False)
    searching: rx.Field[bool] = rx.field(False)
    message: rx.Field[str] = rx.field("")
    _gen: int = 0

    @rx.event(background=True)
    async def set_query(self, value: str) -> Events:
        async with self:
            self.query = value
            self.panel_open = bool(value.strip()) or bool(self.types) or bool(self.days)
        async for e in self._search(more=False):
            yield e

    @rx.event(background=True)
    async def toggle_type(self, value: str) -> Events:
        async with self:
            self.types = [t for t in self.types if t != value] if value in self.types else [*self.types, value]
            self.panel_open = True
        async for e in self._search(more=False):
            yield e

    @rx.event(background=True)
    async def toggle_days(self, value: str) -> Events:
        async with self:
            self.days = "" if self.days == value else value
            self.panel_open = True
        async for e in self._search(more=False):
            yield e

    @rx.event(background=True)
    async def load_more(self) -> Events:
        async for e in self._search(more=True):
            yield e

    async def _search(self, more: bool) -> Events:
        async with self:
            if not more:
                self._gen += 1
            gen, text, types, days = self._gen, self.query, list(self.types), self.days
            cursor = self.next_cursor if more else ""
            if not text.strip() and not types and not days:
                self.results, self.next_cursor, self.message, self.searching = [], "", "", False
                return
            self.searching = True
        user = await self._user()
        if user is None:
            return
        after = datetime.now(UTC) - timedelta(days=int(days)) if days else None
        try:
            page = await run(
                search_service.search,
                core(),
                user,
                text,
                types=types or None,
                modified_after=after,
                limit=PAGE,
                cursor=cursor or None,
            )
            rows, message = [result_row(h) for h in page.items], ""
            next_cursor = page.next_cursor or ""
        except PCSError as e:
            rows, message, next_cursor = [], e.message, ""
        async with self:
            if gen != self._gen:
                return  # a newer search is on its way
            self.results = self.results + rows if more else rows
            self.next_cursor = next_cursor
            self.message = message or ("" if self.results else "Nothing found.")
            self.searching = False
        yield

    @rx.event
    def open_result(self, index: int) -> Any:
        """A folder opens in the browser; a file opens in a new tab (shown there if the browser can, else saved)."""
        if not 0 <= index < len(self.results):
            return None
        r = self.results[index]
        self.panel_open = False
        if r["kind"] == "folder":
            return rx.redirect(r["open"])
        return rx.call_script(f"window.open({r['open']!r}, '_blank', 'noopener')")

    @rx.event
    def open_folder(self, index: int) -> Any:
        if not 0 <= index < len(self.results):
            return None
        self.panel_open = False
        return rx.redirect(self.results[index]["folder"])

    @rx.event
    def show_panel(self) -> None:
        self.panel_open = bool(self.query.strip()) or bool(self.types) or bool(self.days)

    @rx.event
    def close_panel(self) -> None:
        self.panel_open = False

    @rx.event
    def clear(self) -> Any:
        self._gen += 1
        self.query, self.types, self.days, self.results, self.next_cursor = "", [], "", [], ""
        self.message, self.panel_open, self.searching = "", False, False
        return rx.set_value("search-input", "")
