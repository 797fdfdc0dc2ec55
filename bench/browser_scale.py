"""The file browser on a 100,000-entry folder in Chromium (Playwright): first rows, jumping to the end (End key
and the scrollbar), selecting a row, select all, clearing, and scrolling (frames and long tasks).

Anchor, measured in the same run against the same stack: the REST listing of the same folder, one page
(GET /nodes/{id}/children?limit=100) over HTTP. What the UI adds on top of fetching the rows is the difference.
Selection has no REST counterpart: it is judged against the issue's goal (< 100 ms).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from .common import Row, Section, log, percentile
from .stack import Api, Stack
from .ui import fill_folder, launch_chromium, new_context, stats, token_of

ENTRIES = 100_000
DIRS = 300
PAGE = 100
LOAD_REPS = 10
ACTION_REPS = 10
HTTP_REPS = 20
SCROLL_SECONDS = 3.0

# Stamp performance.now() when ``pred`` holds, right after running ``act`` (both in the page).
TIMED_JS = """
async ([act, pred, timeout]) => {
  const a = new Function(act), p = new Function('return (' + pred + ')');
  const t0 = performance.now();
  a();
  return await new Promise((ok, fail) => {
    const tick = () => {
      let done = false;
      try { done = p(); } catch (e) { done = false; }
      if (done) return ok(performance.now() - t0);
      if (performance.now() - t0 > timeout) return fail(new Error('timed out: ' + pred));
      requestAnimationFrame(tick);
    };
    const mo = new MutationObserver(() => { try { if (p()) { mo.disconnect(); ok(performance.now() - t0); } } catch (e) {} });
    mo.observe(document, {childList: true, subtree: true, attributes: true, characterData: true});
    tick();
  });
}
"""

# Scroll the window for ``seconds`` at ``step`` px a frame; frames drawn and long tasks meanwhile.
SCROLL_JS = """
async ([seconds, step]) => {
  const long = [];
  const po = new PerformanceObserver((l) => { for (const e of l.getEntries()) long.push(e.duration); });
  po.observe({type: 'longtask'});
  let frames = 0;
  const t0 = performance.now();
  await new Promise((ok) => {
    const tick = () => {
      frames += 1;
      window.scrollBy(0, step);
      if (performance.now() - t0 < seconds * 1000) requestAnimationFrame(tick); else ok();
    };
    requestAnimationFrame(tick);
  });
  const ms = performance.now() - t0;
  await new Promise((ok) => setTimeout(ok, 100));
  po.disconnect();
  return {fps: frames * 1000 / ms, long_max: long.length ? Math.max(...long) : 0, long_count: long.length,
          over_100: long.filter((d) => d > 100).length};
}
"""

ROW = ".pcs-row[data-index='{i}']"
CLICK_CLEAR = "document.querySelector('#clear-selection').click()"
CLEARED = "!document.querySelector('.pcs-row[data-selected=\"true\"]') && !document.querySelector('#selection-count')"
SHOWN = '!!document.querySelector("{sel} .pcs-name") && document.querySelector("{sel}").getClientRects().length > 0'


def timed(page: Page, act: str, pred: str, timeout_ms: int = 20_000) -> float:
    return float(page.evaluate(TIMED_JS, [act, pred, timeout_ms]))


def open_big(browser: Browser, stack: Stack, token: str, folder_id: str) -> tuple[Any, Page, float]:
    ctx = new_context(browser, stack, token)
    ctx.set_default_timeout(60_000)
    page = ctx.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"/files/{folder_id}", wait_until="commit")
    page.wait_for_function("() => window.__pcsT && window.__pcsT.first_row !== undefined", timeout=60_000)
    first = float(page.evaluate("() => window.__pcsT.first_row"))
    return ctx, page, first


def ui_measures(browser: Browser, stack: Stack, token: str, folder_id: str, entries: int) -> dict[str, Any]:
    res: dict[str, Any] = {
        k: [] for k in ("first_row", "end_key", "end_scrollbar", "select_row", "select_all", "clear")
    }
    last = ROW.format(i=entries - 1)
    for rep in range(LOAD_REPS):
        ctx, page, first = open_big(browser, stack, token, folder_id)
        try:
            res["first_row"].append(first)
            ws = page.evaluate("() => window.__pcsWS")
            res.setdefault("ws_open", []).append(min((float(m[1]) for m in ws if m[0] == "open"), default=float("nan")))
            res.setdefault("rows_in_dom", []).append(page.locator(".pcs-row").count())
            page.wait_for_timeout(500)
            # End key, then back to the top, then the scrollbar dragged to the bottom (a scroll to the end).
            res["end_key"].append(
                timed(
                    page,
                    "document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'End', bubbles: true}))",
                    SHOWN.format(sel=last),
                )
            )
            res.setdefault("rows_at_end", []).append(page.locator(".pcs-row").count())
            timed(page, "window.scrollTo(0, 0)", SHOWN.format(sel=ROW.format(i=0)))
            page.wait_for_timeout(300)
            res["end_scrollbar"].append(
                timed(page, "window.scrollTo(0, document.documentElement.scrollHeight)", SHOWN.format(sel=last))
            )
            timed(page, "window.scrollTo(0, 0)", SHOWN.format(sel=ROW.format(i=0)))
            page.wait_for_timeout(300)
            if rep == 0:
                for i in range(ACTION_REPS):
                    row = ROW.format(i=3 + i)
                    steps = (
                        (
                            "select_row",
                            f'document.querySelector("{row} .pcs-cell-mod").click()',
                            f"document.querySelector(\"{row}\").dataset.selected === 'true'",
                        ),
                        ("clear", CLICK_CLEAR, CLEARED),
                        (
                            "select_all",
                            "document.querySelector('#select-all').click()",
                            "document.querySelectorAll('.pcs-row[data-selected=\"true\"]').length === "
                            "document.querySelectorAll('.pcs-row').length && "
                            "(document.querySelector('#selection-count') || {}).textContent === "
                            f"'All {entries} selected'",
                        ),
                        ("clear", CLICK_CLEAR, CLEARED),
                    )
                    for key, act, pred in steps:
                        res[key].append(timed(page, act, pred))
                        if key == "clear":
                            page.wait_for_timeout(150)
                res["scroll"] = page.evaluate(SCROLL_JS, [SCROLL_SECONDS, 60])
                res["fling"] = page.evaluate(SCROLL_JS, [SCROLL_SECONDS, 3000])
        finally:
            ctx.close()
    return res


def small_first_rows(browser: Browser, stack: Stack, token: str, folder_id: str) -> list[float]:
    """The same page on a 20-entry folder: what the app's page costs before the folder's size matters."""
    out: list[float] = []
    for _ in range(LOAD_REPS):
        ctx, _page, first = open_big(browser, stack, token, folder_id)
        ctx.close()
        out.append(first)
    return out


def http_page(api: Api, folder_id: str, reps: int) -> list[float]:
    out: list[float] = []
    for rep in range(3 + reps):
        t0 = time.perf_counter()
        r = api.http.get(f"/nodes/{folder_id}/children", params={"limit": PAGE})
        r.raise_for_status()
        if len(r.json()["items"]) != PAGE:
            raise RuntimeError("the REST page is short")
        if rep >= 3:
            out.append((time.perf_counter() - t0) * 1000)
    return out


def run(stack: Stack, api: Api, args: Any) -> Section:
    entries = int(getattr(args, "scale_entries", ENTRIES))
    sec = Section(
        f"browser at scale: Chromium, a {entries:,}-entry folder ({LOAD_REPS} fresh pages)",
        f"REST API: GET /nodes/{{id}}/children?limit={PAGE} of the same folder over HTTP",
    )
    folder = api.mkdir(api.root_id, f"bench-scale-{secrets.token_hex(2)}")
    small = api.mkdir(api.root_id, f"bench-scale-small-{secrets.token_hex(2)}")
    secs = fill_folder(stack, folder, entries, DIRS)
    fill_folder(stack, small, 20, 3)
    log(f"browser_scale: inserted {entries:,} rows in {secs:.1f} s")
    http = http_page(api, folder, HTTP_REPS)
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            ui = ui_measures(browser, stack, token_of(api), folder, entries)
            ui["small_first_row"] = small_first_rows(browser, stack, token_of(api), small)
        finally:
            browser.close()
    h = stats(http)

    def add(measure: str, values: list[float], goal_ms: float, anchor: float | None) -> None:
        s = stats(values)
        for p in ("p50", "p95"):
            judged = p == "p95"
            sec.rows.append(
                Row(
                    sec.name,
                    f"{measure} {p}",
                    "ms",
                    s[p],
                    anchor,
                    f"< {goal_ms:.0f} ms" if judged else "",
                    s[p] < goal_ms if judged else None,
                )
            )

    add("navigation -> first rows", ui["first_row"], 1000, h["p50"])
    add("20-entry folder: navigation -> first rows (same UI)", ui["small_first_row"], 1000, h["p50"])
    add("End key -> last rows", ui["end_key"], 1000, h["p50"])
    add("scrollbar to the end -> last rows", ui["end_scrollbar"], 1000, h["p50"])
    add("select a row", ui["select_row"], 100, None)
    add("select all", ui["select_all"], 100, None)
    add("clear the selection", ui["clear"], 100, None)
    for key, label in (("scroll", "scroll 60 px/frame"), ("fling", "fling 3,000 px/frame")):
        s = ui[key]
        sec.rows.append(Row(sec.name, f"{label}: frames", "fps", s["fps"], None, ">= 50 fps", s["fps"] >= 50))
        sec.rows.append(
            Row(sec.name, f"{label}: longest task", "ms", s["long_max"], None, "<= 100 ms", s["long_max"] <= 100)
        )
    sec.notes += [
        f"{entries:,} Node rows ({DIRS} folders) bulk-inserted into SQLite in {secs:.1f} s; a fresh page per rep; "
        "times are performance.now() in the page from the action to the MutationObserver/frame that sees the result",
        f"REST anchor p50 {h['p50']:.1f} ms, p95 {h['p95']:.1f} ms (one page of {PAGE}, Python client, keep-alive)",
        f"navigation -> socket open p50 {percentile(ui['ws_open'], 50):.0f} ms (the app's page and scripts, before "
        "any row is asked for); the rest of 'first rows' is the folder's load event and its first page",
        f"rows in the DOM at the top: {sorted(set(ui['rows_in_dom']))}; at the end: {sorted(set(ui['rows_at_end']))}",
        f"scroll: {ui['scroll']}; fling: {ui['fling']}",
        f"select a row p50 {percentile(ui['select_row'], 50):.0f} ms: a click goes to the server over the socket and "
        "the new selection comes back as props; only the rows in view re-render",
    ]
    sec.samples = {"ms": {"ui": ui, "http": http}}
    return sec
