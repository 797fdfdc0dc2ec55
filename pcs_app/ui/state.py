"""UI state. Thin: every rule lives in services; blocking calls run in threads, outside the state lock."""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from pcs_app.models import User
from pcs_app.services import changes, files, nodes, thumbnails, users
from pcs_app.services.core import get_core
from pcs_app.services.errors import PCSError, Unauthorized
from pcs_app.services.status import human_size

from . import routes
from .format import content_url, row

log = logging.getLogger(__name__)
SESSION_DAYS = 30
PAGE = 200


def _core():  # type: ignore[no-untyped-def]
    return get_core()


async def _run(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run a blocking service call in a worker thread."""
    return await asyncio.to_thread(fn, *args, **kwargs)


class AuthState(rx.State):
    """The signed-in user. The session token lives in a same-site cookie and is checked on every load."""

    session: str = rx.Cookie("", name="pcs_session", max_age=SESSION_DAYS * 86400, same_site="strict")
    email: str = ""
    root_id: str = ""
    auth_error: str = ""
    busy: bool = False

    async def _user(self) -> User | None:
        try:
            user, _tok = await _run(users.authenticate, _core(), self.session)
        except Unauthorized:
            return None
        return user

    async def _start_session(self, form: dict[str, str], *, create: bool):  # type: ignore[no-untyped-def]
        async with self:
            self.busy, self.auth_error = True, ""
            # Reflex resolves the client address (honouring its trusted_proxy_hops); a raw
            # X-Forwarded-For would let anyone dodge the per-address sign-in limit.
            ip = self.router.session.client_ip
        email, password = form.get("email", ""), form.get("password", "")
        try:
            if create and password != form.get("confirm", ""):
                raise PCSError("The two passwords differ.")
            start = users.sign_up if create else users.sign_in
            issued = await _run(start, _core(), email, password, ip, name="web", kind="session")
        except PCSError as e:
            async with self:
                self.busy, self.auth_error = False, e.message
            return
        async with self:
            self.busy, self.session = False, issued.secret
            self.email, self.root_id = issued.user.email, issued.user.root_id or ""
        yield rx.redirect(routes.FILES)

    @rx.event(background=True)
    async def sign_in(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        async for ev in self._start_session(form, create=False):
            yield ev

    @rx.event(background=True)
    async def sign_up(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        async for ev in self._start_session(form, create=True):
            yield ev

    @rx.event(background=True)
    async def sign_out(self):  # type: ignore[no-untyped-def]
        async with self:
            secret = self.session
        try:
            user, tok = await _run(users.authenticate, _core(), secret)
            await _run(users.revoke_token, _core(), user, tok.id)
        except PCSError:
            pass  # already signed out or expired: nothing to revoke
        async with self:
            self.session, self.email, self.root_id = "", "", ""
        yield rx.redirect(routes.LOGIN)

    @rx.event(background=True)
    async def redirect_if_signed_in(self):  # type: ignore[no-untyped-def]
        """On the sign-in pages: go straight to the files when the session is still good."""
        async with self:
            self.auth_error = ""
            has = bool(self.session)
        if has and await self._user() is not None:
            yield rx.redirect(routes.FILES)


_PREVIEW_KEYS = ("id", "name", "kind", "icon", "size", "modified", "modified_iso", "mime", "href", "preview", "thumb")


def _rows(page_items: list) -> list[dict[str, str]]:  # type: ignore[type-arg]
    """Listing rows, with thumbnails where they are ready (blocking: call in a thread)."""
    ready = thumbnails.ready(_core(), [n.sha256 for n in page_items if n.sha256])
    return [row(n, ready) for n in page_items]


class FilesState(AuthState):
    """The file browser: one folder's listing, selection, dialogs and live updates."""

    folder_id: str = ""
    crumbs: list[dict[str, str]] = []
    items: list[dict[str, str]] = []
    next_cursor: str = ""
    loading: bool = True
    sort: str = "name"
    desc: bool = False
    view: str = rx.LocalStorage("list", name="pcs_view")
    selected: list[str] = []
    anchor: str = ""
    # dialogs
    dialog: str = ""  # "", "new_folder", "rename", "move", "copy", "preview"
    dialog_name: str = ""
    dialog_error: str = ""
    picker_id: str = ""
    picker_crumbs: list[dict[str, str]] = []
    picker_folders: list[dict[str, str]] = []
    preview: dict[str, str] = dict.fromkeys(_PREVIEW_KEYS, "")
    preview_text: str = ""
    undo_ids: list[str] = []
    undo_label: str = ""
    used: str = ""
    _live_gen: int = 0

    # -- derived ------------------------------------------------------------------------------
    @rx.var
    def selected_count(self) -> int:
        return len(self.selected)

    @rx.var
    def all_selected(self) -> bool:
        return bool(self.items) and len(self.selected) == len(self.items)

    @rx.var
    def download_url(self) -> str:
        """One file: its content; several items or a folder: a zip."""
        if len(self.selected) == 1:
            match = [i for i in self.items if i["id"] == self.selected[0]]
            if match and match[0]["kind"] == "file":
                return content_url(match[0]["id"])
        return "/api/v1/archive?" + "&".join(f"ids={i}" for i in self.selected)

    @rx.var
    def download_name(self) -> str:
        if len(self.selected) == 1:
            match = [i for i in self.items if i["id"] == self.selected[0]]
            if match:
                return match[0]["name"] + (".zip" if match[0]["kind"] == "folder" else "")
        return "PCS download.zip"

    # -- loading -----------------------------------------------------------------------------
    @rx.event(background=True)
    async def load(self):  # type: ignore[no-untyped-def]
        """on_load: check the session, list the folder in the URL, start live updates."""
        async with self:
            fid = self.router.page.params.get("fid", "") if self.router.page.params else ""
            self.loading = True
        user = await self._user()
        if user is None:
            async with self:
                self.session = ""
            yield rx.redirect(routes.LOGIN)
            return
        fid = fid or user.root_id or ""
        try:
            path = await _run(nodes.ancestors, _core(), user, fid)
            async with self:
                sort, desc = self.sort, self.desc
            page = await _run(nodes.list_children, _core(), user, fid, sort=sort, desc=desc, limit=PAGE)
            rows = await _run(_rows, page.items)
        except PCSError as e:
            yield rx.toast.error(e.message)
            yield rx.redirect(routes.FILES)
            return
        async with self:
            self.email, self.root_id = user.email, user.root_id or ""
            self.folder_id = fid
            self.crumbs = [{"id": n.id, "name": n.name or "My files", "href": routes.folder_url(n.id)} for n in path]
            self.items = rows
            self.next_cursor = page.next_cursor or ""
            self.selected, self.anchor, self.loading, self.dialog = [], "", False, ""
            self.used = f"{human_size(user.used_bytes)} used"
        yield FilesState.live

    async def _relist(self, user: User) -> None:
        async with self:
            fid, sort, desc, shown = self.folder_id, self.sort, self.desc, len(self.items)
        page = await _run(
            nodes.list_children, _core(), user, fid, sort=sort, desc=desc, limit=min(max(PAGE, shown), 1000)
        )
        rows = await _run(_rows, page.items)
        fresh = await _run(users.get_user, _core(), user.id)
        async with self:
            if self.folder_id != fid:
                return
            self.items = rows
            self.next_cursor = page.next_cursor or ""
            ids = {i["id"] for i in self.items}
            self.selected = [s for s in self.selected if s in ids]
            self.used = f"{human_size(fresh.used_bytes)} used"

    @rx.event(background=True)
    async def load_more(self):  # type: ignore[no-untyped-def]
        async with self:
            fid, sort, desc, cursor = self.folder_id, self.sort, self.desc, self.next_cursor
        user = await self._user()
        if user is None or not cursor:
            return
        page = await _run(nodes.list_children, _core(), user, fid, sort=sort, desc=desc, limit=PAGE, cursor=cursor)
        rows = await _run(_rows, page.items)
        async with self:
            if self.folder_id == fid:
                self.items = self.items + rows
                self.next_cursor = page.next_cursor or ""

    @rx.event(background=True)
    async def set_sort(self, column: str):  # type: ignore[no-untyped-def]
        async with self:
            if self.sort == column:
                self.desc = not self.desc
            else:
                self.sort, self.desc = column, column != "name"
        user = await self._user()
        if user is not None:
            await self._relist(user)

    @rx.event
    def set_view(self, view: str | list[str]) -> None:
        self.view = view if isinstance(view, str) else (view[0] if view else "list")

    # -- live updates ------------------------------------------------------------------------
    @rx.event(background=True)
    async def live(self):  # type: ignore[no-untyped-def]
        """Follow the change feed; refresh the listing when something in view changed."""
        async with self:
            self._live_gen += 1
            gen = self._live_gen
            token = self.router.session.client_token
        user = await self._user()
        if user is None:
            return
        cursor = await _run(changes.current_cursor, _core(), user)
        while True:
            page = await changes.wait_for_changes(_core(), user, cursor, timeout=25)
            async with self:
                if self._live_gen != gen or not _connected(token):
                    return
                fid = self.folder_id
                shown = {i["id"] for i in self.items}
            cursor = page.cursor
            if any(c.parent_id == fid or c.node_id in shown or c.node_id == fid for c in page.changes):
                try:
                    await self._relist(user)
                except PCSError:
                    yield rx.redirect(routes.FILES)  # the folder itself went away
                    return

    # -- selection ---------------------------------------------------------------------------
    @rx.event
    def click_row(self, item_id: str, info: dict) -> None:  # type: ignore[type-arg]
        """Click selects one; ctrl/cmd-click toggles; shift-click selects a range."""
        ids = [i["id"] for i in self.items]
        if info.get("shift_key") and self.anchor in ids and item_id in ids:
            a, b = sorted((ids.index(self.anchor), ids.index(item_id)))
            self.selected = ids[a : b + 1]
            return
        if info.get("ctrl_key") or info.get("meta_key"):
            self.toggle(item_id)
            return
        self.selected, self.anchor = [item_id], item_id

    @rx.event
    def toggle(self, item_id: str) -> None:
        if item_id in self.selected:
            self.selected = [s for s in self.selected if s != item_id]
        else:
            self.selected = [*self.selected, item_id]
            self.anchor = item_id

    @rx.event
    def toggle_all(self) -> None:
        self.selected = [] if self.all_selected else [i["id"] for i in self.items]

    @rx.event
    def clear_selection(self) -> None:
        self.selected = []

    @rx.event
    def open_item(self, item_id: str):  # type: ignore[no-untyped-def]
        item = next((i for i in self.items if i["id"] == item_id), None)
        if item is None:
            return None
        if item["kind"] == "folder":
            return rx.redirect(item["href"])
        return FilesState.open_preview(item_id)

    # -- dialogs -----------------------------------------------------------------------------
    @rx.event
    def open_dialog(self, kind: str):  # type: ignore[no-untyped-def]
        self.dialog, self.dialog_error = kind, ""
        if kind == "rename" and len(self.selected) == 1:
            self.dialog_name = next((i["name"] for i in self.items if i["id"] == self.selected[0]), "")
        elif kind == "new_folder":
            self.dialog_name = ""
        elif kind in ("move", "copy"):
            return FilesState.browse_picker(self.folder_id)
        return None

    @rx.event
    def close_dialog(self) -> None:
        # The preview keeps its last file (every key present) so the closing animation renders.
        self.dialog, self.dialog_error = "", ""

    @rx.event
    def set_dialog_open(self, is_open: bool) -> None:
        if not is_open:
            self.close_dialog()

    @rx.event
    def set_dialog_name(self, value: str) -> None:
        self.dialog_name = value

    @rx.event(background=True)
    async def submit_name(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """New folder or rename, from the name dialog."""
        async with self:
            kind, fid, target = self.dialog, self.folder_id, (self.selected[0] if self.selected else "")
        user = await self._user()
        if user is None:
            return
        name = form.get("name", "")
        try:
            if kind == "new_folder":
                await _run(nodes.create_folder, _core(), user, fid, name)
            elif kind == "rename":
                await _run(nodes.rename, _core(), user, target, name)
        except PCSError as e:
            async with self:
                self.dialog_error = e.message
            return
        async with self:
            self.dialog = ""
        await self._relist(user)

    @rx.event(background=True)
    async def browse_picker(self, folder_id: str):  # type: ignore[no-untyped-def]
        """The move/copy dialog's folder picker: list the folders of ``folder_id``."""
        user = await self._user()
        if user is None:
            return
        try:
            path = await _run(nodes.ancestors, _core(), user, folder_id)
            page = await _run(nodes.list_children, _core(), user, folder_id, limit=1000)
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        async with self:
            moving = set(self.selected)
            self.picker_id = folder_id
            self.picker_crumbs = [{"id": n.id, "name": n.name or "My files"} for n in path]
            self.picker_folders = [
                {"id": n.id, "name": n.name} for n in page.items if n.kind == "dir" and n.id not in moving
            ]

    @rx.event(background=True)
    async def move_or_copy_here(self):  # type: ignore[no-untyped-def]
        async with self:
            kind, dest, ids = self.dialog, self.picker_id, list(self.selected)
        user = await self._user()
        if user is None:
            return
        done = 0
        for node_id in ids:
            try:
                if kind == "move":
                    await _run(nodes.move, _core(), user, node_id, dest)
                else:
                    await _run(nodes.copy, _core(), user, node_id, dest, on_conflict="rename")
                done += 1
            except PCSError as e:
                async with self:
                    self.dialog_error = e.message
                await self._relist(user)
                return
        async with self:
            self.dialog, self.selected = "", []
        await self._relist(user)
        yield rx.toast.success(f"{'Moved' if kind == 'move' else 'Copied'} {done} item{'s' if done != 1 else ''}")

    # -- trash and undo ----------------------------------------------------------------------
    @rx.event(background=True)
    async def trash_selected(self):  # type: ignore[no-untyped-def]
        async with self:
            ids = list(self.selected)
        user = await self._user()
        if user is None or not ids:
            return
        trashed = []
        for node_id in ids:
            try:
                await _run(nodes.trash, _core(), user, node_id)
                trashed.append(node_id)
            except PCSError as e:
                yield rx.toast.error(e.message)
        async with self:
            self.selected = []
            self.undo_ids = trashed
            self.undo_label = f"{len(trashed)} item{'s' if len(trashed) != 1 else ''} moved to the trash"
        await self._relist(user)
        await asyncio.sleep(10)
        async with self:
            if self.undo_ids == trashed:
                self.undo_ids = []

    @rx.event(background=True)
    async def undo(self):  # type: ignore[no-untyped-def]
        async with self:
            ids, self.undo_ids = list(self.undo_ids), []
        user = await self._user()
        if user is None:
            return
        for node_id in ids:
            try:
                await _run(nodes.restore, _core(), user, node_id)
            except PCSError as e:
                yield rx.toast.error(e.message)
        await self._relist(user)

    @rx.event
    def dismiss_undo(self) -> None:
        self.undo_ids = []

    # -- preview -----------------------------------------------------------------------------
    @rx.event(background=True)
    async def open_preview(self, item_id: str):  # type: ignore[no-untyped-def]
        async with self:
            item = next((dict(i) for i in self.items if i["id"] == item_id), None)
            if item is None:
                return
            self.preview, self.preview_text, self.dialog = item, "", "preview"
            self.selected = [item_id]
        if item["preview"] == "text":
            user = await self._user()
            if user is None:
                return
            try:
                _node, head = await _run(files.read_head, _core(), user, item_id, 64 * 1024)
            except PCSError as e:
                yield rx.toast.error(e.message)
                return
            text = head.decode("utf-8", errors="replace")
            async with self:
                self.preview_text = text


def _connected(token: str) -> bool:
    """Whether the browser tab behind ``token`` still has its websocket open."""
    from pcs_app.pcs_app import app

    ns = app.event_namespace
    return ns is None or token in ns.token_to_sid
