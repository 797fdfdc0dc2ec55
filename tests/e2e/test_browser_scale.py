"""The file browser with thousands of entries and on a phone: a virtualized list (only a window of rows
in the page), End reaching the last row, "select all N in this folder" then one bulk trash over all of
them, the sticky toolbar, long-press selection on a touch screen and the "+ New" menu."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import BrowserContext, Page, expect

from bench.listing import bulk_insert
from tests.e2e.helpers import api_user, row, select, session_cookie, signed_in

pytestmark = pytest.mark.e2e

ENTRIES = 3000
DIRS = 40


def seed(stack, folder_id: str, entries: int = ENTRIES, dirs: int = DIRS) -> None:  # type: ignore[no-untyped-def]
    """Put ``entries`` rows straight into the stack's database (3,000 uploads would take minutes)."""
    db = Path(stack.data_dir) / "pcs.db"
    with sqlite3.connect(db) as conn:
        owner = conn.execute("SELECT owner_id FROM node WHERE id = ?", (folder_id,)).fetchone()
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        bulk_insert(engine, int(owner[0]), folder_id, entries, dirs)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def big(stack, base_url: str) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(token, folder id) of an account with a 3,000-entry folder."""
    _email, token, root = api_user(base_url)
    h = {"Authorization": f"Bearer {token}"}
    folder = httpx.post(f"{base_url}/api/v1/nodes/{root}/folders", json={"name": "big"}, headers=h).json()
    seed(stack, folder["id"])
    yield token, folder["id"]


def children(base_url: str, token: str, folder_id: str, **params: str) -> list[str]:
    """Every entry's name through the REST listing, in its order."""
    h = {"Authorization": f"Bearer {token}"}
    names: list[str] = []
    cursor = None
    with httpx.Client(base_url=base_url, headers=h, timeout=60) as c:
        while True:
            q: dict[str, str | int] = {"limit": 1000, **params}
            if cursor:
                q["cursor"] = cursor
            body = c.get(f"/api/v1/nodes/{folder_id}/children", params=q).json()
            names += [n["name"] for n in body["items"]]
            cursor = body.get("next_cursor")
            if not cursor:
                return names


def children_count(base_url: str, token: str, folder_id: str) -> int:
    return len(children(base_url, token, folder_id))


def test_only_a_window_of_rows_is_in_the_page_and_end_reaches_the_last(
    context: BrowserContext, base_url: str, big: tuple[str, str], artifacts: Path
) -> None:
    token, folder = big
    page = signed_in(context, base_url, token, f"/files/{folder}")
    page.set_viewport_size({"width": 1440, "height": 900})
    expect(page.locator(".pcs-row").first).to_be_visible(timeout=20_000)
    expect(page.locator("#file-browser")).to_have_attribute("data-total", str(ENTRIES))
    shown = page.locator(".pcs-row").count()
    assert 5 < shown < 100, f"{shown} rows in the DOM for a 3,000-entry folder"
    last = children(base_url, token, folder)[-1]  # the last entry in name order, from the API
    page.locator("#file-browser").focus()
    page.keyboard.press("End")
    expect(row(page, last)).to_be_visible(timeout=3_000)
    assert page.locator(".pcs-row").count() < 100
    # The header, the path and the actions are still in view down there.
    expect(page.locator("#sticky-top")).to_be_in_viewport()
    expect(page.locator("#upload-button")).to_be_in_viewport()
    expect(page.locator("#breadcrumbs")).to_be_in_viewport()
    page.screenshot(path=str(artifacts / "scale-end-desktop.png"))
    page.keyboard.press("Home")
    expect(page.locator(".pcs-row[data-index='0']")).to_be_visible(timeout=3_000)


