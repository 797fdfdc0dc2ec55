"""Pages. The full file browser comes with the Web UI issue; this page proves the app is up."""

from __future__ import annotations

import reflex as rx

from pcs_app.services import status as status_svc
from pcs_app.services.core import get_core


class StatusState(rx.State):
    """Health of the services behind the app, loaded on page load."""

    database_ok: bool = False
    storage_ok: bool = False
    summary: str = ""
    checked: bool = False

    @rx.event(background=True)
    async def load(self):  # type: ignore[no-untyped-def]
        import asyncio

        report = await asyncio.to_thread(status_svc.report, get_core())
        async with self:
            self.database_ok = report.database_ok
            self.storage_ok = report.storage_ok
            self.summary = status_svc.summary(report)
            self.checked = True


def _check(label: str, ok: rx.Var[bool]) -> rx.Component:
    return rx.hstack(
        rx.cond(ok, rx.icon("circle-check", color="green"), rx.icon("circle-x", color="tomato")),
        rx.text(label),
        align="center",
        spacing="2",
    )


def index() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(rx.icon("cloud", size=32), rx.heading("PCS", size="8"), align="center", spacing="3"),
                rx.text("Personal cloud storage. This server is up.", color_scheme="gray"),
                rx.cond(
                    StatusState.checked,
                    rx.vstack(
                        _check("Metadata database", StatusState.database_ok),
                        _check("File storage (S3)", StatusState.storage_ok),
                        rx.text(StatusState.summary, size="2", color_scheme="gray", id="totals"),
                        spacing="2",
                        id="status",
                    ),
                    rx.spinner(),
                ),
                rx.link("REST API documentation", href="/api/docs", size="3"),
                spacing="4",
                align="start",
            ),
            size="4",
            width="min(32rem, 100%)",
        ),
        min_height="100vh",
        padding="1rem",
        on_mount=StatusState.load,
    )
