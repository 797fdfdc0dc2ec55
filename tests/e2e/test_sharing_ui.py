"""Sharing in Chromium: a password link with expiry made in the Share dialog and used signed out, a
file drop whose upload appears live in the owner's tab, a viewer who becomes an editor, and owner and
editor seeing each other's changes live."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.helpers import api_user, row, select, settled, signed_in

pytestmark = pytest.mark.e2e


def api(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_a_password_link_made_in_the_dialog_opens_signed_out(
    browser: Browser, context: BrowserContext, base_url: str, artifacts: Path
) -> None:
    _email, token, root = api_user(base_url)
    with api(base_url, token) as c:
        folder = c.post(f"/api/v1/nodes/{root}/folders", json={"name": "Trip"}).json()["id"]
        c.put(f"/api/v1/nodes/{folder}/files", params={"name": "a.txt"}, content=b"alpha")
        c.put(f"/api/v1/nodes/{folder}/files", params={"name": "b.txt"}, content=b"bravo")
    page = signed_in(context, base_url, token)
    select(page, "Trip")
    page.click("#share-selected")
    expect(page.locator("#share-dialog")).to_be_visible()
    tomorrow = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#link-expires", tomorrow)
    page.fill("#link-password", "open sesame please")
    page.click("#create-link")
    link = page.locator(".pcs-link").first
    expect(link).to_contain_text("password")
    expect(link).to_contain_text("expires")
    settled(page)
    page.screenshot(path=str(artifacts / "share-dialog-desktop.png"))
    url = link.locator(".pcs-link-url").inner_text()
    assert re.search(r"/s/[A-Za-z0-9_-]{43}$", url)

    visitor = browser.new_context(base_url=base_url, accept_downloads=True)  # signed out
    public = visitor.new_page()
    public.goto("/s/" + url.rsplit("/s/", 1)[1])
    public.fill("#link-password", "not the password")
    public.click("#unlock")
    expect(public.locator("#unlock-error")).to_contain_text("Wrong password")
    public.fill("#link-password", "open sesame please")
    public.click("#unlock")
    expect(public.locator(".pcs-public-row")).to_have_count(2, timeout=15_000)
    with public.expect_download() as dl:
        public.click("#public-zip")
    with zipfile.ZipFile(io.BytesIO(Path(dl.value.path()).read_bytes())) as z:
        assert z.read("Trip/a.txt") == b"alpha" and z.read("Trip/b.txt") == b"bravo"
    # The download shows up in the owner's open dialog, live.
    expect(link).to_contain_text("1 download", timeout=10_000)
    visitor.close()


def test_a_file_drop_upload_appears_live_in_the_owners_tab(
    browser: Browser, context: BrowserContext, base_url: str
) -> None:
    _email, token, root = api_user(base_url)
    with api(base_url, token) as c:
        folder = c.post(f"/api/v1/nodes/{root}/folders", json={"name": "Inbox"}).json()["id"]
        drop = c.post(f"/api/v1/nodes/{folder}/links", json={"upload_only": True}).json()
    owner = signed_in(context, base_url, token, f"/files/{folder}")
    expect(owner.locator("#empty-state")).to_be_visible()
    visitor = browser.new_context(base_url=base_url)
    page = visitor.new_page()
    page.goto(f"/s/{drop['token']}")
    expect(page.locator("#drop-zone")).to_be_visible()
    page.locator("#drop-input").set_input_files(
        [{"name": "homework.txt", "mimeType": "text/plain", "buffer": b"my homework"}]
    )
    expect(page.locator(".pcs-drop-item[data-state=done]")).to_have_count(1, timeout=15_000)
    expect(row(owner, "homework.txt")).to_be_visible(timeout=10_000)
    assert page.locator(".pcs-public-row").count() == 0  # the visitor sees nothing of the folder
    visitor.close()


def test_a_viewer_cannot_delete_becomes_editor_then_can(browser: Browser, base_url: str, new_context) -> None:  # type: ignore[no-untyped-def]
    _e1, owner_token, root = api_user(base_url)
    viewer_email, viewer_token, _r = api_user(base_url)
    with api(base_url, owner_token) as c:
        folder = c.post(f"/api/v1/nodes/{root}/folders", json={"name": "Team"}).json()["id"]
        c.put(f"/api/v1/nodes/{folder}/files", params={"name": "plan.txt"}, content=b"plan")
        grant = c.post(f"/api/v1/nodes/{folder}/grants", json={"email": viewer_email, "role": "viewer"}).json()
    page = signed_in(new_context(), base_url, viewer_token, "/shared", ready=".pcs-shared-row")
    expect(page.locator(".pcs-shared-row")).to_contain_text("Team")
    page.locator(".pcs-shared-row").get_by_role("link", name="Team").click()
    expect(row(page, "plan.txt")).to_be_visible(timeout=10_000)
    expect(page.locator("#breadcrumbs")).to_have_text(re.compile(r"^\s*Team\s*$"))  # nothing above the share
    select(page, "plan.txt")
    page.click("#delete-selected")
    expect(page.get_by_text("you are a viewer here")).to_be_visible(timeout=10_000)
    expect(row(page, "plan.txt")).to_be_visible()
    with api(base_url, owner_token) as c:
        assert c.patch(f"/api/v1/grants/{grant['id']}", json={"role": "editor"}).status_code == 200
    page.reload()
    expect(row(page, "plan.txt")).to_be_visible(timeout=15_000)
    select(page, "plan.txt")
    page.click("#delete-selected")
    expect(row(page, "plan.txt")).to_have_count(0, timeout=10_000)


def test_owner_and_editor_see_each_others_changes_live(browser: Browser, base_url: str, new_context) -> None:  # type: ignore[no-untyped-def]
    _e1, owner_token, root = api_user(base_url)
    editor_email, editor_token, _r = api_user(base_url)
    with api(base_url, owner_token) as c:
        folder = c.post(f"/api/v1/nodes/{root}/folders", json={"name": "Together"}).json()["id"]
        c.post(f"/api/v1/nodes/{folder}/grants", json={"email": editor_email, "role": "editor"})
    owner = signed_in(new_context(), base_url, owner_token, f"/files/{folder}")
    editor = signed_in(new_context(), base_url, editor_token, f"/files/{folder}")
    editor.click("#new-folder")
    editor.fill("#dialog-name", "from the editor")
    editor.click("#dialog-submit")
    expect(row(owner, "from the editor")).to_be_visible(timeout=10_000)
    owner.click("#new-folder")
    owner.fill("#dialog-name", "from the owner")
    owner.click("#dialog-submit")
    expect(row(editor, "from the owner")).to_be_visible(timeout=10_000)
    # Unsharing removes the folder from the editor's view, live.
    with api(base_url, owner_token) as c:
        g = c.get(f"/api/v1/nodes/{folder}/grants").json()[0]
        assert c.delete(f"/api/v1/grants/{g['id']}").status_code == 204
    expect(editor).to_have_url(re.compile(r"/files/?$"), timeout=15_000)
