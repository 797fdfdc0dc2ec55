"""The "Shared with me" page: what other accounts share with me, kept current live."""

from __future__ import annotations

import reflex as rx

from pcs_app.models import FOLDER
from pcs_app.services import changes, sharing
from pcs_app.services.sharing import GrantView
from pcs_app.services.units import human_size

from .. import live, routes
from ..format import content_url, icon_for, when
from .base import AuthState, Events, core, run


def shared_row(v: GrantView) -> dict[str, str]:
    n = v.node
    is_folder = n.kind == FOLDER
    return {
        "id": n.id,
        "name": n.name,
        "kind": "folder" if is_folder else "file",
        "icon": icon_for(n.kind, n.mime_type),
        "role": v.grant.role,
        "owner": v.email,
        "size": "—" if is_folder else human_size(n.size),
        "modified": when(n.modified_at),
        "href": routes.folder_url(n.id) if is_folder else content_url(n.id),
        "grant_id": v.grant.id,
    }


class SharedState(AuthState):
    shared: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    shared_loading: rx.Field[bool] = rx.field(True)
    _shared_gen: int = 0

    async def _load(self) -> bool:
        user = await self._user()
        if user is None:
            return False
        rows = [shared_row(v) for v in await run(sharing.shared_with, core(), user)]
        async with self:
            self.email, self.root_id = user.email, user.root_id or ""
            self._show_usage(user)
            self.shared, self.shared_loading = rows, False
        return True

    @rx.event(background=True)
    async def load_shared(self) -> Events:
        """on_load: list what is shared with me, then follow the feed for shares that begin or end."""
        if not await self._load():
            yield rx.redirect(routes.LOGIN)
            return
        yield
        async with self:
            self._shared_gen += 1
            gen, token = self._shared_gen, self.router.session.client_token
        user = await self._user()
        if user is None:
            return
        cursor = await run(changes.current_cursor, core(), user)
        while True:
            page = await changes.wait_for_changes(core(), user, cursor, timeout=25)
            async with self:
                if self._shared_gen != gen or not live.connected(token):
                    return
            cursor = page.cursor
            if any(c.kind in (sharing.SHARED, sharing.UNSHARED) or c.kind == "trashed" for c in page.changes):
                await self._load()
                yield

    @rx.event(background=True)
    async def leave(self, grant_id: str) -> Events:
        user = await self._user()
        if user is None:
            return
        await run(sharing.remove, core(), user, grant_id)
        await self._load()
        yield rx.toast.success("You left that share")
