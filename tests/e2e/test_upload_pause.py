"""Pause and resume in the web uploader (Chromium, upload throttled by DevTools): while paused nothing
reaches the server, requests cut off leave nothing behind, and after Resume every file is there once,
whole; a large file sent to S3 in parts keeps the parts it had and sends only the others."""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Request, expect

from tests.e2e.helpers import api_user, part_numbers, settled, signed_in

pytestmark = pytest.mark.e2e

MiB = 1024 * 1024
UPLOADS = re.compile(r"/api/v1/nodes/[^/]+/(files\?|batch)")
# The list's Size and Modified cells that reach under the open upload panel's left edge (and how many there are).
UNDER_PANEL_JS = """() => {
  const left = document.getElementById('upload-panel').getBoundingClientRect().left;
  const cells = Array.from(document.querySelectorAll('.pcs-cell-size, .pcs-cell-mod'))
    .filter((e) => e.getClientRects().length > 0);
  return [cells.length, cells.filter((e) => e.getBoundingClientRect().right > left).map((e) => e.textContent)];
}"""
BARS_JS = "() => Array.from(document.querySelectorAll('#upload-panel progress'), (p) => p.value)"
# WCAG contrast of an element's text on its own background (rgb() or color(srgb|display-p3 …)).
CONTRAST_JS = """
(el) => {
  const rgb = (c) => {
    const n = c.replace(/^color\\(\\S+/, '').match(/[\\d.]+/g).map(Number);
    return c.startsWith('rgb') ? n.slice(0, 3).map((v) => v / 255) : n.slice(0, 3);
  };
  const lum = (c) => rgb(c).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const s = getComputedStyle(el);
  const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


def listing(base_url: str, token: str, folder: str) -> dict[str, dict[str, Any]]:
    r = httpx.get(
        f"{base_url}/api/v1/nodes/{folder}/children",
        params={"limit": 1000},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    return {item["name"]: item for item in r.json()["items"]}


def throttle(context: BrowserContext, page: Page, bytes_per_second: int) -> None:
    """Slow the page's uploads down (DevTools network emulation; downloads stay fast)."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": bytes_per_second},
    )


