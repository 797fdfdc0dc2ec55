"""The Details panel in Chromium: a file's size, type, dates, path, versions and sharing, opened from
the toolbar and from the right-click menu; a folder's item count; what a recipient sees; a forged id
answered with the ordinary not-found toast; the panel at 1440 and at 390 px wide."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.helpers import api_user, row, select, settled, signed_in
from tests.e2e.test_browser_scale import low_contrast

pytestmark = pytest.mark.e2e
FIRST, SECOND = b"first draft", b"the second draft, longer"  # the current version: 24 bytes


@dataclass(frozen=True)
class World:
    token: str
    projects: str  # My files / Projects
    year: str  # My files / Projects / 2024, holding plan.txt
    file: str
    owner: str  # emails
    viewer: str
    editor: str
    editor_token: str


def api(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def world(base_url: str) -> World:
    """plan.txt uploaded twice in Projects/2024, shared with a viewer (the file, and a link to it) and
    with an editor (the Projects folder)."""
    owner, token, root = api_user(base_url)
    viewer, _vt, _vr = api_user(base_url)
    editor, editor_token, _er = api_user(base_url)
    with api(base_url, token) as c:
        projects = c.post(f"/api/v1/nodes/{root}/folders", json={"name": "Projects"}).json()["id"]
        year = c.post(f"/api/v1/nodes/{projects}/folders", json={"name": "2024"}).json()["id"]
        for body in (FIRST, SECOND):
            r = c.put(f"/api/v1/nodes/{year}/files", params={"name": "plan.txt"}, content=body)
            assert r.status_code in (200, 201), r.text
        file = r.json()["id"]
        assert c.post(f"/api/v1/nodes/{file}/grants", json={"email": viewer, "role": "viewer"}).status_code == 201
        assert c.post(f"/api/v1/nodes/{projects}/grants", json={"email": editor, "role": "editor"}).status_code == 201
        assert c.post(f"/api/v1/nodes/{file}/links", json={}).status_code == 201
    return World(token, projects, year, file, owner, viewer, editor, editor_token)


def open_details(page: Page, name: str) -> None:
    select(page, name)
    page.click("#details-selected")
    expect(page.locator("#details-dialog")).to_be_visible(timeout=10_000)


def plan_details(context: BrowserContext, base_url: str, token: str, w: World) -> tuple[Page, Locator]:
    """plan.txt's folder opened by the holder of ``token``, and plan.txt's details panel open on it."""
    page = signed_in(context, base_url, token, f"/files/{w.year}")
    expect(row(page, "plan.txt")).to_be_visible()
    open_details(page, "plan.txt")
    return page, page.locator("#details-dialog")


def expect_file_details(page: Page, w: World) -> None:
    dialog = page.locator("#details-dialog")
    expect(dialog.locator("#details-name")).to_have_text("plan.txt")
    expect(dialog.locator("#details-kind")).to_have_text("text/plain")
    expect(dialog.locator("#details-size")).to_have_text("24 B")
    expect(dialog.locator("#details-path")).to_have_text("My files / Projects / 2024 / plan.txt")
    expect(dialog.locator("#details-versions")).to_have_text("2")
    sharing = dialog.locator("#details-sharing")
    expect(sharing).to_contain_text(w.viewer + " · Viewer")
    expect(sharing).to_contain_text(w.editor + " · Editor · through the folder “Projects”")
    expect(dialog.locator("#details-links")).to_have_text("1 active link")
    for which in ("created", "modified"):
        value = dialog.locator(f"#details-{which}")
        expect(value).to_have_text(re.compile(r"just now|min ago|today"))
        expect(value).to_have_attribute("title", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"))


LEVEL_JS = """() => {
  const d = document.querySelector('#details-dialog');
  const mid = (e) => { const r = e.getBoundingClientRect(); return (r.top + r.bottom) / 2; };
  return [mid(d.querySelector('.pcs-details-title')), mid(d.querySelector('button[aria-label="Close"]'))];
}"""


def file_details_at(
    context: BrowserContext, base_url: str, artifacts: Path, width: int, height: int
) -> tuple[Page, World]:
    """plan.txt's panel, opened from the toolbar at this width, checked, its screenshot kept."""
    w = world(base_url)
    page = signed_in(context, base_url, w.token, f"/files/{w.year}")
    page.set_viewport_size({"width": width, "height": height})
    expect(row(page, "plan.txt")).to_be_visible()
    open_details(page, "plan.txt")
    expect_file_details(page, w)
    settled(page)
    # The title is level with its close button (their middles within 2 px).
    middles = page.evaluate(LEVEL_JS)
    assert abs(middles[0] - middles[1]) <= 2, middles
    page.screenshot(path=str(artifacts / f"details-{width}.png"))
    return page, w


