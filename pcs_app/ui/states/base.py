"""The signed-in user, and how UI states call services (in threads, never under the state lock).

The session token lives in an HttpOnly cookie set by the API (``/api/v1/auth/session``): page scripts
cannot read it. The server reads it from the websocket's handshake headers on every load.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any, ParamSpec, TypeVar

import reflex as rx

from pcs_app.models import User
from pcs_app.services import accounts, audit
from pcs_app.services.core import Core
from pcs_app.services.errors import Unauthorized
from pcs_app.wiring import get_core

from .. import routes
from ..format import usage_view

P = ParamSpec("P")
R = TypeVar("R")
Events = AsyncGenerator[Any, None]
SIGN_OUT_SCRIPT = (
    "fetch('/api/v1/auth/session', {method: 'DELETE', headers: {'X-PCS-Request': '1'}})"
    f".finally(() => window.location.assign('{routes.LOGIN}'))"
)


def core() -> Core:
    return get_core()


async def run(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a blocking service call in a worker thread."""
    return await asyncio.to_thread(fn, *args, **kwargs)


class AuthState(rx.State):
    """Who is signed in, checked on every load from the session cookie."""

    email: rx.Field[str] = rx.field("")
    root_id: rx.Field[str] = rx.field("")
    is_admin: rx.Field[bool] = rx.field(False)
    used: rx.Field[str] = rx.field("")  # the usage bar: "1.2 GiB of 50.0 GiB" or "1.2 GiB used"
    used_pct: rx.Field[int] = rx.field(0)
    used_level: rx.Field[str] = rx.field("")  # "" (no quota), ok, warn, full
    password_min_length: rx.Field[int] = rx.field(8)

    def _cookie(self, name: str) -> str:
        """A cookie the browser sent when this tab connected (HttpOnly ones included)."""
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(self.router.headers.cookie or "")
        except CookieError:
            return ""
        morsel = jar.get(name)
        return morsel.value if morsel is not None else ""

    def _show_usage(self, user: User) -> None:
        """Set the usage bar from a freshly read account (call under ``async with self``)."""
        self.used, self.used_pct, self.used_level = usage_view(user.used_bytes, user.quota_bytes)

    def _session_secret(self) -> str:
        return self._cookie(accounts.SESSION_COOKIE)

    async def _user(self) -> User | None:
        secret = self._session_secret()
        if not secret:
            return None
        try:
            user, _tok = await run(accounts.authenticate, core(), secret)
        except Unauthorized:
            return None
        # The audit log's who and from where, for the service calls of this event (run() copies it).
        audit.bind(core(), self.router.session.client_ip, self.router.headers.user_agent)
        audit.as_user(user)
        return user

    @rx.event(background=True)
    async def on_auth_page(self) -> Events:
        """On the sign-in pages: go straight to the files when the session is still good."""
        async with self:
            self.password_min_length = core().settings.password_min_length
        if await self._user() is not None:
            yield rx.redirect(routes.FILES)

    @rx.event
    def sign_out(self) -> Any:
        """End the session through the API (which clears the HttpOnly cookie), then reconnect signed out."""
        return rx.call_script(SIGN_OUT_SCRIPT)
