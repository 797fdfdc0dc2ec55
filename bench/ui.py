"""The web UI in Chromium (Playwright): live-update latency between two tabs and a 10,000-entry folder's first render.

Anchors, measured in the same run against the same stack: the REST API's own change feed (a client already
waiting on the long-poll GET /changes while the same kind of change is made with POST .../folders) and the
same listing pages fetched over HTTP from GET /nodes/{id}/children. The difference is what the UI adds.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from .common import Row, Section, log, percentile
from .listing import bulk_insert
from .stack import Api, Stack

CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LIVE_TRIES = 20
RENDER_REPS = 10
HTTP_REPS = 20
ENTRIES = 10_000
DIRS = 300
PAGE = 200
LIVE_GOAL_MS = 100.0
RENDER_GOAL_MS = 1000.0
BROWSER_READY = "#file-browser[data-folder-id]:not([data-folder-id=''])"

# Installed in every page before its own scripts run: a MutationObserver that stamps performance.now()
# (ms since this document's navigation started) the first time each registered predicate holds.
WATCH_JS = """
(() => {
  window.__pcsT = {};
  const watches = [];
  const visible = (el) => !!el && el.getClientRects().length > 0;
  const check = () => {
    for (let i = watches.length - 1; i >= 0; i--) {
      const [key, pred] = watches[i];
      let ok = false;
      try { ok = pred(); } catch (e) { ok = false; }
      if (ok) {
        window.__pcsT[key] = performance.now();
        window.__pcsT[key + ':wall'] = Date.now();
        watches.splice(i, 1);
      }
    }
  };
  window.__pcsVisible = visible;
  window.__pcsWatch = (key, pred) => {
    delete window.__pcsT[key];
    delete window.__pcsT[key + ':wall'];
    watches.push([key, pred]);
    check();
  };
  // Main-thread tasks over 50 ms (React rendering, script evaluation).
  window.__pcsLong = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__pcsLong.push([e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) { /* no Long Tasks API */ }
  // The socket the Reflex client talks over: when it opened and when each message arrived (and its size).
  window.__pcsWS = [];
  const NativeWS = window.WebSocket;
  window.WebSocket = class extends NativeWS {
    constructor(...a) {
      super(...a);
      this.addEventListener('open', () => window.__pcsWS.push(['open', performance.now(), 0]));
      this.addEventListener('message', (e) => {
        const n = typeof e.data === 'string' ? e.data.length : (e.data.byteLength || e.data.size || 0);
        if (window.__pcsWS.length < 500) window.__pcsWS.push(['msg', performance.now(), n]);
      });
    }
  };
  new MutationObserver(check).observe(document, {
    childList: true, subtree: true, characterData: true,
    attributes: true, attributeFilter: ['class', 'style', 'hidden'],
  });
  window.__pcsWatch('first_row', () => visible(document.querySelector('.pcs-row')));
  window.__pcsWatch('load_more', () => visible(document.querySelector('#load-more')));
})();
"""

# Tab B: stamp Date.now() when a row named `name` is in the listing.
WATCH_NAME_JS = """
(args) => {
  const [key, name] = args;
  window.__pcsWatch(key, () => Array.from(document.querySelectorAll('.pcs-row .pcs-name'))
    .some((el) => el.textContent === name && window.__pcsVisible(el)));
}
"""

# Tab A: the wall clock right when the dialog's submit button is clicked.
CLICK_SUBMIT_JS = """
() => { const t = Date.now(); document.querySelector('#dialog-submit').click(); return t; }
"""

CLICK_LOAD_MORE_JS = """
(want) => {
  window.__pcsWatch('rows', () => document.querySelectorAll('.pcs-row').length >= want);
  const t = performance.now();
  document.querySelector('#load-more').click();
  return t;
}
"""

NAV_JS = """
() => {
  const n = performance.getEntriesByType('navigation')[0];
  return n ? {response_end: n.responseEnd, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd} : {};
}
"""


def launch_chromium(pw: Any) -> Browser:
    """Debian's Chromium, driven by Playwright (the only browser these machines have)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}")
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def token_of(api: Api) -> str:
    return str(api.http.headers["Authorization"]).removeprefix("Bearer ").strip()


def new_context(browser: Browser, stack: Stack, token: str) -> BrowserContext:
    ctx = browser.new_context(base_url=stack.url, viewport={"width": 1280, "height": 900})
    ctx.add_cookies([{"name": "pcs_session", "value": token, "url": stack.url}])
    ctx.add_init_script(WATCH_JS)
    return ctx


def open_folder(ctx: BrowserContext, folder_id: str) -> Page:
    page = ctx.new_page()
    page.goto(f"/files/{folder_id}")
    page.wait_for_selector(f"#file-browser[data-folder-id='{folder_id}']", timeout=30_000)
    return page


def stats(values: list[float]) -> dict[str, float]:
    return {"p50": percentile(values, 50), "p95": percentile(values, 95), "max": max(values)}


# -- 1. live updates ---------------------------------------------------------------------------------


def api_cursor(http: httpx.Client) -> int:
    """The head of this account's change feed (paging through it from 0)."""
    cursor = 0
    while True:
        r = http.get("/changes", params={"since": cursor, "limit": 5000})
        r.raise_for_status()
        body = r.json()
        cursor = int(body["cursor"])
        if not body["has_more"]:
            return cursor


def api_feed_latency(api: Api, folder_id: str, tries: int) -> list[float]:
    """ms from sending POST .../folders to a long-poll GET /changes that was already waiting returning."""
    waiter = httpx.Client(base_url=str(api.http.base_url), headers=dict(api.http.headers), timeout=30)
    out: list[float] = []
    try:
        cursor = api_cursor(waiter)
        for i in range(tries):
            done: dict[str, Any] = {}

            def poll(since: int = cursor, box: dict[str, Any] = done) -> None:
                try:
                    r = waiter.get("/changes", params={"since": since, "timeout": 10})
                    box["t"] = time.perf_counter()
                    r.raise_for_status()
                    box["body"] = r.json()
                except Exception as e:  # noqa: BLE001 - reported by the caller
                    box["error"] = e

            th = threading.Thread(target=poll, daemon=True)
            th.start()
            time.sleep(0.3)  # let the long-poll reach the server and start waiting
            if "t" in done or "error" in done:
                raise RuntimeError(f"the long-poll returned before the change: {done}")
            t0 = time.perf_counter()
            api.mkdir(folder_id, f"api-{i:02d}")
            th.join(15)
            if "error" in done:
                raise RuntimeError(f"long-poll failed: {done['error']!r}")
            if "t" not in done or not done["body"]["changes"]:
                raise RuntimeError("the long-poll did not see the new folder within 10 s")
            out.append((done["t"] - t0) * 1000)
            cursor = int(done["body"]["cursor"])
            cursor = max(cursor, api_cursor(waiter))
    finally:
        waiter.close()
    return out


def ui_live_latency(browser: Browser, stack: Stack, token: str, folder_id: str, tries: int) -> dict[str, list[float]]:
    """Folder made in tab A's dialog -> its row in tab B (and in tab A itself), ms on the browser's clock."""
    ctx_a, ctx_b = new_context(browser, stack, token), new_context(browser, stack, token)
    res: dict[str, list[float]] = {"a_to_b": [], "a_to_a": []}
    try:
        a, b = open_folder(ctx_a, folder_id), open_folder(ctx_b, folder_id)
        a.wait_for_timeout(1000)  # both tabs' live loops have started following the feed
        for i in range(tries):
            name = f"ui-live-{i:02d}-{secrets.token_hex(2)}"
            a.click("#new-folder")
            a.wait_for_selector("#dialog-name", state="visible", timeout=10_000)
            a.fill("#dialog-name", name)
            a.wait_for_timeout(400)  # let the input's change events settle, so submit is not queued behind them
            b.evaluate(WATCH_NAME_JS, ["live", name])
            a.evaluate(WATCH_NAME_JS, ["own", name])
            t_click = float(a.evaluate(CLICK_SUBMIT_JS))
            b.wait_for_function("() => window.__pcsT['live:wall'] !== undefined", timeout=15_000)
            a.wait_for_function("() => window.__pcsT['own:wall'] !== undefined", timeout=15_000)
            res["a_to_b"].append(float(b.evaluate("() => window.__pcsT['live:wall']")) - t_click)
            res["a_to_a"].append(float(a.evaluate("() => window.__pcsT['own:wall']")) - t_click)
            if min(res["a_to_b"][-1], res["a_to_a"][-1]) < 0:
                raise RuntimeError(f"try {i}: a row was seen before its folder was submitted ({res})")
            a.wait_for_selector("#dialog-name", state="hidden", timeout=10_000)
            a.wait_for_timeout(300)
    finally:
        ctx_a.close()
        ctx_b.close()
    return res


# -- 2. a big folder ---------------------------------------------------------------------------------


def fill_folder(stack: Stack, folder_id: str, entries: int, dirs: int) -> float:
    """Bulk-insert ``entries`` Node rows under ``folder_id`` straight into the stack's SQLite database."""
    conn = sqlite3.connect(stack.db_path)
    try:
        owner = conn.execute("SELECT owner_id FROM node WHERE id = ?", (folder_id,)).fetchone()
    finally:
        conn.close()
    if owner is None:
        raise RuntimeError(f"folder {folder_id} not found in {stack.db_path}")
    engine = sa.create_engine(f"sqlite:///{stack.db_path}")
    try:
        return bulk_insert(engine, int(owner[0]), folder_id, entries, dirs)
    finally:
        engine.dispose()


def largest_message(ws: list[list[Any]], after: float, until: float) -> tuple[float, float]:
    """(arrival ms, size KB) of the biggest socket message that arrived in [after, until]."""
    msgs = [(m[1], m[2]) for m in ws if m[0] == "msg" and after <= m[1] <= until]
    if not msgs:
        return float("nan"), float("nan")
    t, n = max(msgs, key=lambda m: m[1])
    return float(t), n / 1000


def long_tasks(page: Page, after: float, until: float) -> float:
    """ms of main-thread long tasks (> 50 ms each) that started in [after, until]."""
    tasks = page.evaluate("() => window.__pcsLong")
    return float(sum(d for t, d in tasks if after <= t <= until))


def ui_render(
    browser: Browser, stack: Stack, token: str, folder_id: str, reps: int, load_more: bool
) -> dict[str, list[float]]:
    """Fresh page per rep: navigation start -> first row (-> Load more, and Load more click -> 400 rows)."""
    ctx = new_context(browser, stack, token)
    res: dict[str, list[float]] = {}

    def add(key: str, value: float) -> None:
        res.setdefault(key, []).append(value)

    ready = "window.__pcsT && window.__pcsT.first_row !== undefined"
    if load_more:
        ready += " && window.__pcsT.load_more !== undefined"
    try:
        for _ in range(reps):
            page = ctx.new_page()
            try:
                page.goto(f"/files/{folder_id}", wait_until="commit")
                page.wait_for_function(f"() => {ready}", timeout=60_000)
                t = page.evaluate("() => window.__pcsT")
                add("first_row", float(t["first_row"]))
                if load_more:
                    add("load_more", float(t["load_more"]))
                add("rows_first", float(page.evaluate("() => document.querySelectorAll('.pcs-row').length")))
                nav = page.evaluate(NAV_JS)
                add("response_end", float(nav.get("response_end", 0)))
                add("dcl", float(nav.get("dcl", 0)))
                ws = page.evaluate("() => window.__pcsWS")
                add("ws_open", min((float(m[1]) for m in ws if m[0] == "open"), default=float("nan")))
                msg_t, msg_kb = largest_message(ws, 0, float(t["first_row"]))
                add("rows_msg", msg_t)
                add("rows_msg_kb", msg_kb)
                add("long_first", long_tasks(page, 0, float(t["first_row"])))
                if not load_more:
                    continue
                page.wait_for_timeout(200)
                t_click = float(page.evaluate(CLICK_LOAD_MORE_JS, 2 * PAGE))
                page.wait_for_function("() => window.__pcsT.rows !== undefined", timeout=60_000)
                t_rows = float(page.evaluate("() => window.__pcsT.rows"))
                add("more_rows", t_rows - t_click)
                msg_t, msg_kb = largest_message(page.evaluate("() => window.__pcsWS"), t_click, t_rows)
                add("more_msg", msg_t - t_click)
                add("more_msg_kb", msg_kb)
                add("long_more", long_tasks(page, t_click, t_rows))
            finally:
                page.close()
    finally:
        ctx.close()
    return res


def http_pages(api: Api, folder_id: str, reps: int) -> dict[str, list[float]]:
    """The same first page, and the page Load more asks for, over HTTP (ms)."""
    params: dict[str, Any] = {"sort": "name", "order": "asc", "limit": PAGE}
    first = api.http.get(f"/nodes/{folder_id}/children", params=params)
    first.raise_for_status()
    cursor = first.json().get("next_cursor")
    if not cursor:
        raise RuntimeError("the first page of the big folder has no next_cursor")
    out: dict[str, list[float]] = {"first": [], "second": []}
    for key, extra in (("first", {}), ("second", {"cursor": cursor})):
        for rep in range(3 + reps):
            t0 = time.perf_counter()
            r = api.http.get(f"/nodes/{folder_id}/children", params={**params, **extra})
            r.raise_for_status()
            n = len(r.json()["items"])
            ms = (time.perf_counter() - t0) * 1000
            if n != PAGE:
                raise RuntimeError(f"HTTP {key} page has {n} items, expected {PAGE}")
            if rep >= 3:
                out[key].append(ms)
    return out


# -- the section -------------------------------------------------------------------------------------


def _rows(
    sec: Section,
    measure: str,
    pcs: list[float],
    anchor: list[float] | None,
    goal: tuple[str, float, tuple[str, ...]] | None = None,
    pcts: tuple[str, ...] = ("p50", "p95", "max"),
) -> None:
    """Rows for ``pcts`` of ``pcs`` beside the same percentile of ``anchor``; ``goal`` = (text, limit, judged pcts)."""
    ps, an = stats(pcs), (stats(anchor) if anchor else None)
    for p in pcts:
        text, met = "", None
        if goal is not None and p in goal[2]:
            text, met = goal[0], ps[p] < goal[1]
        sec.rows.append(Row(sec.name, f"{measure} {p}", "ms", ps[p], an[p] if an else None, text, met))


def run(stack: Stack, api: Api, args: Any) -> Section:
    tries = int(getattr(args, "ui_tries", LIVE_TRIES))
    reps = int(getattr(args, "ui_reps", RENDER_REPS))
    sec = Section(
        f"ui: Chromium, live updates ({tries} tries) and a {ENTRIES:,}-entry folder ({reps} fresh pages)",
        "REST API: long-poll GET /changes seeing POST .../folders; GET .../children?limit=200 over HTTP",
    )
    token = token_of(api)
    live_folder = api.mkdir(api.root_id, f"bench-ui-live-{secrets.token_hex(2)}")
    big_folder = api.mkdir(api.root_id, f"bench-ui-big-{secrets.token_hex(2)}")
    secs = fill_folder(stack, big_folder, ENTRIES, DIRS)
    log(f"ui: inserted {ENTRIES:,} rows ({DIRS} folders) in {secs:.1f} s")
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            log(f"ui: live updates, {tries} tries through the UI")
            live = ui_live_latency(browser, stack, token, live_folder, tries)
            log(f"ui: live updates, {tries} tries through the API long-poll")
            feed = api_feed_latency(api, live_folder, tries)
            log(f"ui: {ENTRIES:,}-entry folder, {reps} fresh pages")
            # The list is virtualized now (no Load more button): paging is measured by bench/browser_scale.py.
            big = ui_render(browser, stack, token, big_folder, reps, load_more=False)
            log("ui: the small live folder, 5 fresh pages (baseline)")
            small = ui_render(browser, stack, token, live_folder, 5, load_more=False)
        finally:
            browser.close()
    http = http_pages(api, big_folder, HTTP_REPS)
    live_goal = (f"< {LIVE_GOAL_MS:.0f} ms", LIVE_GOAL_MS, ("p50",))
    render_goal = (f"< {RENDER_GOAL_MS / 1000:.0f} s", RENDER_GOAL_MS, ("p50", "p95"))
    big_name = f"{ENTRIES:,} entries:"
    _rows(sec, "live: folder made in tab A -> row in tab B", live["a_to_b"], feed, live_goal)
    _rows(sec, "live: folder made in tab A -> row in tab A", live["a_to_a"], feed)
    _rows(sec, f"{big_name} navigation -> first row", big["first_row"], http["first"], render_goal, ("p50", "p95"))

    def p50(values: list[float]) -> float:
        return percentile([v for v in values if v == v], 50)  # NaN-free

    sec.notes += [
        "live anchor: a client already waiting on GET /changes?since=<cursor>&timeout=10, "
        "time from sending POST /nodes/{folder}/folders to the long-poll returning (Python clock)",
        "live UI: Date.now() in tab A right before the submit click vs a MutationObserver in tab B "
        "(same browser, same clock); 'tab A' rows time A's own listing refresh",
        f"big folder: {ENTRIES:,} Node rows ({DIRS} folders) bulk-inserted into SQLite in {secs:.1f} s; "
        "times are performance.now() from navigation start (MutationObserver), new page per rep, same context "
        "(HTTP cache warm after the first rep); first-page anchor is GET .../children?limit=200, "
        "the Load more anchor the second page with its cursor",
        f"big folder p50 breakdown from navigation start: HTML responseEnd {p50(big['response_end']):.0f} ms, "
        f"DOMContentLoaded {p50(big['dcl']):.0f} ms, socket open {p50(big['ws_open']):.0f} ms, "
        f"state message with the rows ({p50(big['rows_msg_kb']):.0f} KB) {p50(big['rows_msg']):.0f} ms, "
        f"first row {p50(big['first_row']):.0f} ms (main-thread long tasks before it {p50(big['long_first']):.0f} ms);"
        " rows in the DOM (virtualized): "
        f"{sorted({int(x) for x in big['rows_first']})}",
        f"baseline, same UI on the {int(small['rows_first'][0])}-entry live folder (5 fresh pages): "
        f"navigation -> first row p50 {p50(small['first_row']):.0f} ms (socket open {p50(small['ws_open']):.0f} ms, "
        f"rows message {p50(small['rows_msg']):.0f} ms, long tasks {p50(small['long_first']):.0f} ms)",
    ]
    sec.samples = {"ms": {"live_ui": live, "live_api": feed, "big_folder": big, "small_folder": small, "http": http}}
    return sec