def test_details_from_the_toolbar_and_the_context_menu(context: BrowserContext, base_url: str, artifacts: Path) -> None:
    page, w = file_details_at(context, base_url, artifacts, 1440, 900)
    assert low_contrast(page) == []
    box = page.locator("#details-dialog").bounding_box()
    assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= 1440
    page.click("#details-close")
    expect(page.locator("#details-dialog")).to_have_count(0)

    # The right-click menu offers Details after Version history, and opens the same panel.
    page.click("#clear-selection")
    expect(page.locator("#selection-count")).to_have_count(0)
    row(page, "plan.txt").locator(".pcs-cell-mod").click(button="right")
    items = page.locator("#context-menu").get_by_role("menuitem")
    expect(items).to_contain_text(["Version history", "Details", "Delete"])
    page.locator("#context-menu").get_by_role("menuitem", name="Details").click()
    expect(page.locator("#details-dialog")).to_be_visible(timeout=10_000)
    expect_file_details(page, w)
    page.keyboard.press("Escape")
    expect(page.locator("#details-dialog")).to_have_count(0)

    # A folder: its item count, no versions.
    page.goto(f"/files/{w.projects}")
    expect(row(page, "2024")).to_be_visible(timeout=20_000)
    open_details(page, "2024")
    dialog = page.locator("#details-dialog")
    expect(dialog.locator("#details-kind")).to_have_text("Folder")
    expect(dialog.locator("#details-size")).to_have_text("1 item")
    expect(dialog.locator("#details-path")).to_have_text("My files / Projects / 2024")
    expect(dialog.locator("#details-versions")).to_have_count(0)
    expect(dialog.locator("#details-sharing")).to_contain_text(w.editor + " · Editor · through the folder")
    expect(dialog.locator("#details-links")).to_have_text("No active links")


def test_the_open_panel_follows_changes_made_elsewhere(context: BrowserContext, base_url: str) -> None:
    """Another device renames the file, uploads a new version, revokes its link and shares it with one
    more person: the open panel shows each at once; trashed there, the panel closes with a word why."""
    w = world(base_url)
    newcomer, _nt, _nr = api_user(base_url)
    page, dialog = plan_details(context, base_url, w.token, w)
    expect(dialog.locator("#details-versions")).to_have_text("2")
    with api(base_url, w.token) as c:
        assert c.patch(f"/api/v1/nodes/{w.file}", json={"name": "plan-final.txt"}).status_code == 200
        expect(dialog.locator("#details-name")).to_have_text("plan-final.txt", timeout=5_000)
        expect(dialog.locator("#details-path")).to_have_text("My files / Projects / 2024 / plan-final.txt")
        r = c.put(f"/api/v1/nodes/{w.year}/files", params={"name": "plan-final.txt"}, content=b"3" * 2048)
        assert r.status_code == 201, r.text  # a new version of the same file
        expect(dialog.locator("#details-versions")).to_have_text("3", timeout=5_000)
        expect(dialog.locator("#details-size")).to_have_text("2.0 KiB (2,048 bytes)")
        link = c.get(f"/api/v1/nodes/{w.file}/links").json()[0]["id"]
        assert c.delete(f"/api/v1/links/{link}").status_code == 204
        expect(dialog.locator("#details-links")).to_have_text("No active links", timeout=5_000)
        assert c.post(f"/api/v1/nodes/{w.file}/grants", json={"email": newcomer, "role": "viewer"}).status_code == 201
        expect(dialog.locator("#details-sharing")).to_contain_text(newcomer + " · Viewer", timeout=5_000)
        # A folder above renamed: the path follows.
        assert c.patch(f"/api/v1/nodes/{w.projects}", json={"name": "Work"}).status_code == 200
        expect(dialog.locator("#details-path")).to_have_text("My files / Work / 2024 / plan-final.txt", timeout=5_000)
        assert c.delete(f"/api/v1/nodes/{w.file}").status_code == 200
    expect(dialog).to_have_count(0, timeout=5_000)
    expect(page.get_by_text("“plan-final.txt” is no longer there.")).to_be_visible()


