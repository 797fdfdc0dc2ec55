"""The file browser: one folder's listing, its pages, sorting, the view mode, and live updates."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pcs_app.models import Node, User
from pcs_app.services import accounts, changes, sharing, thumbnails, tree
from pcs_app.services.errors import PCSError

from .. import live, routes
from ..format import row
from .base import AuthState, Events, core, run

PAGE = 200


def rows(user: User, items: list[Node]) -> list[dict[str, str]]:
    """Listing rows, with thumbnails where ready and the shared marker (blocking: call in a thread)."""
    ready = thumbnails.ready(core(), [n.sha256 for n in items if n.sha256])
    shared = sharing.marked(core(), user, [n.id for n in items])
    return [row(n, ready, shared, user.id) for n in items]


class FilesState(AuthState):
    """The folder in view."""

    folder_id: rx.Field[str] = rx.field("")
    crumbs: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    items: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    next_cursor: rx.Field[str] = rx.field("")
    loading: rx.Field[bool] = rx.field(True)
    sort: rx.Field[str] = rx.field("name")
    desc: rx.Field[bool] = rx.field(False)
    view: str = rx.LocalStorage("list", name="pcs_view")
    _live_gen: int = 0  # bumped to stop the previous live loop

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
            page = await run(tree.list_children, core(), user, fid, sort=sort, desc=desc, limit=PAGE)
            shown = await run(rows, user, page.items)
        except PCSError as e:
            yield rx.toast.error(e.message)
            yield rx.redirect(routes.FILES)
            return
        async with self:
            self.email, self.root_id, self.is_admin = user.email, user.root_id or "", user.is_admin
            self.folder_id = fid
            self.crumbs = [{"id": n.id, "name": n.name or "My files", "href": routes.folder_url(n.id)} for n in path]
            self.items = shown
            self.next_cursor = page.next_cursor or ""
            self.loading = False
            self._show_usage(user)
        yield FilesState.live

    async def relist(self, user: User) -> None:
        """Read the folder again (as many rows as are shown), keeping the view where it is."""
        async with self:
            fid, sort, desc, shown = self.folder_id, self.sort, self.desc, len(self.items)
        limit = min(max(PAGE, shown), core().settings.list_page_max)
        page = await run(tree.list_children, core(), user, fid, sort=sort, desc=desc, limit=limit)
        fresh_rows = await run(rows, user, page.items)
        fresh = await run(accounts.get_user, core(), user.id)
        async with self:
            if self.folder_id != fid:
                return
            self.items = fresh_rows
            self.next_cursor = page.next_cursor or ""
            self._show_usage(fresh)

    @rx.event(background=True)
    async def load_more(self) -> Events:
        async with self:
            fid, sort, desc, cursor = self.folder_id, self.sort, self.desc, self.next_cursor
        user = await self._user()
        if user is None or not cursor:
            return
        page = await run(tree.list_children, core(), user, fid, sort=sort, desc=desc, limit=PAGE, cursor=cursor)
        more = await run(rows, user, page.items)
        async with self:
            if self.folder_id == fid:
                self.items = self.items + more
                self.next_cursor = page.next_cursor or ""
        yield

    @rx.event(background=True)
    async def set_sort(self, column: str) -> Events:
        async with self:
            if self.sort == column:
                self.desc = not self.desc
            else:
                self.sort, self.desc = column, column != "name"
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
                shown = {i["id"] for i in self.items}
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
        return next((i for i in self.items if i["id"] == item_id), None)
