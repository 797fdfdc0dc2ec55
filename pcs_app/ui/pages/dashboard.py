"""The usage dashboard: what the account stores and does, live; the administrators' section below it."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from .. import routes
from ..components.header import header
from ..states.dashboard import SLIDER_MAX, DashboardState
from ..styles import MAX_WIDTH

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


def stats() -> rx.Component:
    d = S.dash
    return rx.grid(
        card(
            rx.text("Storage used", size="2", color_scheme="gray"),
            rx.text(
                d["used"],
                size=rx.breakpoints(initial="5", md="6"),
                weight="bold",
                id="dash-used",
                class_name="pcs-stat",
            ),
            rx.text(d["used_exact"] + " bytes of " + d["quota"], size="1", color_scheme="gray", id="dash-used-detail"),
            rx.cond(
                d["level"] != "",
                rx.el.div(
                    rx.el.div(style={"width": d["pct"] + "%"}),
                    class_name="pcs-meter pcs-dash-meter",
                    custom_attrs={"data-level": d["level"]},
                    role="progressbar",
                    aria_label="Storage used of the quota",
                    aria_valuenow=d["pct"],
                ),
            ),
        ),
        stat("Files", d["files"], d["live"] + " in current versions (" + d["live_exact"] + " bytes)", "dash-files"),
        stat(
            "Saved by deduplication",
            d["dedup"],
            d["dedup_exact"] + " bytes · " + d["dedup_when"],
            "dash-dedup",
        ),
        stat(
            "Last " + d["days"] + " days",
            d["uploads"] + " up · " + d["downloads"] + " down",
            d["upload_bytes"] + " uploaded, " + d["download_bytes"] + " downloaded",
            "dash-traffic",
        ),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
    )


def share_row(r: Row, id_prefix: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.el.span(class_name="pcs-swatch", style={"background": r["color"]}),
            rx.text(r["label"], size="2", flex="1", class_name="pcs-ellipsis"),
            rx.text(r["files"], size="1", color_scheme="gray", white_space="nowrap"),
            rx.text(r["size"], size="2", weight="medium", white_space="nowrap", title=r["exact"] + " bytes"),
            width="100%",
            align="center",
            spacing="2",
        ),
        rx.el.div(rx.el.div(style={"width": r["pct"] + "%", "background": r["color"]}), class_name="pcs-type-bar"),
        spacing="1",
        width="100%",
        class_name="pcs-dash-type",
        custom_attrs={"data-type": r["key"], "data-bytes": r["exact"]},
        id=id_prefix + r["key"],
    )


def by_type() -> rx.Component:
    return card(
        section_title("By type"),
        rx.cond(
            S.dash_pie.length() > 0,
            rx.box(
                rx.recharts.pie_chart(
                    rx.recharts.pie(
                        data=S.dash_pie,
                        data_key="value",
                        name_key="name",
                        inner_radius="55%",
                        outer_radius="90%",
                        is_animation_active=False,
                        stroke="var(--color-panel-solid)",
                    ),
                    rx.recharts.graphing_tooltip(),
                    width="100%",
                    height=160,
                ),
                width="100%",
                height="160px",
            ),
        ),
        rx.vstack(rx.foreach(S.dash_types, lambda r: share_row(r, "type-")), spacing="2", width="100%"),
        id="dash-types",
    )


def folder_row(r: Row) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("folder", size=16, color="var(--accent-9)", flex_shrink="0"),
            rx.link(r["name"], href=r["href"], size="2", flex="1", class_name="pcs-ellipsis", min_width="0"),
            rx.text(r["files"], size="1", color_scheme="gray", white_space="nowrap"),
            rx.text(r["size"], size="2", weight="medium", white_space="nowrap", title=r["exact"] + " bytes"),
            width="100%",
            align="center",
            spacing="2",
        ),
        rx.el.div(rx.el.div(style={"width": r["pct"] + "%"}), class_name="pcs-type-bar"),
        spacing="1",
        width="100%",
        class_name="pcs-dash-folder",
        custom_attrs={"data-bytes": r["exact"]},
    )


def by_folder() -> rx.Component:
    return card(
        section_title("By top-level folder"),
        rx.cond(
            S.dash_folders.length() == 0,
            rx.text("No files yet.", size="2", color_scheme="gray"),
            rx.vstack(rx.foreach(S.dash_folders, folder_row), spacing="2", width="100%"),
        ),
        id="dash-folders",
    )


def _axis_tick() -> dict[str, Any]:
    return {"fontSize": 11}


def stored_chart() -> rx.Component:
    return card(
        section_title("Storage over time", rx.text("in " + S.dash["unit"], size="1", color_scheme="gray")),
        rx.box(
            rx.recharts.area_chart(
                rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
                rx.recharts.area(
                    data_key="stored",
                    name="Stored (" + S.dash["unit"] + ")",
                    type_="monotone",
                    dot=S.dash_series.length() < 15,
                    stroke="var(--accent-9)",
                    fill="var(--accent-5)",
                    is_animation_active=False,
                ),
                rx.recharts.x_axis(data_key="day", tick=_axis_tick(), min_tick_gap=16),
                rx.recharts.y_axis(width=44, tick=_axis_tick()),
                rx.recharts.graphing_tooltip(),
                data=S.dash_series,
                margin={"left": 0, "right": 8, "top": 8, "bottom": 0},
                width="100%",
                height=CHART_HEIGHT,
            ),
            width="100%",
            height=f"{CHART_HEIGHT}px",
        ),
        id="dash-stored-chart",
    )


def traffic_charts() -> rx.Component:
    counts = rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        # Stacked: 90 days side by side leave each day a few pixels (two bars a day would be hairlines).
        rx.recharts.bar(
            data_key="uploads", name="Uploads", fill="var(--accent-9)", stack_id="n", is_animation_active=False
        ),
        rx.recharts.bar(
            data_key="downloads", name="Downloads", fill="#12a594", stack_id="n", is_animation_active=False
        ),
        rx.recharts.x_axis(data_key="day", tick=_axis_tick(), min_tick_gap=16),
        rx.recharts.y_axis(width=44, allow_decimals=False, tick=_axis_tick()),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        max_bar_size=28,
        bar_category_gap="12%",
        data=S.dash_series,
        margin={"left": 0, "right": 8, "top": 8, "bottom": 0},
        width="100%",
        height=CHART_HEIGHT,
    )
    volume = rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.bar(
            data_key="uploaded",
            name="Uploaded (" + S.dash["traffic_unit"] + ")",
            fill="var(--accent-9)",
            stack_id="b",
            is_animation_active=False,
        ),
        rx.recharts.bar(
            data_key="downloaded",
            name="Downloaded (" + S.dash["traffic_unit"] + ")",
            fill="#12a594",
            stack_id="b",
            is_animation_active=False,
        ),
        rx.recharts.x_axis(data_key="day", tick=_axis_tick(), min_tick_gap=16),
        rx.recharts.y_axis(width=44, tick=_axis_tick()),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        max_bar_size=28,
        bar_category_gap="12%",
        data=S.dash_series,
        margin={"left": 0, "right": 8, "top": 8, "bottom": 0},
        width="100%",
        height=CHART_HEIGHT,
    )
    return rx.grid(
        card(
            section_title("Uploads and downloads per day"),
            rx.box(counts, width="100%", height=f"{CHART_HEIGHT}px"),
            id="dash-count-chart",
        ),
        card(
            section_title("Bytes per day", rx.text("in " + S.dash["traffic_unit"], size="1", color_scheme="gray")),
            rx.box(volume, width="100%", height=f"{CHART_HEIGHT}px"),
            id="dash-bytes-chart",
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
    )


def big_file(r: Row) -> rx.Component:
    return rx.hstack(
        rx.icon(r["icon"], size=16, color="var(--gray-10)", flex_shrink="0"),
        rx.link(r["name"], href=r["href"], size="2", flex="1", class_name="pcs-ellipsis", min_width="0"),
        rx.text(r["size"], size="2", weight="medium", white_space="nowrap", title=r["exact"] + " bytes"),
        width="100%",
        align="center",
        spacing="2",
        class_name="pcs-dash-big",
        custom_attrs={"data-bytes": r["exact"]},
    )


def big_folder(r: Row) -> rx.Component:
    return rx.hstack(
        rx.icon("folder", size=16, color="var(--accent-9)", flex_shrink="0"),
        rx.link(r["name"], href=r["href"], size="2", flex="1", class_name="pcs-ellipsis", min_width="0"),
        rx.text(r["size"], size="2", weight="medium", white_space="nowrap", title=r["exact"] + " bytes"),
        width="100%",
        align="center",
        spacing="2",
        class_name="pcs-dash-big",
        custom_attrs={"data-bytes": r["exact"]},
    )


def largest() -> rx.Component:
    return rx.grid(
        card(
            section_title("Largest files"),
            rx.cond(
                S.dash_largest.length() == 0,
                rx.text("No files yet.", size="2", color_scheme="gray"),
                rx.vstack(rx.foreach(S.dash_largest, big_file), spacing="2", width="100%"),
            ),
            id="dash-largest-files",
        ),
        card(
            section_title("Largest folders"),
            rx.cond(
                S.dash_big_folders.length() == 0,
                rx.text("No folders yet.", size="2", color_scheme="gray"),
                rx.vstack(rx.foreach(S.dash_big_folders, big_folder), spacing="2", width="100%"),
            ),
            rx.text("Top-level folders, with everything inside them.", size="1", color_scheme="gray"),
            id="dash-largest-folders",
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
    )


def link_row(r: Row) -> rx.Component:
    return rx.hstack(
        rx.icon(rx.cond(r["kind"] == "link", "link", "inbox"), size=16, color="var(--gray-10)", flex_shrink="0"),
        rx.vstack(
            rx.text(r["name"], size="2", class_name="pcs-ellipsis", max_width="100%"),
            rx.text(r["kind"] + " · " + r["last"] + " · " + r["expires"], size="1", color_scheme="gray"),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.text(
            r["downloads"],
            " ",
            r["limit"],
            size="2",
            weight="medium",
            white_space="nowrap",
            class_name="pcs-link-downloads",
        ),
        width="100%",
        align="center",
        spacing="2",
        class_name="pcs-dash-link",
        custom_attrs={"data-link-id": r["id"]},
    )


def links() -> rx.Component:
    return card(
        section_title("Share links", rx.text("downloads", size="1", color_scheme="gray")),
        rx.cond(
            S.dash_links.length() == 0,
            rx.text("No share links.", size="2", color_scheme="gray"),
            rx.vstack(rx.foreach(S.dash_links, link_row), spacing="2", width="100%"),
        ),
        id="dash-links",
    )


# -- administrators ----------------------------------------------------------------------------------


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
                rx.recharts.x_axis(data_key="day", tick=_axis_tick(), min_tick_gap=16),
                rx.recharts.y_axis(width=44, allow_decimals=False, tick=_axis_tick()),
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
                rx.icon(rx.cond(S.admin_order == "asc", "arrow-up", "arrow-down"), size=14),
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


def dashboard_page() -> rx.Component:
    return rx.box(
        rx.vstack(
            header(),
            rx.hstack(
                rx.heading("Dashboard", size="5", as_="h1"),
                rx.spacer(),
                rx.button(
                    rx.icon("download", size=16),
                    "CSV",
                    variant="soft",
                    on_click=S.export_csv,
                    class_name="pcs-touch",
                    id="dash-csv",
                    title="The daily series (90 days) as CSV",
                ),
                rx.icon_button(
                    rx.icon("refresh-cw", size=16),
                    variant="soft",
                    on_click=S.refresh,
                    class_name="pcs-touch",
                    aria_label="Read the numbers again",
                    id="dash-refresh",
                ),
                width="100%",
                align="center",
                spacing="2",
            ),
            rx.text(
                "Your storage and activity. Updates live as files change; updated ",
                rx.el.span(S.dash_updated, id="dash-updated"),
                ".",
                size="1",
                color_scheme="gray",
            ),
            rx.cond(S.dash_error != "", rx.callout(S.dash_error, color_scheme="red", role="alert")),
            rx.cond(
                S.dash_loading,
                rx.center(rx.spinner(size="3"), padding="3rem", width="100%"),
                rx.vstack(
                    stats(),
                    stored_chart(),
                    traffic_charts(),
                    rx.grid(
                        by_type(), by_folder(), columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%"
                    ),
                    largest(),
                    links(),
                    admin_section(),
                    spacing="3",
                    width="100%",
                    id="dashboard",
                ),
            ),
            spacing="3",
            width="100%",
            max_width=MAX_WIDTH,
            margin="0 auto",
            padding_x=["0.75rem", "1rem", "1.5rem"],
            padding_bottom="4rem",
        ),
        custom_attrs={"data-route": routes.DASHBOARD},
    )
