"""The details panel of one item. Stateless pieces that take Vars."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ..states.details import DetailsState

Person = ObjectVar[dict[str, str]]
TZ_SCRIPT = "new Date().getTimezoneOffset()"


def field(label: Any, field_id: str, *value: Any, **props: Any) -> rx.Component:
    """One line of the panel: its label, then its value in ``#details-<field_id>``."""
    return rx.el.div(
        rx.el.dt(label, class_name="pcs-details-label"),
        rx.el.dd(*value, id=f"details-{field_id}", class_name="pcs-details-value", **props),
        class_name="pcs-details-field",
    )


def person(p: Person) -> rx.Component:
    return rx.el.li(
        rx.el.span(p["email"], class_name="pcs-details-email"),
        " · " + p["role"],
        rx.cond(p["via"] != "", rx.el.span(" · through the folder “" + p["via"] + "”")),
        class_name="pcs-details-person",
    )


def sharing() -> rx.Component:
    d = DetailsState.details
    return rx.cond(
        d["mine"] == "1",
        rx.fragment(
            rx.cond(
                DetailsState.details_people.length() > 0,
                rx.el.ul(rx.foreach(DetailsState.details_people, person), class_name="pcs-details-people"),
                rx.el.div("Not shared with anyone"),
            ),
            rx.el.div(d["links"], id="details-links"),
        ),
        rx.fragment(
            rx.el.div("Shared with you by ", rx.el.span(d["owner"], class_name="pcs-details-email")),
            rx.el.div("Your role: " + d["role"], id="details-role"),
        ),
    )


def details_dialog() -> rx.Component:
    d = DetailsState.details
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title("Details", margin="0", size="4", class_name="pcs-details-title"),
                rx.dialog.close(
                    rx.icon_button(rx.icon("x", size=18), variant="ghost", aria_label="Close", class_name="pcs-touch")
                ),
                justify="between",
                align="center",
                width="100%",
            ),
            rx.dialog.description(
                "What this item is, where it is and who else sees it.", class_name="pcs-visually-hidden"
            ),
            rx.el.dl(
                field("Name", "name", d["name"]),
                field("Type", "kind", d["kind"]),
                field(rx.cond(d["kind"] == "Folder", "Contents", "Size"), "size", d["size"]),
                field("Created", "created", d["created"], title=d["created_iso"]),
                field("Modified", "modified", d["modified"], title=d["modified_iso"]),
                field("Path", "path", d["path"]),
                rx.cond(d["versions"] != "", field("Versions", "versions", d["versions"])),
                field("Sharing", "sharing", sharing()),
                class_name="pcs-details",
            ),
            rx.hstack(
                rx.dialog.close(
                    rx.button("Close", variant="soft", color_scheme="gray", class_name="pcs-touch", id="details-close")
                ),
                justify="end",
                width="100%",
                margin_top="1rem",
            ),
            # A definite width, as the history panel has: a long name wraps instead of widening it.
            width="min(34rem, calc(100vw - 2rem))",
            max_width="min(34rem, calc(100vw - 2rem))",
            id="details-dialog",
            class_name="pcs-dialog",
        ),
        open=DetailsState.details_open,
        on_open_change=DetailsState.set_details_open,
        on_mount=rx.call_script(TZ_SCRIPT, callback=DetailsState.set_details_tz),
    )