def test_select_all_in_the_folder_then_trash_them_all(
    context: BrowserContext,
    base_url: str,
    stack,
    artifacts: Path,  # type: ignore[no-untyped-def]
) -> None:
    _email, token, root = api_user(base_url)
    h = {"Authorization": f"Bearer {token}"}
    folder = httpx.post(f"{base_url}/api/v1/nodes/{root}/folders", json={"name": "many"}, headers=h).json()["id"]
    seed(stack, folder)
    page = signed_in(context, base_url, token, f"/files/{folder}")
    expect(page.locator(".pcs-row").first).to_be_visible(timeout=20_000)
    # One row, then "Select all 3000 in this folder".
    page.locator(".pcs-row").first.get_by_role("checkbox").click()
    expect(page.locator("#selection-count")).to_have_text("1 selected")
    page.click("#select-all-folder")
    expect(page.locator("#selection-count")).to_have_text(f"All {ENTRIES} selected")
    # Taking one out leaves it out of the action.
    keep = page.locator(".pcs-row").nth(1)
    keep_name = keep.locator(".pcs-name").inner_text()
    keep.get_by_role("checkbox").click()
    expect(page.locator("#selection-count")).to_have_text(f"{ENTRIES - 1} selected")
    page.screenshot(path=str(artifacts / "scale-select-all-desktop.png"))
    page.click("#delete-selected")
    expect(page.locator("#undo-bar")).to_contain_text(f"{ENTRIES - 1:,} items moved to the trash", timeout=60_000)
    assert children_count(base_url, token, folder) == 1
    expect(row(page, keep_name)).to_be_visible()
    expect(page.locator(".pcs-row")).to_have_count(1)
    # Undo brings every one of them back.
    page.click("#undo")
    expect(page.locator("#file-browser")).to_have_attribute("data-total", str(ENTRIES), timeout=60_000)
    assert children_count(base_url, token, folder) == ENTRIES


def long_press(page: Page, selector: str) -> None:
    """A finger held on the element for 700 ms (touch events, as a phone sends them)."""
    page.evaluate(
        """async (sel) => {
          const el = document.querySelector(sel);
          const r = el.getBoundingClientRect();
          const t = new Touch({identifier: 1, target: el, clientX: r.left + 30, clientY: r.top + r.height / 2});
          el.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true, pointerType: 'touch'}));
          el.dispatchEvent(new TouchEvent('touchstart', {bubbles: true, touches: [t], changedTouches: [t]}));
          await new Promise((ok) => setTimeout(ok, 700));
          el.dispatchEvent(new TouchEvent('touchend', {bubbles: true, touches: [], changedTouches: [t]}));
          el.click();
        }""",
        selector,
    )


