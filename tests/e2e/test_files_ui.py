"""The file browser in Chromium against the production build: the flows a user goes through."""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import PASSWORD
from tests.e2e.helpers import api_user, row, select, settled, signed_in

pytestmark = pytest.mark.e2e


def test_sign_up_upload_download_rename_move_delete_undo(
    page: Page, base_url: str, tmp_path: Path, artifacts: Path
) -> None:
    page.goto("/signup")
    page.fill("#email", f"flow{secrets.token_hex(4)}@example.com")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("#sign-up")
    expect(page.locator("#empty-state")).to_be_visible(timeout=20_000)
    page.screenshot(path=str(artifacts / "files-empty-desktop.png"))
    data = os.urandom(300_000)
    (tmp_path / "report.bin").write_bytes(data)
    (tmp_path / "notes.txt").write_text("first line\nsecond line\n")
    page.locator("#upload-input").set_input_files([str(tmp_path / "report.bin"), str(tmp_path / "notes.txt")])
    expect(row(page, "report.bin")).to_be_visible(timeout=20_000)
    expect(row(page, "notes.txt")).to_be_visible()
    expect(page.locator(".pcs-up-row[data-state=done]")).to_have_count(2)
    # Download the selected file and compare its bytes.
    select(page, "report.bin")
    with page.expect_download() as dl:
        page.click("#download-selected")
    got = Path(dl.value.path()).read_bytes()
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest()
    assert dl.value.suggested_filename == "report.bin"
    # Rename with F2.
    row(page, "report.bin").click(position={"x": 5, "y": 5})
    page.locator("#file-browser").press("F2")
    page.fill("#dialog-name", "annual report.bin")
    page.click("#dialog-submit")
    expect(row(page, "annual report.bin")).to_be_visible()
    # A clash is a clear error in the dialog, and nothing changes.
    page.click("#clear-selection")
    select(page, "notes.txt")
    page.click("#rename-selected")
    page.fill("#dialog-name", "Annual Report.bin")
    page.click("#dialog-submit")
    expect(page.locator("#dialog-error")).to_contain_text("already exists")
    page.keyboard.press("Escape")
    expect(row(page, "notes.txt")).to_be_visible()
    # Move into a new folder through the folder picker.
    page.click("#clear-selection")
    page.click("#new-folder")
    page.fill("#dialog-name", "Archive")
    page.click("#dialog-submit")
    expect(row(page, "Archive")).to_be_visible()
    select(page, "annual report.bin")
    page.click("#move-selected")
    page.locator("#picker-folders").get_by_role("button", name="Archive").click()
    expect(page.locator("#picker-crumbs")).to_contain_text("Archive")
    page.click("#picker-submit")
    expect(row(page, "annual report.bin")).to_have_count(0)
    page.locator(".pcs-name", has_text="Archive").click()
    expect(row(page, "annual report.bin")).to_be_visible(timeout=10_000)
    expect(page.locator("#breadcrumbs")).to_contain_text("Archive")
    # Delete, then Undo.
    select(page, "annual report.bin")
    page.click("#delete-selected")
    expect(row(page, "annual report.bin")).to_have_count(0)
    page.click("#undo")
    expect(row(page, "annual report.bin")).to_be_visible()
    # The session survives a reload; signing out ends it.
    page.reload()
    expect(row(page, "annual report.bin")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Account").click()
    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/login/?$"), timeout=10_000)
    assert not [c for c in page.context.cookies() if c["name"] == "pcs_session"]
    page.goto("/files")
    expect(page).to_have_url(re.compile(r"/login/?$"), timeout=10_000)


def test_wrong_password_shows_a_clear_message(page: Page, base_url: str) -> None:
    email, _token, _root = api_user(base_url)
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", "not the password")
    page.click("#sign-in")
    expect(page.locator("#auth-error")).to_contain_text("Wrong email or password")


def test_the_sign_in_form_works_before_the_app_code_runs(page: Page, base_url: str) -> None:
    """A quick first click is not lost, and a password never goes into a URL: the form's handler is in
    the page's static head, so it works even while (here: since) the app's own modules have not run."""
    email, _token, _root = api_user(base_url)
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.route("**/assets/*.js", lambda route: route.abort())  # the app never hydrates
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", "not the password")
    page.click("#sign-in")
    expect(page.locator("#auth-error")).to_contain_text("Wrong email or password")
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    expect(page).to_have_url(re.compile(r"/files/?$"), timeout=10_000)
    assert not [u for u in urls if "password" in u], urls


def test_folder_upload_keeps_structure_and_zip_download(context: BrowserContext, base_url: str, tmp_path: Path) -> None:
    _email, token, _root = api_user(base_url)
    page = signed_in(context, base_url, token)
    tree = tmp_path / "Trip"
    (tree / "day1").mkdir(parents=True)
    (tree / "day1" / "a.txt").write_text("alpha")
    (tree / "day1" / "b.txt").write_text("bravo")
    (tree / "notes.md").write_text("# trip")
    page.locator("#upload-folder-input").set_input_files(str(tree))
    expect(row(page, "Trip")).to_be_visible(timeout=20_000)
    expect(page.locator(".pcs-up-row[data-state=done]")).to_have_count(3, timeout=20_000)
    select(page, "Trip")
    with page.expect_download() as dl:
        page.click("#download-selected")
    assert dl.value.suggested_filename == "Trip.zip"
    with zipfile.ZipFile(io.BytesIO(Path(dl.value.path()).read_bytes())) as z:
        assert sorted(n for n in z.namelist() if not n.endswith("/")) == [
            "Trip/day1/a.txt",
            "Trip/day1/b.txt",
            "Trip/notes.md",
        ]
        assert z.read("Trip/day1/b.txt") == b"bravo"


def test_a_change_in_one_tab_appears_in_another(browser: Browser, base_url: str, new_context) -> None:  # type: ignore[no-untyped-def]
    _email, token, root = api_user(base_url)
    a = signed_in(new_context(), base_url, token)
    b = signed_in(new_context(), base_url, token)
    latencies = []
    for i in range(3):
        name = f"live-{i}.txt"
        t0 = time.monotonic()
        r = httpx.put(
            f"{base_url}/api/v1/nodes/{root}/files",
            params={"name": name},
            content=b"x",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 201
        expect(row(b, name)).to_be_visible(timeout=5_000)
        latencies.append(time.monotonic() - t0)
        expect(row(a, name)).to_be_visible(timeout=5_000)
    print(f"API upload -> visible in another tab: {[round(x * 1000) for x in latencies]} ms")
    # A folder made in tab A shows up in tab B.
    a.click("#new-folder")
    a.fill("#dialog-name", "from tab A")
    a.click("#dialog-submit")
    expect(row(b, "from tab A")).to_be_visible(timeout=5_000)


def test_hostile_file_name_renders_as_text(context: BrowserContext, base_url: str) -> None:
    _email, token, root = api_user(base_url)
    evil = "<img src=x onerror=alert(1)>.txt"
    r = httpx.put(
        f"{base_url}/api/v1/nodes/{root}/files",
        params={"name": evil},
        content=b"hi",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201
    dialogs: list[str] = []
    context.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page = signed_in(context, base_url, token)
    expect(page.locator(".pcs-name", has_text=evil)).to_be_visible()
    page.locator(".pcs-name", has_text=evil).click()
    expect(page.locator("#preview-text")).to_have_text("hi")
    settled(page)
    assert dialogs == []
    assert page.locator("img[src=x]").count() == 0


@pytest.mark.parametrize("width,height,label", [(390, 844, "phone"), (1440, 900, "desktop")])
def test_screens_at_phone_and_desktop_width(
    context: BrowserContext, base_url: str, artifacts: Path, tmp_path: Path, width: int, height: int, label: str
) -> None:
    _email, token, root = api_user(base_url)
    h = {"Authorization": f"Bearer {token}"}
    for name in ("Documents", "Photos"):
        httpx.post(f"{base_url}/api/v1/nodes/{root}/folders", json={"name": name}, headers=h)
    for name, body in (
        ("budget 2026.xlsx", b"PK\x03\x04" + b"0" * 3000),
        ("holiday.jpg", b"\xff\xd8\xff" + b"1" * 90_000),
        ("readme.md", b"# Hello\n\nSome *markdown*."),
    ):
        httpx.put(f"{base_url}/api/v1/nodes/{root}/files", params={"name": name}, content=body, headers=h)
    page = signed_in(context, base_url, token)
    page.set_viewport_size({"width": width, "height": height})
    expect(row(page, "readme.md")).to_be_visible()
    page.screenshot(path=str(artifacts / f"files-list-{label}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("radio", name="Grid view").click()
    expect(page.locator("#file-grid")).to_be_visible()
    page.screenshot(path=str(artifacts / f"files-grid-{label}.png"))
    page.get_by_role("radio", name="List view").click()
    page.locator(".pcs-name", has_text="readme.md").click()
    expect(page.locator("#preview-body")).to_contain_text("Hello")
    settled(page)
    page.screenshot(path=str(artifacts / f"preview-{label}.png"))
    page.keyboard.press("Escape")
    select(page, "holiday.jpg")
    page.click("#move-selected")
    expect(page.locator("#picker-folders")).to_contain_text("Photos")
    settled(page)
    page.screenshot(path=str(artifacts / f"move-dialog-{label}.png"))
    page.keyboard.press("Escape")
    page.goto("/login")
    page.context.clear_cookies()
    page.goto("/login")
    expect(page.locator("#sign-in")).to_be_visible()
    page.screenshot(path=str(artifacts / f"login-{label}.png"))


def test_drag_a_file_onto_a_folder_and_back_onto_the_breadcrumb(context: BrowserContext, base_url: str) -> None:
    _email, token, root = api_user(base_url)
    h = {"Authorization": f"Bearer {token}"}
    folder = httpx.post(f"{base_url}/api/v1/nodes/{root}/folders", json={"name": "Inbox"}, headers=h).json()
    httpx.put(f"{base_url}/api/v1/nodes/{root}/files", params={"name": "drag-me.txt"}, content=b"d", headers=h)
    page = signed_in(context, base_url, token)
    row(page, "drag-me.txt").drag_to(row(page, "Inbox"))
    expect(row(page, "drag-me.txt")).to_have_count(0, timeout=5_000)
    inside = httpx.get(f"{base_url}/api/v1/nodes/{folder['id']}/children", headers=h).json()["items"]
    assert [n["name"] for n in inside] == ["drag-me.txt"]
    page.locator(".pcs-name", has_text="Inbox").click()
    expect(row(page, "drag-me.txt")).to_be_visible(timeout=10_000)
    row(page, "drag-me.txt").drag_to(page.locator("#breadcrumbs").get_by_role("link", name="My files"))
    expect(row(page, "drag-me.txt")).to_have_count(0, timeout=5_000)
    top = httpx.get(f"{base_url}/api/v1/nodes/{root}/children", headers=h).json()["items"]
    assert "drag-me.txt" in [n["name"] for n in top]


def test_grid_shows_a_placeholder_then_the_thumbnail_live(context: BrowserContext, base_url: str) -> None:
    from PIL import Image

    _email, token, root = api_user(base_url)
    page = signed_in(context, base_url, token)
    page.get_by_role("radio", name="Grid view").click()
    expect(page.locator("#empty-state")).to_be_visible()
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 60, 40)).save(buf, "PNG")
    r = httpx.put(
        f"{base_url}/api/v1/nodes/{root}/files",
        params={"name": "red.png"},
        content=buf.getvalue(),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201
    t0 = time.monotonic()
    card = page.locator(f".pcs-row[data-node-id='{r.json()['id']}']")
    expect(card).to_be_visible(timeout=5_000)
    # The worker makes the thumbnail; its change reaches the open grid, which swaps the icon for it.
    thumb = card.locator("img")
    expect(thumb).to_be_visible(timeout=30_000)
    expect(thumb).to_have_attribute("src", re.compile(r"/thumbnail\?size=256&v=[0-9a-f]{64}$"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle(), timeout=10_000)
    print(f"upload -> thumbnail visible in the open grid: {(time.monotonic() - t0) * 1000:.0f} ms")
    page.get_by_role("radio", name="List view").click()


def test_keyboard_moves_between_rows_and_opens_a_folder(context: BrowserContext, base_url: str) -> None:
    _email, token, root = api_user(base_url)
    h = {"Authorization": f"Bearer {token}"}
    for name in ("Alpha", "Beta"):
        httpx.post(f"{base_url}/api/v1/nodes/{root}/folders", json={"name": name}, headers=h)
    page = signed_in(context, base_url, token)
    expect(row(page, "Beta")).to_be_visible()
    page.locator("#file-browser").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "Beta"
    page.keyboard.press("Enter")
    expect(page.locator("#breadcrumbs")).to_contain_text("Beta", timeout=10_000)


def test_a_long_folder_loads_more_rows_while_scrolling(context: BrowserContext, base_url: str) -> None:
    _email, token, root = api_user(base_url)
    h = {"Authorization": f"Bearer {token}"}
    folder = httpx.post(f"{base_url}/api/v1/nodes/{root}/folders", json={"name": "many"}, headers=h).json()
    with httpx.Client(base_url=base_url, headers=h, timeout=30) as c:
        for i in range(230):
            assert c.post(f"/api/v1/nodes/{folder['id']}/folders", json={"name": f"d{i:03}"}).status_code == 201
    page = signed_in(context, base_url, token)
    page.goto(f"/files/{folder['id']}")
    expect(page.locator("#file-browser")).to_have_attribute("data-total", "230", timeout=20_000)
    expect(row(page, "d000")).to_be_visible(timeout=20_000)
    # The list is virtualized: a window of rows is in the page, and scrolling brings in the later ones.
    assert page.locator(".pcs-row").count() < 100
    page.mouse.wheel(0, 20_000)
    expect(row(page, "d229")).to_be_visible(timeout=10_000)
    expect(page.locator("#load-more")).to_have_count(0)
