"""The status page: whether the services answer (for anyone), totals (for administrators)."""

from __future__ import annotations

import reflex as rx

from pcs_app.services import status

from .base import AuthState, Events, core, run


class StatusState(AuthState):
    database_ok: rx.Field[bool] = rx.field(False)
    storage_ok: rx.Field[bool] = rx.field(False)
    summary: rx.Field[str] = rx.field("")
    checked: rx.Field[bool] = rx.field(False)

    @rx.event(background=True)
    async def load(self) -> Events:
        health = await run(status.health, core())
        user = await self._user()
        summary = ""
        if user is not None and user.is_admin:
            summary = status.summary(await run(status.totals, core(), user))
        async with self:
            self.database_ok, self.storage_ok = health.database_ok, health.storage_ok
            self.summary, self.checked = summary, True
        yield
