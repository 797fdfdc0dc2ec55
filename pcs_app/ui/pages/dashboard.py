"""The usage dashboard: what the account stores and does, live; the administrators' section below it."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components.header import header
from ..components.icons import either_icon, entry_icon
from ..styles import MAX_WIDTH
from .dashboard_admin import admin_section
from .dashboard_parts import CHART_HEIGHT, Row, S, axis_tick, card, section_title, stat


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
                rx.recharts.x_axis(data_key="day", tick=axis_tick(), min_tick_gap=16),
                rx.recharts.y_axis(width=44, tick=axis_tick()),
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
        rx.recharts.x_axis(data_key="day", tick=axis_tick(), min_tick_gap=16),
        rx.recharts.y_axis(width=44, allow_decimals=False, tick=axis_tick()),
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
        rx.recharts.x_axis(data_key="day", tick=axis_tick(), min_tick_gap=16),
        rx.recharts.y_axis(width=44, tick=axis_tick()),
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
        entry_icon(r["icon"], size=16, color="var(--gray-10)", flex_shrink="0"),
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
        either_icon(r["kind"] == "link", "link", "inbox", size=16, color="var(--gray-10)", flex_shrink="0"),
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
