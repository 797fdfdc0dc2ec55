"""The status page: anyone sees whether the services are up; only administrators see totals."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import PASSWORD
from tests.e2e.helpers import session_cookie
from tests.stack import Stack

pytestmark = pytest.mark.e2e


def open_status(page: Page, width: int, height: int) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/status")
    expect(page.get_by_role("heading", name="PCS")).to_be_visible()
    expect(page.get_by_text("Metadata database")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("File storage (S3)")).to_be_visible()
    expect(page.locator("#status svg.lucide-circle-check")).to_have_count(2)
    return errors


@pytest.mark.parametrize("width,height,label", [(390, 844, "phone"), (1440, 900, "desktop")])
def test_signed_out_status_shows_only_up_or_down(
    page: Page, base_url: str, artifacts: Path, width: int, height: int, label: str
) -> None:
    errors = open_status(page, width, height)
    expect(page.get_by_role("link", name="REST API documentation")).to_have_attribute("href", "/api/docs")
    expect(page.locator("#totals")).to_have_count(0)
    assert "account" not in page.locator("#status").inner_text()
    page.screenshot(path=str(artifacts / f"status-{label}.png"), full_page=True)
    assert errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling on a phone


def test_an_administrator_sees_the_totals(context: BrowserContext, stack: Stack, base_url: str) -> None:
    email = f"admin-{secrets.token_hex(4)}@example.com"
    stack.cli("create-admin", "--email", email, "--password-stdin", stdin=PASSWORD)
    token = httpx.post(f"{base_url}/api/v1/auth/tokens", json={"email": email, "password": PASSWORD}).json()["token"]
    session_cookie(context, base_url, token)
    page = context.new_page()
    open_status(page, 1440, 900)
    expect(page.locator("#totals")).to_have_text(re.compile(r"\d+ accounts? · \d+ files? · .+ stored"))
