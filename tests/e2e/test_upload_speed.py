"""The web uploader's fast paths in Chromium: a dropped folder of small files goes through the batch
endpoint (folders made by the server from the paths, progress that only moves forward), and a large
file goes straight to S3 in parts and resumes after a reload without sending again what S3 holds."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.helpers import api_user, part_numbers, signed_in

pytestmark = pytest.mark.e2e

PROGRESS_JS = """
() => {
  window.__pcsProgress = [];
  const watch = () => {
    const bar = document.getElementById('upload-total');
    if (!bar) { setTimeout(watch, 20); return; }
    new MutationObserver(() => window.__pcsProgress.push(Number(bar.value)))
      .observe(bar, {attributes: true, attributeFilter: ['value']});
  };
  watch();
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


def test_a_dropped_folder_goes_in_batches_and_keeps_its_structure(
    context: BrowserContext, base_url: str, tmp_path: Path
) -> None:
    _email, token, root = api_user(base_url)
    tree = tmp_path / "Photos"
    files: dict[str, bytes] = {}
    for i in range(150):
        sub = "2024" if i < 120 else "notes"
        data = secrets.token_bytes(2000 + i)
        (tree / sub).mkdir(parents=True, exist_ok=True)
        (tree / sub / f"f{i:03d}.bin").write_bytes(data)
        files[f"{sub}/f{i:03d}.bin"] = data
    page = signed_in(context, base_url, token)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
    page.evaluate(PROGRESS_JS)
    page.locator("#upload-folder-input").set_input_files(str(tree))
    panel = page.locator("#upload-panel")
    expect(panel).to_have_attribute("data-done", "150", timeout=60_000)
    expect(panel).to_have_attribute("data-failed", "0")
    expect(panel).to_have_attribute("data-percent", "100")
    batches = [r for r in requests if re.search(r"^POST .*/api/v1/nodes/[^/]+/batch", r)]
    assert batches and len(batches) <= 2  # 150 small files: one request (a second only if split by size)
    assert not [r for r in requests if "/files?" in r or r.endswith("/folders")]  # no PUT per file, no folder calls
    values = page.evaluate("() => window.__pcsProgress")
    assert values and values[-1] == 100 and all(b >= a for a, b in itertools.pairwise(values))
    top = listing(base_url, token, root)["Photos"]
    inside = listing(base_url, token, top["id"])
    assert sorted(inside) == ["2024", "notes"]
    assert len(listing(base_url, token, inside["2024"]["id"])) == 120
    notes = listing(base_url, token, inside["notes"]["id"])
    assert len(notes) == 30
    got = httpx.get(
        f"{base_url}/api/v1/nodes/{notes['f149.bin']['id']}/content", headers={"Authorization": f"Bearer {token}"}
    )
    assert got.content == files["notes/f149.bin"]


def test_a_large_file_goes_to_storage_in_parts_and_resumes_after_a_reload(
    context: BrowserContext, base_url: str, tmp_path: Path
) -> None:
    _email, token, root = api_user(base_url)
    data = os.urandom(40 * 1024 * 1024)  # three parts of a 16 MiB session
    big = tmp_path / "movie.bin"
    big.write_bytes(data)
    # Files from 1 MiB up take the session path here (the default is 64 MiB).
    context.add_init_script("localStorage.setItem('pcs.upload.sessionMin', String(1024 * 1024))")
    page = signed_in(context, base_url, token)
    s3_puts = part_numbers(page)
    # The connection "drops" for parts 2 and 3: part 1 arrives, the others keep failing.
    blocked = re.compile(r"partNumber=(2|3)\b")
    page.route(blocked, lambda route: route.abort())
    with page.expect_response(lambda r: "partNumber=1" in r.url and r.request.method == "PUT", timeout=60_000) as first:
        page.locator("#upload-input").set_input_files(str(big))
    assert first.value.status == 200
    expect(page.locator(".pcs-up-row[data-name='movie.bin'] .pcs-up-status")).to_contain_text(
        "retrying", timeout=20_000
    )
    # A reload: the page forgets the upload, the browser's storage does not.
    page.unroute(blocked)
    page.reload()
    interrupted = page.locator(".pcs-up-row[data-state=interrupted]")
    expect(interrupted).to_contain_text("Interrupted at", timeout=20_000)
    expect(interrupted).to_contain_text("choose the file again")
    before = len(s3_puts)
    page.locator("#upload-input").set_input_files(str(big))
    expect(page.locator("#upload-panel")).to_have_attribute("data-done", "1", timeout=120_000)
    assert sorted(s3_puts[before:]) == ["2", "3"]  # part 1 was not sent again
    expect(interrupted).to_have_count(0)  # the resumed upload took its place
    node = listing(base_url, token, root)["movie.bin"]
    assert node["size"] == len(data) and node["sha256"] == hashlib.sha256(data).hexdigest()
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('pcs.upload.session:'))") == []
