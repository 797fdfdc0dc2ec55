"""The usage popover: what takes the account's space (files, older versions, trash, and by type)."""

from __future__ import annotations

import reflex as rx

from pcs_app.services import accounts
from pcs_app.services.accounts import Usage
from pcs_app.services.errors import PCSError
from pcs_app.services.units import human_size

from ..format import usage_view
from .base import AuthState, Events, core, run

TYPE_LABELS = {"image": "Images", "video": "Videos", "audio": "Audio", "document": "Documents", "other": "Other"}


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.2f}" if whole > 0 else "0"


def breakdown(u: Usage) -> tuple[list[dict[str, str]], list[dict[str, str]], str]:
    """(the three parts that add up to the usage, the current files by type, the free space line)."""
    # The bar's scale: the quota when there is one (so the empty part is the free space), else the total.
    scale = u.quota_bytes if u.quota_bytes else max(u.used_bytes, u.files_bytes + u.versions_bytes + u.trash_bytes)
    parts = [
        {"key": "files", "label": "Files", "size": human_size(u.files_bytes), "pct": _pct(u.files_bytes, scale)},
        {
            "key": "versions",
            "label": "Older versions",
            "size": human_size(u.versions_bytes),
            "pct": _pct(u.versions_bytes, scale),
        },
        {"key": "trash", "label": "Trash", "size": human_size(u.trash_bytes), "pct": _pct(u.trash_bytes, scale)},
    ]
    types = [
        {"key": k, "label": TYPE_LABELS.get(k, k.title()), "size": human_size(v), "pct": _pct(v, u.files_bytes)}
        for k, v in sorted(u.by_type.items(), key=lambda kv: -kv[1])
        if v > 0
    ]
    if u.quota_bytes is None:
        free = "No storage limit on this account"
    else:
        free = f"{human_size(max(u.quota_bytes - u.used_bytes, 0))} free of {human_size(u.quota_bytes)}"
    return parts, types, free


class UsageState(AuthState):
    usage_open: rx.Field[bool] = rx.field(False)
    usage_loading: rx.Field[bool] = rx.field(False)
    usage_parts: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    usage_types: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    usage_free: rx.Field[str] = rx.field("")
    usage_error: rx.Field[str] = rx.field("")

    @rx.event(background=True)
    async def set_usage_open(self, is_open: bool) -> Events:
        """Opening the popover reads the breakdown then (two aggregate queries: not on every page load)."""
        async with self:
            self.usage_open = is_open
            if not is_open:
                return
            self.usage_loading, self.usage_error = True, ""
        yield
        user = await self._user()
        if user is None:
            return
        try:
            u = await run(accounts.usage, core(), user)
        except PCSError as e:
            async with self:
                self.usage_error, self.usage_loading = e.message, False
            return
        parts, types, free = breakdown(u)
        async with self:
            self.usage_parts, self.usage_types, self.usage_free = parts, types, free
            self.usage_loading = False
            self.used, self.used_pct, self.used_level = usage_view(u.used_bytes, u.quota_bytes)
