"""The app is up: the landing page renders live status from the services, at phone and desktop widths."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width,height,label", [(390, 844, "phone"), (1440, 900, "desktop")])
def test_landing_page_shows_live_status(
    page: Page, base_url: str, artifacts: Path, width: int, height: int, label: str
) -> None:
    # A file uploaded through the API shows up in the page's counts: UI and API share one app.
    r = httpx.post(f"{base_url}/api/v1/auth/signup", json={"email": f"e2e-{label}@example.com", "password": PASSWORD})
    assert r.status_code == 201, r.text
    token, root = r.json()["token"], r.json()["user"]["root_id"]
    up = httpx.put(
        f"{base_url}/api/v1/nodes/{root}/files",
        params={"name": "hello.txt"},
        content=b"hello",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert up.status_code == 201
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/status")
    expect(page.get_by_role("heading", name="PCS")).to_be_visible()
    expect(page.get_by_text("Metadata database")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("File storage (S3)")).to_be_visible()
    expect(page.locator("#totals")).to_have_text(re.compile(r"\d+ accounts? · [1-9]\d* files? · .+ stored"))
    expect(page.locator("#status svg.lucide-circle-check")).to_have_count(2)
    expect(page.get_by_role("link", name="REST API documentation")).to_have_attribute("href", "/api/docs")
    page.screenshot(path=str(artifacts / f"landing-{label}.png"), full_page=True)
    assert errors == []
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