def test_pause_holds_single_uploads_and_batches_and_resume_sends_each_file_once(
    context: BrowserContext, base_url: str, tmp_path: Path, artifacts: Path
) -> None:
    _email, token, root = api_user(base_url)
    files: dict[str, bytes] = {}
    for i in range(6):  # over 4 MiB: one streamed PUT each, three at a time
        files[f"big{i}.bin"] = os.urandom(4 * MiB + 200_000 + i * 100_000)
    for i in range(50):  # small: one batch request, long enough to be on its way at the pause
        files[f"small{i:02d}.txt"] = os.urandom(200_000 + i)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    page = signed_in(context, base_url, token)
    page.set_viewport_size({"width": 1440, "height": 900})
    sent: list[str] = []

    def seen(r: Request) -> None:
        if UPLOADS.search(r.url):
            sent.append(f"{r.method} {r.url}")

    page.on("request", seen)
    throttle(context, page, 3 * MiB)
    page.locator("#upload-input").set_input_files([str(tmp_path / n) for n in files])
    panel = page.locator("#upload-panel")
    button = page.locator("#upload-pause")
    expect(button).to_be_visible(timeout=10_000)
    expect(button).to_have_text("Pause")
    expect(button).to_have_attribute("data-paused", "false")
    assert button.evaluate(CONTRAST_JS) >= 4.5
    # Mid-way: the batch and three PUTs on their way.
    page.wait_for_function(
        "() => Number(document.getElementById('upload-panel').dataset.percent) >= 12", timeout=60_000
    )
    button.click()
    expect(button).to_have_text("Resume")
    expect(button).to_have_attribute("data-paused", "true")
    expect(page.locator("#upload-summary")).to_contain_text("Paused")
    assert button.evaluate(CONTRAST_JS) >= 4.5
    expect(page.locator(".pcs-up-row[data-state=uploading]")).to_have_count(0, timeout=5_000)
    waiting = page.locator(".pcs-up-row[data-state=queued]")
    assert waiting.count() > 0
    expect(waiting.locator(".pcs-up-status").first).to_have_text("Paused")
    before = len(sent)  # every request made before the pause has been seen by now
    done_when_paused = int(panel.get_attribute("data-done") or 0)
    assert done_when_paused < len(files)
    # Nothing more arrives while paused: no request starts, the folder does not grow, bars stand still.
    time.sleep(1.5)
    count = len(listing(base_url, token, root))
    bars = page.evaluate(BARS_JS)
    time.sleep(2)
    assert len(listing(base_url, token, root)) == count
    assert page.evaluate(BARS_JS) == bars
    assert sent[before:] == []
    # Nothing half-sent is visible: whatever is listed is whole.
    for name, node in listing(base_url, token, root).items():
        assert node["size"] == len(files[name]), name
    # Cancel still works while paused, and Retry brings the file back (paused, so it waits).
    cancel_row = waiting.last
    cancelled = cancel_row.get_attribute("data-name") or ""
    cancel_row.get_by_role("button", name="Cancel " + cancelled).click()
    expect(page.locator(f".pcs-up-row[data-name='{cancelled}']")).to_have_attribute("data-state", "cancelled")
    page.locator(f".pcs-up-row[data-name='{cancelled}']").get_by_role("button", name="Retry").click()
    expect(page.locator(f".pcs-up-row[data-name='{cancelled}'] .pcs-up-status")).to_have_text("Paused")
    # A PUT cut off may have been stored just before the cut: the same name with the same bytes is
    # not a clash when it is sent again (here the API stores it while paused).
    r = httpx.put(
        f"{base_url}/api/v1/nodes/{root}/files",
        params={"name": "big1.bin"},
        content=files["big1.bin"],
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text
    settled(page)
    # From laptop width the open panel leaves the Size and Modified columns in view beside it.
    shown, under = page.evaluate(UNDER_PANEL_JS)
    assert shown > 0 and under == [], (shown, under)
    # ...while the band of column names keeps its full width: its rule meets the toolbar's edge.
    head, band = page.evaluate(
        "() => ['.pcs-vhead', '.pcs-sticky'].map((s) => document.querySelector(s).getBoundingClientRect().right)"
    )
    assert abs(head - band) <= 1, (head, band)
    page.screenshot(path=str(artifacts / "upload-paused-1440.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    settled(page)
    page.screenshot(path=str(artifacts / "upload-paused-390.png"))
    page.set_viewport_size({"width": 1440, "height": 900})
    # Resume from the keyboard.
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("data-paused", "false")
    expect(panel).to_have_attribute("data-done", str(len(files)), timeout=120_000)
    expect(panel).to_have_attribute("data-failed", "0")
    expect(button).to_be_hidden()
    puts = [s for s in sent if s.startswith("PUT")]
    batches = [s for s in sent if s.startswith("POST")]
    assert len(batches) == 2 and len(puts) > 6  # the batch and some PUTs were cut off and sent again
    got = listing(base_url, token, root)
    assert sorted(got) == sorted(files)  # each once: no "name (1).bin"
    expect(page.locator(".pcs-up-row[data-name='big1.bin'] .pcs-up-status")).to_have_text("Uploaded")
    for name, data in files.items():
        assert got[name]["size"] == len(data) and got[name]["sha256"] == hashlib.sha256(data).hexdigest(), name


def test_pause_keeps_the_parts_a_large_file_has_in_storage(
    phone: BrowserContext, base_url: str, tmp_path: Path
) -> None:
    _email, token, root = api_user(base_url)
    data = os.urandom(36 * MiB)  # parts of 16, 16 and 4 MiB, sent at once
    big = tmp_path / "video.bin"
    big.write_bytes(data)
    phone.add_init_script("localStorage.setItem('pcs.upload.sessionMin', String(5 * 1024 * 1024))")
    page = signed_in(phone, base_url, token)
    parts = part_numbers(page)
    throttle(phone, page, 4 * MiB)
    with page.expect_response(lambda r: "partNumber=3" in r.url and r.request.method == "PUT", timeout=60_000) as p3:
        page.locator("#upload-input").set_input_files(str(big))
    assert p3.value.status == 200
    button = page.locator("#upload-pause")
    button.tap()
    expect(button).to_have_text("Resume")
    row = page.locator(".pcs-up-row[data-name='video.bin']")
    expect(row).to_have_attribute("data-state", "queued")
    expect(row.locator(".pcs-up-status")).to_have_text("Paused")
    expect(page.locator("#upload-summary")).to_contain_text("Paused")
    before = len(parts)
    for target in (button, page.locator(".pcs-up-close")):  # a finger's targets
        box = target.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44
    time.sleep(2)
    assert parts[before:] == []
    assert "video.bin" not in listing(base_url, token, root)
    # The finished part counts in the bar while paused.
    assert int(row.locator("progress").evaluate("(p) => p.value")) >= 10
    before = len(parts)
    button.tap()
    expect(page.locator("#upload-panel")).to_have_attribute("data-done", "1", timeout=120_000)
    assert sorted(parts[before:]) == ["1", "2"]  # part 3 was not sent again
    node = listing(base_url, token, root)["video.bin"]
    assert node["size"] == len(data) and node["sha256"] == hashlib.sha256(data).hexdigest()
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('pcs.upload.session:'))") == []
