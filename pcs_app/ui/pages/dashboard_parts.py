"""Pieces the dashboard's sections share: cards, titles, figures, chart axes."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ..states.dashboard import DashboardState

Row = ObjectVar[dict[str, str]]
S = DashboardState
CHART_HEIGHT = 220


def card(*children: Any, **props: Any) -> rx.Component:
    return rx.card(rx.vstack(*children, spacing="2", width="100%"), width="100%", min_width="0", **props)


def section_title(text: str, *more: Any) -> rx.Component:
    return rx.hstack(rx.heading(text, size="3", as_="h2"), rx.spacer(), *more, width="100%", align="center")


def stat(label: Any, value: Any, detail: Any, id_: str) -> rx.Component:
    return card(
        rx.text(label, size="2", color_scheme="gray"),
        rx.text(value, size=rx.breakpoints(initial="5", md="6"), weight="bold", id=id_, class_name="pcs-stat"),
        rx.text(detail, size="1", color_scheme="gray", id=id_ + "-detail"),
    )


def axis_tick() -> dict[str, Any]:
    return {"fontSize": 11}