def test_phone_long_press_selects_then_taps_add_and_new_menu(
    phone: BrowserContext, base_url: str, big: tuple[str, str], artifacts: Path
) -> None:
    token, folder = big
    session_cookie(phone, base_url, token)
    page = phone.new_page()
    page.goto(f"/files/{folder}")
    expect(page.locator(".pcs-row").first).to_be_visible(timeout=20_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Touch targets: rows, checkboxes and the toolbar's buttons are at least 44 px tall.
    for sel in (".pcs-row", ".pcs-row .pcs-check-hit", "#new-menu", "#sort-menu"):
        box = page.locator(sel).first.bounding_box()
        assert box is not None and box["height"] >= 44, (sel, box)
    page.screenshot(path=str(artifacts / "scale-list-phone.png"))
    long_press(page, ".pcs-row[data-index='2']")
    expect(page.locator("#selection-count")).to_have_text("1 selected")
    expect(page.locator(".pcs-row[data-index='2']")).to_have_attribute("data-selected", "true")
    page.locator(".pcs-row[data-index='4']").tap()
    expect(page.locator("#selection-count")).to_have_text("2 selected")
    expect(page.locator(".pcs-row[data-index='4']")).to_have_attribute("data-selected", "true")
    page.screenshot(path=str(artifacts / "scale-longpress-phone.png"))
    page.locator("#clear-selection").tap()
    expect(page.locator("#selection-count")).to_have_count(0)
    # "+ New" holds the uploads and the new folder, labelled.
    page.locator("#new-menu").tap()
    expect(page.locator("#new-menu-folder")).to_contain_text("New folder")
    expect(page.locator("#new-menu-upload-folder")).to_contain_text("Upload folder")
    page.screenshot(path=str(artifacts / "scale-new-menu-phone.png"))
    page.keyboard.press("Escape")
    # The sort menu orders by size, largest first.
    page.locator("#sort-menu").tap()
    page.locator("#sort-size-desc").tap()
    expect(page.locator("#sort-menu")).to_be_visible()
    h = {"Authorization": f"Bearer {token}"}
    biggest = httpx.get(
        f"{base_url}/api/v1/nodes/{folder}/children", params={"limit": 1, "sort": "size", "order": "desc"}, headers=h
    ).json()["items"][0]["name"]
    expect(page.locator(".pcs-row[data-index='0'] .pcs-name")).to_have_text(biggest, timeout=5_000)


def test_phone_deep_path_collapses_and_back_closes_the_preview(phone: BrowserContext, base_url: str) -> None:
    _email, token, root = api_user(base_url)
    h = {"Authorization": f"Bearer {token}"}
    parent = root
    for name in ("one", "two", "three", "four"):
        parent = httpx.post(f"{base_url}/api/v1/nodes/{parent}/folders", json={"name": name}, headers=h).json()["id"]
    httpx.put(f"{base_url}/api/v1/nodes/{parent}/files", params={"name": "note.txt"}, content=b"hello", headers=h)
    page = signed_in(phone, base_url, token, f"/files/{parent}")
    crumbs = page.locator("#breadcrumbs")
    expect(crumbs.get_by_role("link", name="Folders above")).to_be_visible()
    expect(crumbs.get_by_role("link", name="four")).to_be_visible()
    expect(crumbs.get_by_role("link", name="three")).to_be_visible()
    expect(crumbs.get_by_role("link", name="one")).to_be_hidden()
    page.locator(".pcs-name", has_text="note.txt").tap()
    expect(page.locator("#preview-text")).to_have_text("hello")
    page.go_back()
    expect(page.locator("#preview-text")).to_have_count(0, timeout=5_000)
    expect(page).to_have_url(f"{base_url}/files/{parent}")
    expect(row(page, "note.txt")).to_be_visible()


# WCAG 2 contrast of every visible text in the page against the background it is drawn on (colours
# composited up the tree; Radix's display-p3 colours read as sRGB, near enough for a 4.5:1 check).
CONTRAST_JS = """
() => {
  const parse = (c) => {
    let m = c.match(/rgba?\\(([^)]+)\\)/);
    if (m) {
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return [p[0] / 255, p[1] / 255, p[2] / 255, p.length > 3 ? p[3] : 1];
    }
    m = c.match(/color\\((?:srgb|display-p3) ([^)]+)\\)/);
    if (m) {
      const p = m[1].split(/[ /]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    return null;
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [1, 1, 1, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const lum = (c) => {
    const f = (v) => (v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    if (el.closest('[disabled], [aria-disabled=true], [aria-hidden=true], .pcs-visually-hidden')) continue;
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || Number(st.opacity) === 0) continue;
    const fg0 = parse(st.color);
    if (!fg0) continue;
    const bg = background(el);
    const fg = over(fg0, bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(st.fontSize), bold = Number(st.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) bad.push(`${ratio.toFixed(2)}:1 "${el.textContent.trim().slice(0, 40)}" (${el.tagName.toLowerCase()}.${el.className})`);
  }
  return bad;
}
"""


def low_contrast(page: Page) -> list[str]:
    return page.evaluate(CONTRAST_JS)


@pytest.mark.parametrize("width,height", [(1440, 900), (390, 844)])
def test_text_meets_wcag_aa_contrast_and_the_undo_bar_fits(
    context: BrowserContext, base_url: str, artifacts: Path, width: int, height: int
) -> None:
    _email, token, root = api_user(base_url)
    h = {"Authorization": f"Bearer {token}"}
    httpx.post(f"{base_url}/api/v1/nodes/{root}/folders", json={"name": "Photos"}, headers=h)
    for name in ("a.txt", "b.txt"):
        httpx.put(f"{base_url}/api/v1/nodes/{root}/files", params={"name": name}, content=b"x", headers=h)
    page = signed_in(context, base_url, token)
    page.set_viewport_size({"width": width, "height": height})
    expect(row(page, "b.txt")).to_be_visible()
    assert low_contrast(page) == []
    select(page, "a.txt")
    assert low_contrast(page) == []
    page.click("#delete-selected")
    bar = page.locator("#undo-bar")
    expect(bar).to_contain_text("1 item moved to the trash")
    box = bar.bounding_box()
    assert box is not None and box["height"] < 70, box  # one line, not a label wrapped over four
    assert low_contrast(page) == []
    page.screenshot(path=str(artifacts / f"undo-bar-{width}.png"))
    page.get_by_role("button", name="Account").click()
    expect(page.locator(".pcs-account-email")).to_be_visible()
    assert low_contrast(page) == []


def test_context_menu_rename_selection_shortcuts_and_cut_preview(
    context: BrowserContext, base_url: str, artifacts: Path
) -> None:
    _email, token, root = api_user(base_url)
    h = {"Authorization": f"Bearer {token}"}
    httpx.put(f"{base_url}/api/v1/nodes/{root}/files", params={"name": "report.final.txt"}, content=b"r", headers=h)
    long_text = b"".join(b"line %06d of a long file\n" % i for i in range(5000))  # ~130 KiB
    httpx.put(f"{base_url}/api/v1/nodes/{root}/files", params={"name": "long.txt"}, content=long_text, headers=h)
    page = signed_in(context, base_url, token)
    expect(row(page, "report.final.txt")).to_be_visible()
    # Right-click: the row is selected and its actions are offered; Rename selects "report.final".
    row(page, "report.final.txt").locator(".pcs-cell-mod").click(button="right")
    menu = page.locator("#context-menu")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("menuitem")).to_contain_text(["Open", "Download", "Share", "Rename", "Move", "Copy"])
    page.screenshot(path=str(artifacts / "context-menu-desktop.png"))
    menu.get_by_role("menuitem", name="Rename").click()
    expect(page.locator("#dialog-name")).to_have_value("report.final.txt")
    page.wait_for_function(
        "() => { const i = document.getElementById('dialog-name');"
        " return i.selectionStart === 0 && i.selectionEnd === 'report.final'.length; }"
    )
    page.keyboard.type("summary")
    page.click("#dialog-submit")
    expect(row(page, "summary.txt")).to_be_visible()
    # "?" lists the shortcuts.
    page.locator("#file-browser").focus()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_contain_text("F2")
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_have_count(0)
    # A text preview cut at 64 KiB ends on a whole line and says so.
    page.locator(".pcs-name", has_text="long.txt").click()
    expect(page.locator("#preview-cut")).to_contain_text("64 KiB")
    text = page.locator("#preview-text").inner_text()
    assert text.endswith("of a long file\n") or text.endswith("of a long file")
    assert len(text) < 70_000
    page.keyboard.press("Escape")
    # A Markdown table renders as a table with ruled cells; raw HTML in the file shows as text, never runs.
    md = b"| Name | Size |\n|------|------|\n| a | 1 |\n| b | 2 |\n\n- [x] done\n\n<img src=x onerror=alert(1)>\n"
    httpx.put(f"{base_url}/api/v1/nodes/{root}/files", params={"name": "table.md"}, content=md, headers=h)
    page.locator(".pcs-name", has_text="table.md").click()
    cells = page.locator("#preview-body table td")
    expect(cells).to_have_count(4)
    expect(page.locator("#preview-body input[type=checkbox]:checked")).to_have_count(1)
    expect(page.locator("#preview-markdown")).to_contain_text("<img src=x onerror=alert(1)>")
    expect(page.locator("#preview-body img")).to_have_count(0)
    assert (
        page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('#preview-body td')).paddingLeft)") > 4
    )


