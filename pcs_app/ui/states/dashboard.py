"""The usage dashboard: the account's numbers (live: any change in its files reads them again) and,
for administrators, the server's totals, every account, queue and storage health and the AWS estimate."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import reflex as rx

from pcs_app.models import User
from pcs_app.services import changes, usage
from pcs_app.services.errors import PCSError

from .. import live, routes
from ..format import usage_view
from .base import AuthState, Events, core, run
from .dashboard_view import DAYS, SLIDER_MAX, accounts_view, cost_view, dashboard_view, multiplier, overview_view


class DashboardState(AuthState):
    dash_loading: rx.Field[bool] = rx.field(True)
    dash_error: rx.Field[str] = rx.field("")
    dash: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    dash_types: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    dash_pie: rx.Field[list[dict[str, Any]]] = rx.field(default_factory=list)
    dash_folders: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    dash_series: rx.Field[list[dict[str, Any]]] = rx.field(default_factory=list)
    dash_largest: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    dash_big_folders: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    dash_links: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    dash_updated: rx.Field[str] = rx.field("")
    # administrators
    admin_overview: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    admin_accounts: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    admin_active: rx.Field[list[dict[str, Any]]] = rx.field(default_factory=list)  # daily active users
    admin_sort: rx.Field[str] = rx.field("used_bytes")
    admin_order: rx.Field[str] = rx.field("desc")
    admin_multiplier: rx.Field[float] = rx.field(10.0)
    admin_slider: rx.Field[int] = rx.field(100)  # log scale: the multiplier is 10^(slider/100), 1x to 1000x
    admin_cost: rx.Field[dict[str, Any]] = rx.field(default_factory=dict)
    admin_error: rx.Field[str] = rx.field("")
    _dash_gen: int = 0

    async def _read(self, user: User) -> None:
        d = await run(usage.dashboard, core(), user, DAYS)
        view = dashboard_view(d)
        async with self:
            self.dash = view["stats"]
            self.dash_types, self.dash_pie, self.dash_folders = view["types"], view["pie"], view["folders"]
            self.dash_series, self.dash_largest = view["series"], view["largest"]
            self.dash_big_folders, self.dash_links = view["big_folders"], view["links"]
            self.dash_updated = datetime.now(UTC).strftime("%H:%M:%S UTC")
            self.dash_loading, self.dash_error = False, ""
            self.used, self.used_pct, self.used_level = usage_view(d.used_bytes, d.quota_bytes)

    async def _read_admin(self, user: User) -> None:
        async with self:
            sort, order, mult = self.admin_sort, self.admin_order, self.admin_multiplier
        try:
            o = await run(usage.overview, core(), user)
            rows = await run(usage.accounts_usage, core(), user, sort, order)
            cv = await run(usage.cost_estimate, core(), user, mult)
        except PCSError as e:
            async with self:
                self.admin_error = e.message
            return
        async with self:
            self.admin_overview, self.admin_accounts = overview_view(o), accounts_view(rows)
            self.admin_active = [{"day": d.strftime("%-d %b"), "users": n} for d, n in o.active_daily]
            self.admin_cost, self.admin_error = cost_view(cv), ""

    @rx.event(background=True)
    async def load_dashboard(self) -> Events:
        """on_load: read the numbers, then read them again whenever the account's files change."""
        async with self:
            self.dash_loading = not self.dash
            self._dash_gen += 1
            gen, token = self._dash_gen, self.router.session.client_token
        user = await self._user()
        if user is None:
            yield rx.redirect(routes.LOGIN)
            return
        async with self:
            self.email, self.root_id, self.is_admin = user.email, user.root_id or "", user.is_admin
        try:
            await self._read(user)
        except PCSError as e:
            async with self:
                self.dash_error, self.dash_loading = e.message, False
            return
        yield
        if user.is_admin:
            await self._read_admin(user)
            yield
        cursor = await run(changes.current_cursor, core(), user)
        while True:
            page = await changes.wait_for_changes(core(), user, cursor, timeout=25)
            async with self:
                if self._dash_gen != gen or not live.connected(token):
                    return
            cursor = page.cursor
            # A change reads again at once; a quiet wait (25 s) too: downloads (yours, and of your links
            # by others) are not changes to the files, and the admin figures are everyone's.
            await self._read(user)
            yield
            if user.is_admin:
                await self._read_admin(user)
                yield

    @rx.event(background=True)
    async def refresh(self) -> Events:
        """Read again now (downloads make no change in the feed: this shows them)."""
        user = await self._user()
        if user is None:
            return
        await self._read(user)
        yield
        if user.is_admin:
            await self._read_admin(user)
            yield

    @rx.event(background=True)
    async def export_csv(self) -> Events:
        """The daily series as a CSV file."""
        user = await self._user()
        if user is None:
            return
        text = await run(usage.daily_csv, core(), user, DAYS)
        yield rx.download(data=text, filename=f"pcs-usage-{datetime.now(UTC).date().isoformat()}.csv")

    @rx.event(background=True)
    async def sort_accounts(self, column: str) -> Events:
        """A click on a column heading: sort by it, or flip the order."""
        if column not in usage.SORTS:
            return
        async with self:
            if self.admin_sort == column:
                self.admin_order = "asc" if self.admin_order == "desc" else "desc"
            else:
                self.admin_sort, self.admin_order = column, "asc" if column == "email" else "desc"
            sort, order = self.admin_sort, self.admin_order
        user = await self._user()
        if user is None:
            return
        try:
            rows = await run(usage.accounts_usage, core(), user, sort, order)
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        async with self:
            self.admin_accounts = accounts_view(rows)

    @rx.event(background=True)
    async def set_multiplier(self, value: list[float]) -> Events:
        """The projection slider let go: price that much use."""
        pos = int(value[0]) if value else 0
        pos = max(0, min(SLIDER_MAX, pos))
        m = multiplier(pos)
        async with self:
            self.admin_multiplier, self.admin_slider = m, pos
        user = await self._user()
        if user is None:
            return
        try:
            cv = await run(usage.cost_estimate, core(), user, m)
        except PCSError as e:
            yield rx.toast.error(e.message)
            return
        async with self:
            self.admin_cost = cost_view(cv)
