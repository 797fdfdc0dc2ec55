"""The file browser: one folder's listing, its pages, sorting, the view mode, and live updates."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from pcs_app.models import Node, User
from pcs_app.services import accounts, changes, sharing, thumbnails, tree
from pcs_app.services.errors import PCSError

from .. import live, routes
from ..format import row
from .base import AuthState, Events, core, run

PAGE = 100  # rows per page the list asks for (assets/file_list.jsx has the same number)
KEEP_ROWS = 3000  # rows remembered for the actions on the selection (the newest pages asked for)


def rows(user: User, items: list[Node]) -> list[dict[str, str]]:
    """Listing rows, with thumbnails where ready and the shared marker (blocking: call in a thread)."""
    ready = thumbnails.ready(core(), [n.sha256 for n in items if n.sha256])
    shared = sharing.marked(core(), user, items)
    return [row(n, ready, shared, user.id) for n in items]


# The list's page registry, made here if the list's script has not loaded yet (the first page often
# arrives before it): the list picks up the pages kept in ``recent`` when it mounts.
BOOT = (
    "(window.pcsList = window.pcsList || {listeners: new Set(), recent: [], put(m) {"
    "this.recent.push(m); if (this.recent.length > 8) this.recent.shift();"
    "for (const l of this.listeners) l(m);}})"
)


def put_script(folder_id: str, gen: int, offset: int, page: list[dict[str, str]]) -> str:
    """The script that hands a page of rows to the virtualized list (assets/file_list.jsx)."""
    msg = json.dumps({"folder": folder_id, "gen": gen, "offset": offset, "rows": page}, separators=(",", ":"))
    # A JSON string inside JSON.parse: names are data, never code.
    return f"{BOOT}.put(JSON.parse({json.dumps(msg)}))"


class FilesState(AuthState):
    """The folder in view. Its rows are not state: the list asks for the pages it shows (``need``) and
    gets them by script, so a page travels once; ``gen`` moves when the folder changed."""

    folder_id: rx.Field[str] = rx.field("")
    crumbs: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    total: rx.Field[int] = rx.field(0)
    gen: rx.Field[int] = rx.field(0)
    loading: rx.Field[bool] = rx.field(True)
    sort: rx.Field[str] = rx.field("name")
    desc: rx.Field[bool] = rx.field(False)
    view: str = rx.LocalStorage("list", name="pcs_view")
    _rows: dict[str, dict[str, str]] = {}  # id -> row, for the rows most recently sent
    _live_gen: int = 0  # bumped to stop the previous live loop

    def _remember(self, page: list[dict[str, str]], offset: int) -> None:
        for k, r in enumerate(page):
            r["index"] = str(offset + k)  # where it sits in the listing, for shift-click ranges
        if len(self._rows) + len(page) > KEEP_ROWS:
            keep = list(self._rows.items())[-(KEEP_ROWS // 2) :]
            self._rows = dict(keep)
        self._rows.update((r["id"], r) for r in page)

    @rx.event(background=True)
    async def load(self) -> Events:
        """on_load: check the session, list the folder in the URL, start live updates."""
        async with self:
            fid = self.router.page.params.get("fid", "") if self.router.page.params else ""
            self.loading = True
        user = await self._user()
        if user is None:
            yield rx.redirect(routes.LOGIN)
            return
        fid = fid or user.root_id or ""
        try:
            path = await run(tree.ancestors, core(), user, fid)
            async with self:
                sort, desc = self.sort, self.desc
            total, page = await run(tree.list_window, core(), user, fid, sort=sort, desc=desc, offset=0, limit=PAGE)
            shown = await run(rows, user, page)
        except PCSError as e:
            yield rx.toast.error(e.message)
            yield rx.redirect(routes.FILES)
            return
        async with self:
            self.email, self.root_id, self.is_admin = user.email, user.root_id or "", user.is_admin
            self.folder_id = fid
            self.crumbs = [{"id": n.id, "name": n.name or "My files", "href": routes.folder_url(n.id)} for n in path]
            self._rows = {}
            self._remember(shown, 0)
            self.total = total
            self.gen += 1
            gen = self.gen
            self.loading = False
            self._show_usage(user)
        yield rx.call_script(put_script(fid, gen, 0, shown))
        yield FilesState.live

    @rx.event(background=True)
    async def need(self, offset: int, _gen: int = 0) -> Events:
        """The list scrolled to rows it does not have: send the page at ``offset``."""
        async with self:
            fid, sort, desc, gen = self.folder_id, self.sort, self.desc, self.gen
        user = await self._user()
        if user is None or not fid or not isinstance(offset, int) or offset < 0:
            return
        try:
            total, page = await run(
                tree.list_window, core(), user, fid, sort=sort, desc=desc, offset=offset, limit=PAGE
            )
            shown = await run(rows, user, page)
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        async with self:
            if self.folder_id != fid or self.sort != sort or self.desc != desc:
                return
            self._remember(shown, offset)
            if total != self.total:
                self.total = total
        yield rx.call_script(put_script(fid, gen, offset, shown))

    async def relist(self, user: User) -> None:
        """The folder changed: count it again and let the list ask again for the rows it shows."""
        async with self:
            fid = self.folder_id
        total = await run(tree.count_children, core(), user, fid)
        fresh = await run(accounts.get_user, core(), user.id)
        async with self:
            if self.folder_id != fid:
                return
            self.total = total
            self.gen += 1
            self._show_usage(fresh)

    @rx.event(background=True)
    async def set_sort(self, column: str) -> Events:
        async with self:
            if column not in tree.SORTS:
                return
            if self.sort == column:
                self.desc = not self.desc
            else:
                self.sort, self.desc = column, column != "name"
        user = await self._user()
        if user is not None:
            await self.relist(user)
        yield

    @rx.event(background=True)
    async def sort_by(self, choice: str) -> Events:
        """The phone's sort menu: 'name', 'size' or 'modified', with '-desc' for the reverse order."""
        column, _, order = choice.partition("-")
        async with self:
            if column not in tree.SORTS:
                return
            self.sort, self.desc = column, order == "desc"
        user = await self._user()
        if user is not None:
            await self.relist(user)
        yield

    @rx.event
    def set_view(self, view: str | list[str]) -> None:
        self.view = view if isinstance(view, str) else (view[0] if view else "list")

    @rx.event(background=True)
    async def live(self) -> Events:
        """Follow the change feed; read the folder again when something in view changed."""
        async with self:
            self._live_gen += 1
            gen = self._live_gen
            token = self.router.session.client_token
        user = await self._user()
        if user is None:
            return
        cursor = await run(changes.current_cursor, core(), user)
        while True:
            page = await changes.wait_for_changes(core(), user, cursor, timeout=25)
            async with self:
                if self._live_gen != gen or not live.connected(token):
                    return
                fid = self.folder_id
                shown = set(self._rows)
            cursor = page.cursor
            # An ended share may be any folder above this one: read again, and leave if it is gone.
            if any(
                c.parent_id == fid or c.node_id in shown or c.node_id == fid or c.kind == sharing.UNSHARED
                for c in page.changes
            ):
                try:
                    await self.relist(user)
                except PCSError:
                    yield rx.redirect(routes.FILES)  # the folder itself went away
                    return
                yield
            elif page.changes:
                # Elsewhere in the tree (another folder, another tab's upload): only the usage bar moves.
                fresh = await run(accounts.get_user, core(), user.id)
                async with self:
                    self._show_usage(fresh)
                yield

    def item(self, item_id: str) -> dict[str, Any] | None:
        return self._rows.get(item_id)