def test_move_dialog_makes_a_new_folder_and_moves_into_it(context: BrowserContext, base_url: str) -> None:
    _email, token, root = api_user(base_url)
    h = {"Authorization": f"Bearer {token}"}
    httpx.put(f"{base_url}/api/v1/nodes/{root}/files", params={"name": "m.txt"}, content=b"m", headers=h)
    page = signed_in(context, base_url, token)
    select(page, "m.txt")
    page.click("#move-selected")
    page.click("#picker-new-folder")
    page.fill("#picker-new-name", "Fresh")
    page.click("#picker-new-submit")
    expect(page.locator("#picker-crumbs")).to_contain_text("Fresh")
    page.click("#picker-submit")
    expect(row(page, "m.txt")).to_have_count(0)
    expect(row(page, "Fresh")).to_be_visible()
    fresh = next(n for n in httpx.get(f"{base_url}/api/v1/nodes/{root}/children", headers=h).json()["items"])
    inside = httpx.get(f"{base_url}/api/v1/nodes/{fresh['id']}/children", headers=h).json()["items"]
    assert [n["name"] for n in inside] == ["m.txt"]


def test_live_inserts_get_their_icon_f2_renames_the_focused_row_and_dark_theme_reads(
    context: BrowserContext, base_url: str, artifacts: Path
) -> None:
    import io

    from PIL import Image

    _email, token, root = api_user(base_url)
    h = {"Authorization": f"Bearer {token}"}
    httpx.put(f"{base_url}/api/v1/nodes/{root}/files", params={"name": "first.txt"}, content=b"1", headers=h)
    page = signed_in(context, base_url, token)
    expect(row(page, "first.txt")).to_be_visible()
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 10)).save(buf, "PNG")
    for i in range(3):  # live inserts into the open folder: each shows an image icon at once
        httpx.put(
            f"{base_url}/api/v1/nodes/{root}/files", params={"name": f"pic{i}.png"}, content=buf.getvalue(), headers=h
        )
        expect(row(page, f"pic{i}.png").locator("svg.lucide-image")).to_be_visible(timeout=5_000)
    # F2 renames the focused row, not whatever was selected before.
    select(page, "first.txt")
    row(page, "pic1.png").locator(".pcs-name").focus()
    page.keyboard.press("F2")
    expect(page.locator("#dialog-name")).to_have_value("pic1.png")
    page.keyboard.press("Escape")
    # The dark theme from the account menu, and its text still meets 4.5:1.
    page.get_by_role("button", name="Account").click()
    page.locator("#menu-theme").click()
    page.locator("#theme-dark").click()
    expect(page.locator("html.dark, .radix-themes.dark").first).to_be_attached()
    page.keyboard.press("Escape")
    assert low_contrast(page) == []
    page.screenshot(path=str(artifacts / "files-dark-desktop.png"))


