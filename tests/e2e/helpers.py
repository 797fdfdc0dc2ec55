"""What the browser tests share: accounts made through the API, signed-in pages, rows, settled pages."""

from __future__ import annotations

import re
import secrets

import httpx
from playwright.sync_api import BrowserContext, Locator, Page, Request, expect

from tests.conftest import PASSWORD

BROWSER_READY = "#file-browser[data-folder-id]:not([data-folder-id=''])"


def api_user(base_url: str) -> tuple[str, str, str]:
    """A new account: (email, API token, root folder id)."""
    email = f"ui{secrets.token_hex(4)}@example.com"
    r = httpx.post(f"{base_url}/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return email, r.json()["token"], r.json()["user"]["root_id"]


def session_cookie(context: BrowserContext, base_url: str, token: str) -> None:
    """Put a session where the app keeps it: an HttpOnly, SameSite=Strict cookie."""
    context.add_cookies(
        [{"name": "pcs_session", "value": token, "url": base_url, "httpOnly": True, "sameSite": "Strict"}]
    )


def signed_in(
    context: BrowserContext, base_url: str, token: str, path: str = "/files", ready: str = BROWSER_READY
) -> Page:
    """A page of ``path`` signed in with ``token``, once ``ready`` shows (the file browser by default)."""
    session_cookie(context, base_url, token)
    page = context.new_page()
    page.goto(path)
    expect(page.locator(ready).first).to_be_visible(timeout=20_000)
    return page


def row(page: Page, name: str) -> Locator:
    return page.locator(".pcs-row", has=page.locator(".pcs-name", has_text=name))


def select(page: Page, name: str) -> None:
    row(page, name).get_by_role("checkbox").click()


def settled(page: Page) -> None:
    """Wait until no CSS animation or transition is running (dialogs opened, before a screenshot)."""
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")


def part_numbers(page: Page) -> list[str]:
    """The part numbers of the multipart uploads this page sends straight to S3, as they are sent."""
    parts: list[str] = []

    def seen(r: Request) -> None:
        found = re.search(r"partNumber=(\d+)", r.url)
        if r.method == "PUT" and found:
            parts.append(found.group(1))

    page.on("request", seen)
    return parts
