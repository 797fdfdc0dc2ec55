"""Search in Chromium: "/" focuses the header's box, results come as you type with the matched words
marked, filter chips narrow them, the arrow keys and Enter open one, a result's folder opens, and the
same works on a 390 px wide phone screen."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.helpers import BROWSER_READY, api_user, session_cookie, settled, signed_in

pytestmark = pytest.mark.e2e
SHOTS = Path("/work/helpers/shots")


def api(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def word() -> str:
    return "zq" + "".join(secrets.choice("bcdfghjklmnpqrstvwx") for _ in range(6))


def indexed(c: httpx.Client, q: str, count: int, timeout: float = 30) -> None:
    """Wait until the worker has indexed what the test made (the search API finds ``count`` items)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(c.get("/api/v1/search", params={"q": q}).json()["items"]) == count:
            return
        time.sleep(0.2)
    raise AssertionError(f"{q!r} was not indexed in {timeout} s")


def shot(page: Page, artifacts: Path, name: str) -> None:
    settled(page)
    for folder in (artifacts, SHOTS):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name))


def library(base_url: str) -> tuple[str, str, dict[str, str]]:
    """An account with a few folders and files sharing one made-up word; (token, word, ids by name)."""
    _email, token, root = api_user(base_url)
    w = word()
    ids: dict[str, str] = {}
    with api(base_url, token) as c:
        ids["folder"] = c.post(f"/api/v1/nodes/{root}/folders", json={"name": f"{w.title()} Projects"}).json()["id"]
        ids["report"] = c.put(
            f"/api/v1/nodes/{ids['folder']}/files",
            params={"name": f"Quarterly{w.title()}Report.txt"},
            content=b"Revenue grew in every region. Nothing else to report.",
        ).json()["id"]
        ids["notes"] = c.put(
            f"/api/v1/nodes/{root}/files",
            params={"name": "meeting notes.md"},
            content=f"We talked about the {w} budget and the roadmap for next year.".encode(),
        ).json()["id"]
        ids["photo"] = c.put(
            f"/api/v1/nodes/{root}/files", params={"name": f"{w}-holiday.png"}, content=b"\x89PNG\r\n\x1a\n" + b"0" * 64
        ).json()["id"]
        indexed(c, w, 4)
    return token, w, ids


def test_results_as_you_type_chips_keyboard_and_folders(
    context: BrowserContext, base_url: str, artifacts: Path
) -> None:
    token, w, ids = library(base_url)
    page = signed_in(context, base_url, token)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.locator("#file-browser").click(position={"x": 5, "y": 5})
    page.keyboard.press("/")
    box = page.locator("#search-input")
    expect(box).to_be_focused()
    box.press_sequentially(w[:5], delay=40)  # a prefix, as typed
    results = page.locator("#search-results .pcs-search-result")
    expect(results).to_have_count(4, timeout=15_000)
    notes = results.filter(has_text="meeting notes.md")
    expect(notes.locator("mark")).to_have_text([w])  # found in its text, the word marked
    expect(notes).to_contain_text("budget")
    shot(page, artifacts, "search-1440.png")

    page.locator("[data-chip=folder]").click()
    expect(results).to_have_count(1)
    expect(results.first).to_have_attribute("data-kind", "folder")
    page.locator("[data-chip=folder]").click()
    expect(results).to_have_count(4)

    box.press("ArrowDown")
    expect(results.nth(0)).to_have_attribute("data-active", "true")
    folder_row = page.locator("#search-results .pcs-search-result[data-kind=folder]")
    index = int(folder_row.get_attribute("data-search-index") or "0")
    for _ in range(index):
        box.press("ArrowDown")
    expect(folder_row).to_have_attribute("data-active", "true")
    box.press("Enter")
    expect(page).to_have_url(f"{base_url}/files/{ids['folder']}", timeout=15_000)
    expect(page.locator(f"#file-browser[data-folder-id='{ids['folder']}']")).to_be_visible(timeout=15_000)

    box = page.locator("#search-input")
    box.fill("")
    box.press_sequentially("revenue region", delay=30)
    report = page.locator("#search-results .pcs-search-result")
    expect(report).to_have_count(1, timeout=15_000)
    expect(report.locator("mark")).to_have_text(["Revenue", "region"])
    with page.expect_popup() as popup:
        box.press("Enter")  # a file opens in a new tab
    assert f"/api/v1/nodes/{ids['report']}/content" in popup.value.url
    popup.value.close()

    page.goto("/files")
    expect(page.locator(BROWSER_READY)).to_be_visible(timeout=20_000)
    page.locator("#search-input").press_sequentially("revenue", delay=30)
    expect(page.locator("#search-results .pcs-search-result")).to_have_count(1, timeout=15_000)
    page.locator(".pcs-search-folder").first.click()  # the result's folder
    expect(page).to_have_url(f"{base_url}/files/{ids['folder']}", timeout=15_000)


def test_nothing_found_and_hostile_text_say_so(context: BrowserContext, base_url: str) -> None:
    _email, token, _root = api_user(base_url)
    page = signed_in(context, base_url, token)
    box = page.locator("#search-input")
    box.fill('"NEAR( AND 🙂 -x: *')
    expect(page.locator("#search-message")).to_have_text("Nothing found.", timeout=15_000)
    box.press("Escape")
    expect(page.locator("#search-results")).to_have_count(0)


def test_search_works_on_a_phone(browser: Browser, base_url: str, artifacts: Path) -> None:
    token, w, _ids = library(base_url)
    phone = browser.new_context(
        base_url=base_url, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        session_cookie(phone, base_url, token)
        page = phone.new_page()
        page.goto("/files")
        expect(page.locator(BROWSER_READY)).to_be_visible(timeout=20_000)
        box = page.locator("#search-input")
        expect(box).to_be_visible()
        box.tap()
        box.press_sequentially(w, delay=40)
        panel = page.locator("#search-results")
        expect(panel.locator(".pcs-search-result")).to_have_count(4, timeout=15_000)
        bounds = panel.bounding_box()
        assert bounds is not None and bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways
        shot(page, artifacts, "search-390.png")
        page.locator("[data-chip=image]").tap()
        expect(panel.locator(".pcs-search-result")).to_have_count(1)
        panel.locator(".pcs-search-open").first.tap()
    finally:
        phone.close()
