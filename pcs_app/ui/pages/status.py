"""The status page: is this server up? (Totals only for administrators.)"""

from __future__ import annotations

import reflex as rx

from ..states import StatusState


def _check(label: str, ok: rx.Var[bool]) -> rx.Component:
    return rx.hstack(
        rx.cond(ok, rx.icon("circle-check", color="green"), rx.icon("circle-x", color="tomato")),
        rx.text(label),
        align="center",
        spacing="2",
    )


def status_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(rx.icon("cloud", size=32), rx.heading("PCS", size="8"), align="center", spacing="3"),
                rx.text("Personal cloud storage.", color_scheme="gray"),
                rx.cond(
                    StatusState.checked,
                    rx.vstack(
                        _check("Metadata database", StatusState.database_ok),
                        _check("File storage (S3)", StatusState.storage_ok),
                        rx.cond(
                            StatusState.summary != "",
                            rx.text(StatusState.summary, size="2", color_scheme="gray", id="totals"),
                        ),
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
    )
