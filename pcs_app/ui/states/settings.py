"""The Settings page (account, mails, tokens and sessions, password, deleting the account) and the
forgot-password pages (ask for a link; the mailed link's page that sets the new password)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import reflex as rx

from pcs_app.models import ApiToken, User
from pcs_app.services import accounts, notify
from pcs_app.services.errors import PCSError, Unauthorized
from pcs_app.services.units import human_size

from .. import routes
from ..format import when
from .base import SIGN_OUT_SCRIPT, AuthState, Events, core, run


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def token_row(t: ApiToken, current_id: str, now: datetime | None = None) -> dict[str, str]:
    return {
        "id": t.id,
        "name": t.name or ("web session" if t.kind == "session" else "API token"),
        "kind": "Browser session" if t.kind == "session" else "API token",
        "kind_line": ("Browser session · " if t.kind == "session" else "API token · ") if t.name else "",
        "created": when(_aware(t.created_at), now),
        "used": when(_aware(t.last_used_at), now) if t.last_used_at else "not used yet",
        "expires": _aware(t.expires_at).strftime("%-d %b %Y") if t.expires_at else "never",
        "current": "1" if t.id == current_id else "",
    }


class SettingsState(AuthState):
    account: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    prefs: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    tokens: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    settings_loading: rx.Field[bool] = rx.field(True)
    pw_error: rx.Field[str] = rx.field("")
    pw_busy: rx.Field[bool] = rx.field(False)
    delete_open: rx.Field[bool] = rx.field(False)
    delete_typed: rx.Field[str] = rx.field("")
    delete_error: rx.Field[str] = rx.field("")
    delete_busy: rx.Field[bool] = rx.field(False)

    @rx.var
    def delete_ready(self) -> bool:
        return bool(self.email) and self.delete_typed.strip().lower() == self.email.lower()

    async def _session(self) -> tuple[User, ApiToken] | None:
        secret = self._session_secret()
        if not secret:
            return None
        try:
            return await run(accounts.authenticate, core(), secret)
        except Unauthorized:
            return None

    async def _reload(self, user: User, current_id: str) -> None:
        fresh = await run(accounts.get_user, core(), user.id)
        prefs = await run(notify.preferences, core(), fresh)
        toks = await run(accounts.list_tokens, core(), fresh)
        now = datetime.now(UTC)
        async with self:
            self.email, self.root_id, self.is_admin = fresh.email, fresh.root_id or "", fresh.is_admin
            self._show_usage(fresh)
            self.account = {
                "email": fresh.email,
                "created": _aware(fresh.created_at).strftime("%-d %B %Y"),
                "role": "Administrator" if fresh.is_admin else "Member",
                "used": human_size(fresh.used_bytes),
                "quota": human_size(fresh.quota_bytes) if fresh.quota_bytes is not None else "no limit",
            }
            self.prefs = [{"kind": k, "label": notify.KINDS[k], "on": "1" if on else ""} for k, on in prefs.items()]
            self.tokens = [token_row(t, current_id, now) for t in toks]
            self.settings_loading = False

    @rx.event(background=True)
    async def load_settings(self) -> Events:
        async with self:
            self.pw_error, self.delete_open, self.delete_typed, self.delete_error = "", False, "", ""
        got = await self._session()
        if got is None:
            yield rx.redirect(routes.LOGIN)
            return
        await self._user()  # binds the audit context
        user, tok = got
        await self._reload(user, tok.id)

    @rx.event(background=True)
    async def set_pref(self, kind: str, on: bool) -> Events:
        """A mail kind switched on or off (saved at once)."""
        user = await self._user()
        if user is None:
            return
        try:
            prefs = await run(notify.set_preferences, core(), user, {kind: bool(on)})
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        async with self:
            self.prefs = [{"kind": k, "label": notify.KINDS[k], "on": "1" if v else ""} for k, v in prefs.items()]
        yield rx.toast.success(
            "Saved: " + ("you get" if on else "no more") + " mails when " + _lower(notify.KINDS[kind])
        )

    @rx.event(background=True)
    async def revoke(self, token_id: str) -> Events:
        got = await self._session()
        if got is None:
            return
        await self._user()
        user, tok = got
        try:
            await run(accounts.revoke_token, core(), user, token_id)
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        if token_id == tok.id:
            yield rx.call_script(SIGN_OUT_SCRIPT)  # this very session: signed out
            return
        await self._reload(user, tok.id)
        yield rx.toast.success("Revoked: whatever used it is signed out.")

    @rx.event(background=True)
    async def change_password(self, form: dict[str, Any]) -> Events:
        current, new, again = (str(form.get(k, "")) for k in ("current", "new", "again"))
        async with self:
            self.pw_error = ""
        if new != again:
            async with self:
                self.pw_error = "The two new passwords differ."
            return
        got = await self._session()
        if got is None:
            yield rx.redirect(routes.LOGIN)
            return
        await self._user()
        user, tok = got
        async with self:
            self.pw_busy = True
            ip = self.router.session.client_ip
        yield
        try:
            await run(accounts.change_password, core(), user, current, new, ip, keep_token=tok.id)
        except PCSError as e:
            async with self:
                self.pw_error, self.pw_busy = e.message, False
            return
        async with self:
            self.pw_busy = False
        await self._reload(user, tok.id)
        yield rx.set_value("pw-current", "")
        yield rx.set_value("pw-new", "")
        yield rx.set_value("pw-again", "")
        yield rx.toast.success("Password changed. Your other sessions and tokens are signed out.")

    @rx.event
    def set_delete_open(self, is_open: bool) -> None:
        self.delete_open, self.delete_typed, self.delete_error = is_open, "", ""

    @rx.event
    def set_delete_typed(self, text: str) -> None:
        self.delete_typed = text

    @rx.event(background=True)
    async def delete_account(self, form: dict[str, Any]) -> Events:
        """Delete the account and every byte in it (the email typed, the password asked again)."""
        async with self:
            ready = self.delete_ready
            self.delete_error = ""
            ip = self.router.session.client_ip
        if not ready:
            async with self:
                self.delete_error = "Type your email address to confirm."
            return
        user = await self._user()
        if user is None:
            yield rx.redirect(routes.LOGIN)
            return
        async with self:
            self.delete_busy = True
        yield
        try:
            await run(accounts.request_deletion, core(), user, str(form.get("password", "")), ip)
        except PCSError as e:
            async with self:
                self.delete_error, self.delete_busy = e.message, False
            return
        async with self:
            self.delete_busy, self.delete_open = False, False
        yield rx.call_script(SIGN_OUT_SCRIPT)


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


class ResetState(rx.State):
    """Forgot password: ask for a link; then, on the link's page, set the new password."""

    forgot_sent: rx.Field[bool] = rx.field(False)
    forgot_error: rx.Field[str] = rx.field("")
    reset_token: rx.Field[str] = rx.field("")
    reset_done: rx.Field[bool] = rx.field(False)
    reset_error: rx.Field[str] = rx.field("")
    reset_busy: rx.Field[bool] = rx.field(False)
    min_length: rx.Field[int] = rx.field(8)

    @rx.event
    def load_forgot(self) -> None:
        self.forgot_sent, self.forgot_error = False, ""

    @rx.event
    def load_reset(self) -> None:
        self.reset_token = self.router.url.query_parameters.get("token", "")
        self.reset_done, self.reset_error, self.reset_busy = False, "", False
        self.min_length = core().settings.password_min_length
        if not self.reset_token:
            self.reset_error = "This page needs the link from the mail. Ask for a new one."

    @rx.event(background=True)
    async def send_reset(self, form: dict[str, Any]) -> None:
        async with self:
            self.forgot_error = ""
            ip = self.router.session.client_ip
        try:
            await run(accounts.request_reset, core(), str(form.get("email", "")), ip)
        except PCSError as e:
            async with self:
                self.forgot_error = e.message
            return
        async with self:
            self.forgot_sent = True

    @rx.event(background=True)
    async def confirm_reset(self, form: dict[str, Any]) -> Events:
        new, again = str(form.get("password", "")), str(form.get("again", ""))
        async with self:
            self.reset_error = ""
            token, ip = self.reset_token, self.router.session.client_ip
        if new != again:
            async with self:
                self.reset_error = "The two passwords differ."
            return
        async with self:
            self.reset_busy = True
        yield
        try:
            await run(accounts.confirm_reset, core(), token, new, ip)
        except PCSError as e:
            async with self:
                self.reset_error, self.reset_busy = e.message, False
            return
        async with self:
            self.reset_done, self.reset_busy = True, False
