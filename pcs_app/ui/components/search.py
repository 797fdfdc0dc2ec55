"""The search box in the header and its results panel (states/search.py; keys in assets/search.js)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ..states.search import DATE_CHIPS, TYPE_CHIPS, SearchState
from .icons import entry_icon

Row = ObjectVar[dict[str, str]]
CSS = """
#search-root { position: relative; flex: 1 1 16rem; min-width: 0; max-width: 30rem; }
#search-results { position: absolute; top: calc(100% + 0.375rem); left: 0; width: min(36rem, calc(100vw - 1rem));
  max-height: min(70vh, 36rem); overflow-y: auto; z-index: 50; background: var(--color-panel-solid);
  border: 1px solid var(--gray-a6); border-radius: var(--radius-3); box-shadow: var(--shadow-5); padding: 0.5rem; }
@media (max-width: 40rem) { #search-results { position: fixed; top: 3.75rem; left: 0.5rem; right: 0.5rem; width: auto; } }
.pcs-search-result { border-radius: var(--radius-2); padding: 0.375rem 0.5rem; gap: 0.5rem; }
.pcs-search-result[data-active="true"], .pcs-search-result:hover { background: var(--accent-a3); }
.pcs-search-open { all: unset; cursor: pointer; display: flex; gap: 0.625rem; align-items: flex-start; flex: 1;
  min-width: 0; min-height: 44px; }
.pcs-search-open:focus-visible { outline: 2px solid var(--accent-9); outline-offset: 2px; }
.pcs-search-snippet { font-size: var(--font-size-1); color: var(--gray-11); overflow-wrap: anywhere; }
.pcs-search-title { font-size: var(--font-size-2); font-weight: 500; max-width: 100%; }
.pcs-search-snippet mark, .pcs-search-title mark { background: var(--amber-a5); color: inherit; border-radius: 2px; padding: 0 1px; }
.pcs-search-chips { display: flex; flex-wrap: wrap; gap: 0.375rem; padding: 0.25rem 0.25rem 0.5rem; }
.pcs-search-chips button { min-height: 32px; }
#search-backdrop { position: fixed; inset: 0; z-index: 40; }
"""


def _chip(value: str, label: str, on: rx.Var[bool], handler: Any) -> rx.Component:
    return rx.button(
        label,
        size="1",
        radius="full",
        variant=rx.cond(on, "solid", "soft"),
        color_scheme=rx.cond(on, "indigo", "gray"),
        on_click=handler(value),
        aria_pressed=rx.cond(on, "true", "false"),
        custom_attrs={"data-chip": value},
    )


def chips() -> rx.Component:
    return rx.el.div(
        *[_chip(v, label, SearchState.types.contains(v), SearchState.toggle_type) for v, label in TYPE_CHIPS],
        *[_chip(v, label, SearchState.days == v, SearchState.toggle_days) for v, label in DATE_CHIPS],
        class_name="pcs-search-chips",
        role="group",
        aria_label="Filters",
    )


def result(r: Row, i: rx.Var[int]) -> rx.Component:
    return rx.hstack(
        rx.el.button(
            entry_icon(r["icon"], size=20, flex_shrink="0", margin_top="2px"),
            rx.vstack(
                rx.html(r["title"], class_name="pcs-search-title pcs-ellipsis"),
                rx.cond(r["snippet"] != "", rx.html(r["snippet"], class_name="pcs-search-snippet")),
                rx.text(r["where"] + " · " + r["meta"], size="1", color_scheme="gray", class_name="pcs-ellipsis"),
                rx.cond(
                    r["note"] != "", rx.text(r["note"], size="1", color_scheme="amber", class_name="pcs-search-note")
                ),
                spacing="0",
                min_width="0",
                align="start",
            ),
            class_name="pcs-search-open",
            on_click=SearchState.open_result(i),
            title="Open " + r["name"],
        ),
        rx.icon_button(
            rx.icon("folder-open", size=16),
            variant="ghost",
            size="2",
            on_click=SearchState.open_folder(i),
            aria_label="Open the folder of " + r["name"],
            title="Open its folder",
            class_name="pcs-touch pcs-search-folder",
        ),
        class_name="pcs-search-result",
        id="search-result-" + i.to_string(),
        custom_attrs={"data-search-index": i.to_string(), "data-active": "false", "data-kind": r["kind"]},
        role="option",
        align="start",
        width="100%",
    )


def panel() -> rx.Component:
    return rx.el.div(
        chips(),
        rx.cond(
            SearchState.searching & (SearchState.results.length() == 0),
            rx.center(rx.spinner(size="2"), padding="0.75rem"),
        ),
        rx.cond(
            SearchState.message != "",
            rx.text(SearchState.message, size="2", color_scheme="gray", padding="0.5rem", id="search-message"),
        ),
        rx.el.div(
            rx.foreach(SearchState.results, result),
            role="listbox",
            aria_label="Search results",
        ),
        rx.cond(
            SearchState.next_cursor != "",
            rx.button("More results", variant="soft", size="2", width="100%", on_click=SearchState.load_more),
        ),
        rx.text(
            "Names, folders and the text inside documents are searched (up to the first 100,000 characters).",
            size="1",
            color_scheme="gray",
            padding="0.5rem 0.5rem 0.25rem",
        ),
        id="search-results",
    )


def search_box() -> rx.Component:
    """The header's search field; its panel opens under it while there is something to show."""
    return rx.el.div(
        rx.el.style(CSS),
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            rx.cond(
                SearchState.query != "",
                rx.input.slot(
                    rx.icon_button(
                        rx.icon("x", size=14),
                        variant="ghost",
                        size="1",
                        on_click=SearchState.clear,
                        aria_label="Clear the search",
                        id="search-clear",
                    )
                ),
            ),
            id="search-input",
            placeholder="Search  /",
            type="search",
            default_value=SearchState.query,
            on_change=SearchState.set_query.debounce(250),
            on_focus=SearchState.show_panel,
            size="2",
            width="100%",
            auto_complete="off",
            aria_label="Search files and folders",
            aria_controls="search-results",
            enter_key_hint="search",
            role="combobox",
            aria_expanded=rx.cond(SearchState.panel_open, "true", "false"),
        ),
        rx.cond(
            SearchState.panel_open,
            rx.fragment(rx.el.div(id="search-backdrop", on_click=SearchState.close_panel), panel()),
        ),
        rx.el.button(id="search-close", on_click=SearchState.close_panel, hidden=True, aria_hidden="true"),
        rx.script(src="/search.js"),
        id="search-root",
        role="search",
    )