def test_a_recipient_sees_the_owner_and_their_role_and_a_forged_id_is_not_found(
    context: BrowserContext, base_url: str
) -> None:
    w = world(base_url)
    _stranger, _st, stranger_root = api_user(base_url)
    page, dialog = plan_details(context, base_url, w.editor_token, w)
    expect(dialog.locator("#details-path")).to_have_text("Shared with me / Projects / 2024 / plan.txt")
    expect(dialog.locator("#details-versions")).to_have_text("2")
    expect(dialog.locator("#details-sharing")).to_contain_text("Shared with you by " + w.owner)
    expect(dialog.locator("#details-role")).to_have_text("Your role: Editor")
    expect(dialog.locator("#details-sharing")).not_to_contain_text(w.viewer)  # the owner's business
    expect(dialog.locator("#details-links")).to_have_count(0)
    page.click("#details-close")
    page.click("#clear-selection")
    expect(page.locator("#selection-count")).to_have_count(0)

    # A row forged in the page with someone else's id: selecting it and asking for its details answers
    # the ordinary not-found error, and no panel opens.
    page.evaluate(
        """([fid, forged]) => {
          const last = [...window.pcsList.recent].reverse().find((m) => m.folder === fid);
          const rows = last.rows.map((r) => ({...r}));
          rows[0] = {...rows[0], id: forged, name: "forged.txt"};
          window.pcsList.put({folder: fid, gen: last.gen + 1000, offset: 0, rows});
        }""",
        [w.year, stranger_root],
    )
    expect(row(page, "forged.txt")).to_be_visible()
    select(page, "forged.txt")
    page.click("#details-selected")
    expect(page.get_by_text("No such file or folder.")).to_be_visible(timeout=10_000)
    expect(page.locator("#details-dialog")).to_have_count(0)


def test_the_panel_fits_a_phone(context: BrowserContext, base_url: str, artifacts: Path) -> None:
    page, w = file_details_at(context, base_url, artifacts, 390, 844)
    dialog = page.locator("#details-dialog")
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert box["width"] >= 390 - 32  # the phone's width, less the dialog's usual 16 px gutters
    assert dialog.evaluate("(d) => d.scrollWidth <= d.clientWidth")  # nothing wider inside
    for value in dialog.locator(".pcs-details-value").all():
        b = value.bounding_box()
        assert b is not None and b["x"] + b["width"] <= box["x"] + box["width"], value.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert low_contrast(page) == []

    # A long name without a space wraps inside the panel.
    long = "quarterly-planning-notes-for-the-whole-team-without-any-spaces-2024-final.txt"
    with api(base_url, w.token) as c:
        assert c.put(f"/api/v1/nodes/{w.year}/files", params={"name": long}, content=b"x").status_code == 201
    page.click("#details-close")
    page.click("#clear-selection")
    expect(row(page, long)).to_be_visible(timeout=10_000)
    open_details(page, long)
    expect(dialog.locator("#details-name")).to_have_text(long)
    settled(page)
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    for value in dialog.locator(".pcs-details-value").all():
        b = value.bounding_box()
        assert b is not None and b["x"] + b["width"] <= box["x"] + box["width"], value.inner_text()
    assert dialog.evaluate("(d) => d.scrollWidth <= d.clientWidth")
