"""Versions, trash and usage in Chromium: restore and delete a version from the history panel (which
follows another tab's upload live), trash a file and then its folder and restore the file from the
Trash page (the folder comes back), delete for good and empty the trash, a trash paged by cursor, and
the usage bar moving with uploads and turning amber/red near the quota. Screens at 1440 and 390 px."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.helpers import api_user, row, select, settled, signed_in
from tests.stack import Stack

pytestmark = pytest.mark.e2e
TRASH_READY = "#trash-list, #trash-empty"
RESTORED = "Restored — the previous content is kept as a version"


def api(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def put(c: httpx.Client, folder: str, name: str, body: bytes) -> str:
    r = c.put(f"/api/v1/nodes/{folder}/files", params={"name": name}, content=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def trash_row(page: Page, name: str) -> Locator:
    return page.locator(".pcs-trash-row", has=page.locator(".pcs-trash-name", has_text=name))


def open_history(page: Page, name: str) -> None:
    select(page, name)
    page.click("#history-selected")
    expect(page.locator("#history-list")).to_be_visible(timeout=10_000)


def test_restore_and_delete_versions_in_the_history_panel_which_follows_other_tabs(
    context: BrowserContext, base_url: str
) -> None:
    _email, token, root = api_user(base_url)
    with api(base_url, token) as c:
        for text in (b"first draft", b"second draft", b"third draft"):
            fid = put(c, root, "notes.txt", text)
    page = signed_in(context, base_url, token)
    open_history(page, "notes.txt")
    versions = page.locator(".pcs-version")
    expect(versions).to_have_count(3)
    expect(versions.first).to_have_attribute("data-current", "true")
    expect(versions.first.locator(".pcs-current")).to_be_visible()
    expect(versions.nth(1).locator(".pcs-v-delete")).to_be_visible()
    assert versions.first.locator(".pcs-v-delete").count() == 0  # the current one cannot be deleted

    # Another tab (here: the API) uploads a new version: it shows in the open panel, live.
    with api(base_url, token) as c:
        put(c, root, "notes.txt", b"fourth draft")
    expect(versions).to_have_count(4, timeout=10_000)

    # The oldest one, previewed inline (text), then restored after a confirmation.
    oldest = versions.last
    oldest.locator(".pcs-v-preview").click()
    expect(page.locator("#version-text")).to_have_text("first draft")
    page.click("#history-back")
    oldest.locator(".pcs-v-restore").click()
    expect(page.locator("#version-confirm")).to_contain_text("kept as a version")
    page.click("#confirm-version")
    expect(page.get_by_text(RESTORED)).to_be_visible(timeout=10_000)
    expect(versions).to_have_count(5)
    with api(base_url, token) as c:
        assert c.get(f"/api/v1/nodes/{fid}/content").content == b"first draft"
        listed = c.get(f"/api/v1/nodes/{fid}/versions").json()
    assert [v["current"] for v in listed] == [True, False, False, False, False]

    # Pin one, then delete another (not the current one) after a confirmation.
    versions.nth(1).locator(".pcs-v-pin").click()
    expect(versions.nth(1).locator(".pcs-pinned")).to_be_visible(timeout=10_000)
    doomed = versions.nth(2).get_attribute("data-version-id")
    versions.nth(2).locator(".pcs-v-delete").click()
    expect(page.locator("#version-confirm")).to_contain_text("cannot be undone")
    page.click("#confirm-version")
    expect(versions).to_have_count(4, timeout=10_000)
    with api(base_url, token) as c:
        after = c.get(f"/api/v1/nodes/{fid}/versions").json()
    assert str(doomed) not in [str(v["id"]) for v in after]
    assert [v["pinned"] for v in after][1] is True


def test_the_preview_opens_the_history_of_its_file(context: BrowserContext, base_url: str) -> None:
    _email, token, root = api_user(base_url)
    with api(base_url, token) as c:
        put(c, root, "readme.txt", b"one")
        put(c, root, "readme.txt", b"two")
    page = signed_in(context, base_url, token)
    page.locator(".pcs-name", has_text="readme.txt").click()
    expect(page.locator("#preview-text")).to_have_text("two")
    page.click("#preview-history")
    expect(page.locator(".pcs-version")).to_have_count(2, timeout=10_000)
    expect(page.locator("#history-panel")).to_contain_text("readme.txt")


def test_a_file_restored_from_the_trash_brings_back_its_deleted_folder(context: BrowserContext, base_url: str) -> None:
    _email, token, root = api_user(base_url)
    with api(base_url, token) as c:
        folder = c.post(f"/api/v1/nodes/{root}/folders", json={"name": "Projects"}).json()["id"]
        put(c, folder, "plan.txt", b"the plan")
    page = signed_in(context, base_url, token, f"/files/{folder}")
    select(page, "plan.txt")
    page.click("#delete-selected")
    expect(row(page, "plan.txt")).to_have_count(0, timeout=10_000)
    page.locator("#breadcrumbs").get_by_role("link", name="My files").click()
    expect(row(page, "Projects")).to_be_visible(timeout=10_000)
    select(page, "Projects")
    page.click("#delete-selected")
    expect(row(page, "Projects")).to_have_count(0, timeout=10_000)

    page.click("#nav-trash")
    expect(trash_row(page, "plan.txt")).to_be_visible(timeout=15_000)
    expect(trash_row(page, "Projects")).to_be_visible()
    expect(trash_row(page, "plan.txt")).to_contain_text("My files/Projects")
    trash_row(page, "plan.txt").locator(".pcs-trash-restore").click()
    expect(page.get_by_text("Restored “plan.txt” to My files/Projects")).to_be_visible(timeout=10_000)
    expect(trash_row(page, "plan.txt")).to_have_count(0)
    expect(trash_row(page, "Projects")).to_be_visible()  # the old folder itself stays in the trash
    with api(base_url, token) as c:
        top = c.get(f"/api/v1/nodes/{root}/children").json()["items"]
        made = [n for n in top if n["name"] == "Projects"]
        assert len(made) == 1 and made[0]["id"] != folder  # made again, not the trashed one
        inside = c.get(f"/api/v1/nodes/{made[0]['id']}/children").json()["items"]
        assert [n["name"] for n in inside] == ["plan.txt"]
        assert c.get(f"/api/v1/nodes/{inside[0]['id']}/content").content == b"the plan"


def test_delete_selected_forever_then_empty_the_trash_with_live_arrivals(
    context: BrowserContext, base_url: str, artifacts: Path
) -> None:
    _email, token, root = api_user(base_url)
    with api(base_url, token) as c:
        ids = {name: put(c, root, name, name.encode() * 100) for name in ("a.txt", "b.txt", "c.txt", "d.txt")}
        for name in ("a.txt", "b.txt", "c.txt"):
            assert c.delete(f"/api/v1/nodes/{ids[name]}").status_code == 200
    page = signed_in(context, base_url, token, "/trash", ready=TRASH_READY)
    expect(page.locator(".pcs-trash-row[data-node-id]")).to_have_count(3)
    trash_row(page, "b.txt").get_by_role("checkbox").click()
    page.click("#trash-delete-selected")
    expect(page.locator("#trash-confirm-dialog")).to_contain_text("Delete “b.txt” for good?")
    expect(page.locator("#trash-confirm-text")).to_contain_text("cannot be undone")
    page.click("#trash-confirm")
    expect(trash_row(page, "b.txt")).to_have_count(0, timeout=10_000)
    expect(page.get_by_text("Deleted 1 item for good")).to_be_visible()
    with api(base_url, token) as c:
        names = [n["name"] for n in c.get("/api/v1/trash").json()["items"]]
        assert sorted(names) == ["a.txt", "c.txt"]
        # Trashed in another tab: it appears here without a reload.
        assert c.delete(f"/api/v1/nodes/{ids['d.txt']}").status_code == 200
    expect(trash_row(page, "d.txt")).to_be_visible(timeout=10_000)
    page.click("#empty-trash")
    expect(page.locator("#trash-confirm-text")).to_contain_text("3 items", timeout=10_000)
    settled(page)
    page.screenshot(path=str(artifacts / "trash-empty-confirm.png"))
    page.click("#trash-confirm")
    expect(page.locator("#trash-empty")).to_be_visible(timeout=15_000)
    with api(base_url, token) as c:
        assert c.get("/api/v1/trash").json()["items"] == []


def test_a_big_trash_shows_its_first_page_then_loads_more(context: BrowserContext, base_url: str) -> None:
    _email, token, root = api_user(base_url)
    with api(base_url, token) as c:
        made = [c.post(f"/api/v1/nodes/{root}/folders", json={"name": f"old {i:03d}"}).json()["id"] for i in range(65)]
        assert c.post("/api/v1/bulk/trash", json={"ids": made}).status_code == 200
    page = signed_in(context, base_url, token, "/trash", ready=TRASH_READY)
    rows = page.locator(".pcs-trash-row[data-node-id]")
    expect(rows).to_have_count(50)
    expect(page.locator("#trash-count")).to_contain_text("more below")
    page.click("#trash-more")
    expect(rows).to_have_count(65)
    expect(page.locator("#trash-more")).to_have_count(0)
    expect(page.locator("#trash-count")).to_have_text("65 items")


def test_the_usage_bar_follows_uploads_and_warns_near_the_quota(
    context: BrowserContext, base_url: str, stack: Stack, tmp_path: Path, artifacts: Path
) -> None:
    email, token, root = api_user(base_url)
    page = signed_in(context, base_url, token)
    expect(page.locator("#usage")).to_have_text("0 B used")
    (tmp_path / "photo.bin").write_bytes(b"x" * 50_000)
    page.locator("#upload-input").set_input_files(str(tmp_path / "photo.bin"))
    expect(page.locator("#usage")).to_have_text("48.8 KiB used", timeout=15_000)

    # A quota set by the administrator: "of", then amber over 80 %, red over 95 %.
    stack.cli("users", "quota", email, "100K")
    page.reload()
    expect(page.locator("#usage")).to_have_text("48.8 KiB of 100.0 KiB", timeout=15_000)
    expect(page.locator("#usage-button")).to_have_attribute("data-level", "ok")
    with api(base_url, token) as c:
        put(c, root, "more.bin", b"y" * 35_000)
    expect(page.locator("#usage-button")).to_have_attribute("data-level", "warn", timeout=10_000)
    page.screenshot(path=str(artifacts / "usage-warn.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 80})
    with api(base_url, token) as c:
        put(c, root, "photo.bin", b"z" * 14_000)  # a new version of it: the old one still counts
    expect(page.locator("#usage-button")).to_have_attribute("data-level", "full", timeout=10_000)
    page.screenshot(path=str(artifacts / "usage-full.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 80})
    page.click("#usage-button")
    details = page.locator("#usage-details")
    expect(details).to_contain_text("Older versions")
    expect(details.locator(".pcs-usage-part[data-part=versions]")).to_contain_text("48.8 KiB")
    expect(details.locator(".pcs-usage-part[data-part=files]")).to_contain_text("47.9 KiB")
    expect(page.locator("#usage-free")).to_contain_text("free of 100.0 KiB")


def _assert_fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _assert_touch_targets(page: Page, selector: str) -> None:
    """Every visible control matched is at least 44 x 44 px (phones)."""
    sizes = page.eval_on_selector_all(
        selector,
        "els => els.filter(e => e.offsetParent !== null).map(e => [e.getBoundingClientRect().width,"
        " e.getBoundingClientRect().height, e.getAttribute('aria-label') || e.textContent])",
    )
    assert sizes, f"nothing matched {selector}"
    small = [s for s in sizes if s[0] < 44 or s[1] < 44]
    assert small == [], f"touch targets under 44 px: {small}"


@pytest.mark.parametrize("width,height,label", [(390, 844, "phone"), (1440, 900, "desktop")])
def test_recovery_screens_at_phone_and_desktop_width(
    context: BrowserContext, base_url: str, stack: Stack, artifacts: Path, width: int, height: int, label: str
) -> None:
    email, token, root = api_user(base_url)
    with api(base_url, token) as c:
        for text in (b"# Budget\n\nDraft one.", b"# Budget\n\nDraft two.", b"# Budget\n\nFinal."):
            put(c, root, "budget notes with a rather long name.md", text)
        put(c, root, "holiday.jpg", b"\xff\xd8\xff" + b"1" * 90_000)
        folder = c.post(f"/api/v1/nodes/{root}/folders", json={"name": "Old projects"}).json()["id"]
        old = put(c, folder, "draft report 2024 final final.docx", b"PK\x03\x04" + b"0" * 4000)
        assert c.delete(f"/api/v1/nodes/{old}").status_code == 200
        assert c.delete(f"/api/v1/nodes/{folder}").status_code == 200
        gone = put(c, root, "scan.pdf", b"%PDF-1.4 " + b"2" * 2000)
        assert c.delete(f"/api/v1/nodes/{gone}").status_code == 200
    stack.cli("users", "quota", email, "110K")  # 85 % used: the amber bar
    page = signed_in(context, base_url, token)
    page.set_viewport_size({"width": width, "height": height})
    expect(row(page, "holiday.jpg")).to_be_visible()
    expect(page.locator("#usage-button")).to_have_attribute("data-level", "warn")
    _assert_fits(page, width)
    bar = page.locator("#usage-button").bounding_box()
    meter = page.locator("#usage-button .pcs-meter").bounding_box()
    account = page.get_by_role("button", name="Account").bounding_box()
    assert bar and meter and account
    assert meter["x"] + meter["width"] <= bar["x"] + bar["width"] <= account["x"]  # nothing drawn over

    open_history(page, "budget notes with a rather long name.md")
    expect(page.locator(".pcs-version")).to_have_count(3)
    settled(page)
    page.screenshot(path=str(artifacts / f"history-panel-{label}.png"))
    box = page.locator("#history-panel").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert abs(box["x"] - (width - box["x"] - box["width"])) <= 2  # centred, margins alike
    if width < 768:
        _assert_touch_targets(page, "#history-panel button")
    page.locator(".pcs-version").last.locator(".pcs-v-preview").click()
    expect(page.locator("#version-preview")).to_contain_text("Draft one.")
    settled(page)
    page.screenshot(path=str(artifacts / f"history-version-preview-{label}.png"))
    page.keyboard.press("Escape")
    expect(page.locator("#history-panel")).to_have_count(0)

    page.click("#usage-button")
    expect(page.locator("#usage-details")).to_contain_text("Older versions", timeout=10_000)
    settled(page)
    page.screenshot(path=str(artifacts / f"usage-popover-{label}.png"))
    pop = page.locator("#usage-popover").bounding_box()
    assert pop is not None and pop["x"] >= 0 and pop["x"] + pop["width"] <= width
    if width < 768:
        _assert_touch_targets(page, "#usage-button, #usage-open-trash")
    page.keyboard.press("Escape")

    page.goto("/trash")
    expect(page.locator(".pcs-trash-row[data-node-id]")).to_have_count(3, timeout=15_000)
    _assert_fits(page, width)
    if width < 768:
        _assert_touch_targets(page, ".pcs-trash-restore, .pcs-check-cell, #empty-trash")
    long_row = trash_row(page, "draft report 2024 final final.docx")
    name_box = long_row.locator(".pcs-trash-name").bounding_box()
    button_box = long_row.locator(".pcs-trash-restore").bounding_box()
    assert name_box is not None and button_box is not None
    assert name_box["x"] + name_box["width"] <= button_box["x"]  # a long name is cut short, not drawn over
    page.screenshot(path=str(artifacts / f"trash-{label}.png"))
    trash_row(page, "scan.pdf").get_by_role("checkbox").click()
    expect(page.locator("#trash-delete-selected")).to_be_visible()
    _assert_fits(page, width)
    page.screenshot(path=str(artifacts / f"trash-selected-{label}.png"))
    page.click("#trash-delete-selected")
    expect(page.locator("#trash-confirm-dialog")).to_be_visible()
    settled(page)
    page.screenshot(path=str(artifacts / f"trash-confirm-{label}.png"))
