"""The dashboard's administrator section: totals, active accounts, queue and storage health, every
account (sortable) and the AWS cost estimate with its slider."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ..components.icons import either_icon
from ..states.dashboard import SLIDER_MAX
from .dashboard_parts import Row, S, axis_tick, card, section_title, stat


def kv(label: str, value: Any, id_: str = "") -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color_scheme="gray", flex="1"),
        rx.text(value, size="2", weight="medium", text_align="right", id=id_ or None),
        width="100%",
        spacing="2",
    )


def admin_totals() -> rx.Component:
    o = S.admin_overview
    return rx.grid(
        stat(
            "Accounts",
            o["accounts"],
            o["active_today"] + " active today, " + o["active_month"] + " in 30 days",
            "admin-accounts",
        ),
        stat("Files", o["files"], o["live"] + " in current versions", "admin-files"),
        stat("Stored", o["stored"], o["logical"] + " counted against quotas", "admin-stored"),
        stat("Saved by deduplication", o["dedup"], "across every account", "admin-dedup"),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
    )


def admin_active() -> rx.Component:
    return card(
        section_title("Daily active users", rx.text("30 days", size="1", color_scheme="gray")),
        rx.box(
            rx.recharts.bar_chart(
                rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
                rx.recharts.bar(
                    data_key="users", name="Active users", fill="var(--accent-9)", is_animation_active=False
                ),
                rx.recharts.x_axis(data_key="day", tick=axis_tick(), min_tick_gap=16),
                rx.recharts.y_axis(width=44, allow_decimals=False, tick=axis_tick()),
                rx.recharts.graphing_tooltip(),
                data=S.admin_active,
                margin={"left": 0, "right": 8, "top": 8, "bottom": 0},
                max_bar_size=28,
                width="100%",
                height=160,
            ),
            width="100%",
            height="160px",
        ),
        id="admin-active",
    )


def admin_health() -> rx.Component:
    o = S.admin_overview
    return rx.grid(
        card(
            section_title("Job queue"),
            kv("Waiting", o["pending"], "admin-pending"),
            kv("Waiting to retry", o["retrying"]),
            kv("Failed", o["failed"], "admin-failed"),
            kv("Oldest failure", o["oldest_failure"]),
            kv("Usage events to roll up", o["rollup_waiting"]),
            kv("Oldest of them", o["rollup_oldest"]),
            kv("Mail waiting / rejected", o["mail_pending"] + " / " + o["mail_rejected"]),
            kv("Last mail error", o["mail_error"]),
            id="admin-queue",
        ),
        card(
            section_title("Storage health"),
            kv("Object store (S3)", o["s3"], "admin-s3"),
            kv("S3 latency", o["s3_ms"], "admin-s3-ms"),
            kv("Database", o["db"]),
            id="admin-storage",
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
    )


def sort_head(label: str, column: str, numeric: bool = True) -> rx.Component:
    active = S.admin_sort == column
    return rx.table.column_header_cell(
        rx.el.button(
            label,
            rx.cond(
                active,
                either_icon(S.admin_order == "asc", "arrow-up", "arrow-down", size=14),
            ),
            on_click=S.sort_accounts(column),
            class_name="pcs-sort-btn",
            id="sort-" + column,
        ),
        aria_sort=rx.cond(active, rx.cond(S.admin_order == "asc", "ascending", "descending"), "none"),
        text_align="right" if numeric else "left",
        white_space="nowrap",
    )


def account_row(r: Row) -> rx.Component:
    def num(v: Any) -> rx.Component:
        return rx.table.cell(v, text_align="right", white_space="nowrap")

    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(
                rx.text(r["email"], class_name="pcs-ellipsis", max_width="16rem"),
                rx.cond(r["admin"] != "", rx.badge("admin", size="1")),
                spacing="2",
                align="center",
            )
        ),
        num(r["used"]),
        num(r["quota"]),
        num(r["files"]),
        num(r["live"]),
        num(r["uploads"]),
        num(r["downloads"]),
        num(r["last_active"]),
        class_name="pcs-admin-row",
        custom_attrs={"data-email": r["email"]},
    )


def admin_table() -> rx.Component:
    return card(
        section_title("Accounts"),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        sort_head("Email", "email", numeric=False),
                        sort_head("Used", "used_bytes"),
                        sort_head("Quota", "quota_bytes"),
                        sort_head("Files", "files"),
                        sort_head("Current", "live_bytes"),
                        sort_head("Uploads 30d", "uploads"),
                        sort_head("Downloads 30d", "downloads"),
                        sort_head("Last active", "last_active"),
                    )
                ),
                rx.table.body(rx.foreach(S.admin_accounts, account_row)),
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
            class_name="pcs-scroll-x",
        ),
        id="admin-table",
    )


def cost_line(r: Row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(r["service"], size="2", weight="medium"),
                rx.text(r["assumption"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(r["fixed"], text_align="right", white_space="nowrap"),
        rx.table.cell(r["usage"], text_align="right", white_space="nowrap"),
        rx.table.cell(r["total"], text_align="right", white_space="nowrap", font_weight="500"),
    )


def cost_table(lines: Any, id_: str) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Service"),
                    rx.table.column_header_cell("Always on", text_align="right"),
                    rx.table.column_header_cell("Usage", text_align="right"),
                    rx.table.column_header_cell("Month", text_align="right"),
                )
            ),
            rx.table.body(rx.foreach(lines, cost_line)),
            size="1",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        id=id_,
    )


def comparison(r: Row) -> rx.Component:
    return rx.box(
        rx.text("A " + r["size"] + " library", size="2", weight="bold"),
        kv("Published estimate", r["published"]),
        kv("S3 and CloudFront in this model", r["storage"]),
        kv("Everything usage-driven", r["usage"]),
        kv("Always-on services", r["fixed"]),
        kv("This model's total", r["total"]),
        class_name="pcs-compare",
    )


def fold(title: Any, content: rx.Component) -> rx.Component:
    """A section that opens on a click (a native details element: keyboard and screen readers for free)."""
    return rx.el.details(rx.el.summary(title, class_name="pcs-fold-title"), content, class_name="pcs-fold")


def admin_costs() -> rx.Component:
    c = S.admin_cost
    cur = c["current"].to(dict[str, Any])
    proj = c["projected"].to(dict[str, Any])
    return card(
        section_title(
            "Monthly AWS estimate", rx.text("prices as of ", c["as_of"].to(str), size="1", color_scheme="gray")
        ),
        rx.grid(
            rx.vstack(
                rx.text("This month's use", size="2", color_scheme="gray"),
                rx.text(cur["total"].to(str), size="7", weight="bold", id="cost-current"),
                rx.text(
                    cur["fixed"].to(str) + " always on + " + cur["usage"].to(str) + " from use",
                    size="1",
                    color_scheme="gray",
                ),
                rx.text(cur["stored"].to(str) + " stored; " + cur["month"].to(str), size="1", color_scheme="gray"),
                spacing="1",
                min_width="0",
            ),
            rx.vstack(
                rx.text("Projected: ", S.admin_multiplier.to_string(), "× this use", size="2", color_scheme="gray"),
                rx.text(proj["total"].to(str), size="7", weight="bold", id="cost-projected"),
                rx.text(
                    proj["fixed"].to(str) + " always on + " + proj["usage"].to(str) + " from use",
                    size="1",
                    color_scheme="gray",
                ),
                rx.text(proj["stored"].to(str) + " stored", size="1", color_scheme="gray"),
                rx.slider(
                    default_value=S.admin_slider,
                    min=0,
                    max=SLIDER_MAX,
                    step=5,
                    on_value_commit=S.set_multiplier,
                    aria_label="Projected usage, times today's",
                    id="cost-slider",
                    width="100%",
                ),
                rx.hstack(
                    rx.text("1×", size="1"),
                    rx.spacer(),
                    rx.text("10×", size="1"),
                    rx.spacer(),
                    rx.text("100×", size="1"),
                    rx.spacer(),
                    rx.text("1000×", size="1"),
                    width="100%",
                    color="var(--gray-10)",
                ),
                spacing="1",
                min_width="0",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        fold(
            "Assumptions, service by service (this month's use)",
            cost_table(cur["lines"].to(list[dict[str, str]]), "cost-lines"),
        ),
        fold(
            "Assumptions at the projected use",
            cost_table(proj["lines"].to(list[dict[str, str]]), "cost-lines-projected"),
        ),
        rx.heading("Against the published estimate", size="2", as_="h3", margin_top="0.5rem"),
        rx.text("Published for this kind of system: ", c["ballpark"].to(str), ".", size="2"),
        rx.grid(
            rx.foreach(c["comparisons"].to(list[dict[str, str]]), comparison),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
            id="cost-comparison",
        ),
        rx.heading("Why the model differs", size="2", as_="h3", margin_top="0.5rem"),
        rx.text(c["lead"].to(str), size="2", id="cost-lead"),
        rx.foreach(
            c["explanations"].to(list[dict[str, str]]),
            lambda x: fold(x["title"], rx.text(x["text"], size="2", white_space="pre-line")),
        ),
        id="admin-costs",
    )


def admin_section() -> rx.Component:
    return rx.cond(
        S.is_admin & (S.admin_overview.length() > 0),
        rx.vstack(
            rx.separator(size="4", margin_y="1rem"),
            rx.heading("Administration", size="5", as_="h2"),
            rx.cond(S.admin_error != "", rx.callout(S.admin_error, color_scheme="red", role="alert")),
            admin_totals(),
            admin_active(),
            admin_health(),
            admin_table(),
            rx.cond(S.admin_cost.length() > 0, admin_costs()),
            spacing="3",
            width="100%",
            id="admin-section",
        ),
    )