def test_a_page_lost_on_its_way_after_a_live_change_is_asked_for_again(context: BrowserContext, base_url: str) -> None:
    _email, token, root = api_user(base_url)
    h = {"Authorization": f"Bearer {token}"}
    httpx.put(f"{base_url}/api/v1/nodes/{root}/files", params={"name": "a.txt"}, content=b"a", headers=h)
    page = signed_in(context, base_url, token)
    expect(row(page, "a.txt")).to_be_visible()
    # The next page the server sends never reaches the list (as with a socket that dropped it).
    page.evaluate(
        """() => {
          const reg = window.pcsList, put = reg.put;
          window.__pcsDropped = 0;
          reg.put = function (msg) {
            if (!window.__pcsDropped++) return;
            return put.call(this, msg);
          };
        }"""
    )
    httpx.put(f"{base_url}/api/v1/nodes/{root}/files", params={"name": "b.txt"}, content=b"b", headers=h)
    expect(page.locator("#file-browser")).to_have_attribute("data-total", "2")
    # The list asks again for a page it never got (every 5 s), without a scroll or another change.
    expect(row(page, "b.txt")).to_be_visible(timeout=12_000)
    assert page.evaluate("window.__pcsDropped") >= 2


def test_image_preview_steps_to_the_next_and_previous_file_and_zooms(context: BrowserContext, base_url: str) -> None:
    import io

    from PIL import Image

    _email, token, root = api_user(base_url)
    h = {"Authorization": f"Bearer {token}"}
    httpx.post(f"{base_url}/api/v1/nodes/{root}/folders", json={"name": "a folder"}, headers=h)
    for i, name in enumerate(("one.png", "two.png", "three.png")):
        buf = io.BytesIO()
        Image.new("RGB", (1600, 1200), (60 * i, 90, 140)).save(buf, "PNG")
        httpx.put(f"{base_url}/api/v1/nodes/{root}/files", params={"name": name}, content=buf.getvalue(), headers=h)
    page = signed_in(context, base_url, token)
    page.locator(".pcs-name", has_text="three.png").click()  # name order: one, three, two

    def showing(name: str) -> None:
        expect(page.get_by_role("dialog", name=name)).to_be_visible()

    showing("three.png")
    page.click("#preview-next")
    showing("two.png")
    page.keyboard.press("ArrowLeft")
    showing("three.png")
    page.keyboard.press("ArrowLeft")
    showing("one.png")
    page.click("#preview-prev")  # the folder before it is skipped: nothing earlier to show
    showing("one.png")
    expect(page.get_by_role("dialog", name="three.png")).to_have_count(0)
    page.locator("#preview-image img").click()
    expect(page.locator("#preview-image")).to_have_class(re.compile("pcs-zoomed"))
    box = page.locator("#preview-image img").bounding_box()
    assert box is not None and box["width"] >= 1500  # its own size, to pan around
