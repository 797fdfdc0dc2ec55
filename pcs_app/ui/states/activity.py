"""The Activity page: the audit log of the account (administrators: everyone's, or one account's)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import reflex as rx

from pcs_app.models import AuditEvent, User
from pcs_app.services import accounts, audit
from pcs_app.services.errors import PCSError

from .. import routes
from ..format import when
from .base import AuthState, Events, core, run

PAGE = 50
KIND_LABELS = {
    "": "Everything",
    "sign_in": "Sign-ins",
    "account": "Account and tokens",
    "links": "Share links",
    "grants": "Sharing with people",
    "downloads": "Downloads",
    "uploads": "Uploads",
    "changes": "Renames, moves, deletes",
    "quota": "Quota",
    "denied": "Access denied",
}
ACTION_WORDS = {
    "auth.sign_in": "Signed in",
    "auth.sign_up": "Created the account",
    "token.issue": "Token issued",
    "token.revoke": "Token revoked",
    "password.change": "Password changed",
    "password.reset_request": "Password reset asked for",
    "password.reset": "Password reset",
    "account.delete": "Account deletion",
    "notify.preferences": "Mail settings changed",
    "link.create": "Share link created",
    "link.update": "Share link changed",
    "link.revoke": "Share link revoked",
    "link.access": "Share link opened",
    "link.unlock": "Share link unlocked",
    "grant.create": "Shared",
    "grant.update": "Sharing changed",
    "grant.remove": "Sharing ended",
    "file.download": "Downloaded",
    "archive.download": "Downloaded as zip",
    "file.upload": "Uploaded",
    "folder.create": "Folder created",
    "node.copy": "Copied",
    "node.rename": "Renamed",
    "node.move": "Moved",
    "node.trash": "Moved to the trash",
    "node.restore": "Restored",
    "node.delete": "Deleted for good",
    "version.restore": "Version restored",
    "version.change": "Version changed",
    "quota.change": "Quota changed",
    "access.denied": "Access denied",
}


def event_row(e: AuditEvent, now: datetime | None = None) -> dict[str, str]:
    at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)
    detail = ""
    if e.detail:
        try:
            parsed = json.loads(e.detail)
            if isinstance(parsed, dict):
                shown = {k: v for k, v in parsed.items() if v not in (None, False, "") and k not in ("node", "node_id")}
                detail = ", ".join(
                    k.replace("_", " ") if v is True else f"{k.replace('_', ' ')}: {v}" for k, v in shown.items()
                )
        except ValueError:
            detail = e.detail
    return {
        "id": str(e.id),
        "action": e.action,
        "what": ACTION_WORDS.get(e.action, e.action),
        "target": e.target,
        "actor": e.actor,
        "outcome": e.outcome,
        "failed": "" if e.outcome in ("ok", "requested") else "1",
        "address": e.address or "",
        "agent": accounts.device_label(e.user_agent) if e.user_agent else "",
        "when": when(at, now),
        "iso": at.isoformat(),
        "detail": detail,
    }


class ActivityState(AuthState):
    events: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    events_cursor: rx.Field[str] = rx.field("")
    events_loading: rx.Field[bool] = rx.field(True)
    events_kind: rx.Field[str] = rx.field("all")  # "all" or one of audit.KINDS
    everyone: rx.Field[bool] = rx.field(False)  # administrators: everyone's activity
    who: rx.Field[str] = rx.field("all")  # administrators: "all" or one account id
    account_choices: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    events_error: rx.Field[str] = rx.field("")

    @rx.var
    def kind_choices(self) -> list[dict[str, str]]:
        return [{"value": k or "all", "label": v} for k, v in KIND_LABELS.items()]

    async def _page(self, user: User, cursor: str) -> tuple[list[dict[str, str]], str]:
        async with self:
            kind = "" if self.events_kind == "all" else self.events_kind
            everyone, who = self.everyone and user.is_admin, self.who
        if everyone:
            target = int(who) if who.isdigit() else None
            page = await run(audit.audit_log, core(), user, user=target, kind=kind, cursor=cursor, limit=PAGE)
        else:
            page = await run(audit.activity, core(), user, kind=kind, cursor=cursor, limit=PAGE)
        now = datetime.now(UTC)
        return [event_row(e, now) for e in page.items], page.next_cursor or ""

    async def _first(self) -> Events:
        async with self:
            self.events_loading, self.events_error = True, ""
        yield
        user = await self._user()
        if user is None:
            yield rx.redirect(routes.LOGIN)
            return
        try:
            rows, cursor = await self._page(user, "")
        except PCSError as e:
            async with self:
                self.events_error, self.events_loading = e.message, False
            return
        async with self:
            self.events, self.events_cursor, self.events_loading = rows, cursor, False

    @rx.event(background=True)
    async def load_activity(self) -> Events:
        """on_load: the newest page."""
        user = await self._user()
        if user is None:
            yield rx.redirect(routes.LOGIN)
            return
        choices: list[dict[str, str]] = []
        if user.is_admin:
            choices = [{"value": str(a.id), "label": a.email} for a in await run(accounts.list_users_as, core(), user)]
        async with self:
            self.email, self.root_id, self.is_admin = user.email, user.root_id or "", user.is_admin
            self._show_usage(user)
            self.account_choices = choices
            if not user.is_admin:
                self.everyone, self.who = False, "all"
        async for ev in self._first():
            yield ev

    @rx.event(background=True)
    async def set_events_kind(self, kind: str) -> Events:
        async with self:
            self.events_kind = kind if kind in audit.KINDS else "all"
        async for ev in self._first():
            yield ev

    @rx.event(background=True)
    async def set_everyone(self, on: bool) -> Events:
        async with self:
            self.everyone = bool(on) and self.is_admin
            if not self.everyone:
                self.who = "all"
        async for ev in self._first():
            yield ev

    @rx.event(background=True)
    async def set_who(self, who: str) -> Events:
        async with self:
            self.who = who if who.isdigit() else "all"
            self.everyone = self.is_admin
        async for ev in self._first():
            yield ev

    @rx.event(background=True)
    async def more_events(self) -> Events:
        async with self:
            cursor = self.events_cursor
        user = await self._user()
        if user is None or not cursor:
            return
        try:
            rows, nxt = await self._page(user, cursor)
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        async with self:
            if self.events_cursor == cursor:
                self.events = self.events + rows
                self.events_cursor = nxt
