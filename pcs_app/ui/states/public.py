"""The public page of a share link (/s/{token}), for visitors who are not signed in."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import reflex as rx

from pcs_app.models import FOLDER, Node
from pcs_app.services import mime, thumbnails
from pcs_app.services.access import LinkVisitor
from pcs_app.services.errors import Gone, NotFound, PasswordRequired, PCSError
from pcs_app.services.sharing import public
from pcs_app.services.units import human_size

from ..format import icon_for, when
from .base import Events, core, run

PAGE = 200
COOKIE_PREFIX = "pcs_link_"  # the unlock's cookie (set by POST /api/v1/public/{token}/unlock)


def public_url(token: str, node_id: str = "", *, inline: bool = False, kind: str = "content") -> str:
    params = [f"node={quote(node_id)}"] if node_id else []
    if inline:
        params.append("inline=true")
    return f"/api/v1/public/{quote(token)}/{kind}" + (("?" + "&".join(params)) if params else "")


def public_row(token: str, n: Node, ready: set[str]) -> dict[str, str]:
    is_folder = n.kind == FOLDER
    return {
        "id": n.id,
        "name": n.name,
        "kind": "folder" if is_folder else "file",
        "icon": icon_for(n.kind, n.mime_type),
        "size": "—" if is_folder else human_size(n.size),
        "modified": when(n.modified_at),
        "href": f"/s/{token}?f={n.id}" if is_folder else public_url(token, n.id),
        "thumb": public_url(token, n.id, kind="thumbnail") + f"&v={n.sha256}" if n.sha256 in ready else "",
    }


class PublicState(rx.State):
    link_state: rx.Field[str] = rx.field("loading")  # loading | ok | password | gone | missing
    token: rx.Field[str] = rx.field("")
    item: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    crumbs: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    next_cursor: rx.Field[str] = rx.field("")
    folder: rx.Field[str] = rx.field("")

    def _guest(self, token: str) -> LinkVisitor:
        link = public.open_link(core(), token)
        jar_value = ""
        cookies = self.router.headers.cookie or ""
        for part in cookies.split(";"):
            key, _, value = part.strip().partition("=")
            if key == COOKIE_PREFIX + link.id:
                jar_value = value
        return public.admit(core(), link, jar_value)

    @rx.event(background=True)
    async def load_link(self) -> None:
        """on_load: what the link opens, or why it opens nothing."""
        async with self:
            params = self.router.page.params or {}
            token = str(params.get("token", ""))
            folder = str(params.get("f", ""))
            self.token, self.link_state = token, "loading"
        try:
            guest = await run(self._guest, token)
            node = await run(public.item, core(), guest)
        except PasswordRequired:
            async with self:
                self.link_state = "password"
            return
        except Gone:
            async with self:
                self.link_state = "gone"
            return
        except NotFound:
            async with self:
                self.link_state = "missing"
            return
        item: dict[str, Any] = {
            "id": node.id,
            "name": node.name,
            "kind": "folder" if node.kind == FOLDER else "file",
            "icon": icon_for(node.kind, node.mime_type),
            "size": human_size(node.size),
            "mime": node.mime_type or "",
            "modified": when(node.modified_at),
            "upload_only": "1" if guest.link.upload_only else "",
            "preview": "none" if node.kind == FOLDER else mime.preview_kind(node.mime_type),
            "download": public_url(token),
            "inline": public_url(token, inline=True),
            "zip": public_url(token, kind="archive"),
        }
        rows: list[dict[str, str]] = []
        crumbs: list[dict[str, str]] = []
        cursor = ""
        if node.kind == FOLDER and not guest.link.upload_only:
            try:
                where = folder or node.id
                path = await run(public.path, core(), guest, where)
                page = await run(public.children, core(), guest, where, limit=PAGE)
            except PCSError:
                path, page = await run(public.path, core(), guest, node.id), await run(public.children, core(), guest)
            ready = await run(thumbnails.ready, core(), [n.sha256 for n in page.items if n.sha256])
            rows = [public_row(token, n, ready) for n in page.items]
            crumbs = [
                {"name": n.name, "href": f"/s/{token}" + ("" if i == 0 else f"?f={n.id}")} for i, n in enumerate(path)
            ]
            cursor = page.next_cursor or ""
            folder = path[-1].id
        async with self:
            self.item, self.rows, self.crumbs, self.next_cursor, self.folder = item, rows, crumbs, cursor, folder
            self.link_state = "ok"

    @rx.event(background=True)
    async def load_more(self) -> Events:
        async with self:
            token, folder, cursor = self.token, self.folder, self.next_cursor
        if not cursor:
            return
        try:
            guest = await run(self._guest, token)
            page = await run(public.children, core(), guest, folder, cursor=cursor, limit=PAGE)
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        ready = await run(thumbnails.ready, core(), [n.sha256 for n in page.items if n.sha256])
        async with self:
            self.rows = self.rows + [public_row(token, n, ready) for n in page.items]
            self.next_cursor = page.next_cursor or ""
