"""The web UI in Chromium: a folder of 5,000 small files chosen in the page, sent through the batch
path, against the same page sending each file with its own PUT (the uploader before batches), both
measured in the same run on the same stack."""

from __future__ import annotations

import itertools
import secrets
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

from .common import Row, Section, log
from .stack import Api, Stack
from .ui import launch_chromium, new_context, open_folder, token_of

DROP_FILES = 5000
DROP_KIB = 4
DROP_GOAL = 5.0
# Records (ms since navigation, total progress %) whenever the uploader's total bar changes.
PROGRESS_JS = """
() => {
  window.__pcsProgress = [];
  const watch = () => {
    const bar = document.getElementById('upload-total');
    if (!bar) { setTimeout(watch, 20); return; }
    new MutationObserver(() => window.__pcsProgress.push([performance.now(), Number(bar.value)]))
      .observe(bar, {attributes: true, attributeFilter: ['value']});
  };
  watch();
}
"""


def make_drop_tree(root: Path, files: int, size: int) -> Path:
    """``files`` random files of ``size`` bytes in ten subfolders of ``root/drop``."""
    top = root / "drop"
    for i in range(files):
        d = top / f"part-{i % 10:02d}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"file-{i:05d}.bin").write_bytes(secrets.token_bytes(size))
    return top


def ui_drop(browser: Browser, stack: Stack, token: str, folder_id: str, tree: Path, batch: bool) -> dict[str, Any]:
    """Choose the folder in the page's folder picker; seconds until every file is uploaded, and the
    total progress bar's values on the way."""
    ctx = new_context(browser, stack, token)
    # The uploader reads its knob when it loads: "off" sends every file with its own PUT (the old way).
    ctx.add_init_script(f"localStorage.setItem('pcs.upload.batch', '{'on' if batch else 'off'}')")
    try:
        page = open_folder(ctx, folder_id)
        page.wait_for_selector("#upload-folder-input", state="attached", timeout=30_000)
        page.evaluate(PROGRESS_JS)
        t0 = time.perf_counter()
        page.locator("#upload-folder-input").set_input_files(str(tree))
        page.wait_for_function(
            "(n) => { const p = document.getElementById('upload-panel');"
            " return p && (Number(p.dataset.done) + Number(p.dataset.failed)) >= n && p.dataset.running === '0'; }",
            arg=DROP_FILES,
            timeout=1_800_000,
            polling=100,
        )
        secs = time.perf_counter() - t0
        panel = page.evaluate("() => ({...document.getElementById('upload-panel').dataset})")
        progress = page.evaluate("() => window.__pcsProgress")
    finally:
        ctx.close()
    return {"seconds": secs, "panel": panel, "progress": progress}


def count_tree(api: Api, folder_id: str) -> tuple[int, set[str]]:
    """(files, folder names) below ``folder_id``."""
    files, folders, todo = 0, set[str](), [folder_id]
    while todo:
        fid = todo.pop()
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            r = api.http.get(f"/nodes/{fid}/children", params=params)
            r.raise_for_status()
            body = r.json()
            for item in body["items"]:
                if item["kind"] == "folder":
                    folders.add(item["name"])
                    todo.append(item["id"])
                else:
                    files += 1
            cursor = body.get("next_cursor")
            if not cursor:
                break
    return files, folders


def run(stack: Stack, api: Api, work: Path) -> Section:
    """A folder of 5,000 x 4 KiB files chosen in Chromium: the batch path against the old one (a PUT per
    file, three at a time), both measured in this run on the same stack."""
    sec = Section(
        f"ui: Chromium, a dropped folder of {DROP_FILES:,} x {DROP_KIB} KiB files",
        "the same page sending each file with its own PUT, three at a time (the uploader before batches), same run",
    )
    tree = make_drop_tree(work / "drop-tree", DROP_FILES, DROP_KIB * 1024)
    token = token_of(api)
    results: dict[str, dict[str, Any]] = {}
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            for mode in ("batch", "single"):
                folder = api.mkdir(api.root_id, f"bench-drop-{mode}-{secrets.token_hex(2)}")
                log(f"ui: {DROP_FILES:,}-file folder, {mode} path")
                results[mode] = ui_drop(browser, stack, token, folder, tree, batch=mode == "batch")
                files, folders = count_tree(api, folder)
                results[mode].update(files=files, folders=sorted(folders))
                log(f"ui: {mode}: {results[mode]['seconds']:.1f} s, {files} files stored")
        finally:
            browser.close()
    new, old = results["batch"], results["single"]
    rate_new, rate_old = DROP_FILES / new["seconds"], DROP_FILES / old["seconds"]
    expected = {"drop", *(f"part-{i:02d}" for i in range(10))}
    ok = all(
        r["files"] == DROP_FILES and set(r["folders"]) == expected and r["panel"]["failed"] == "0"
        for r in results.values()
    )
    sec.rows.append(
        Row(
            sec.name,
            "folder drop: files stored per second",
            "files/s",
            rate_new,
            rate_old,
            f">={DROP_GOAL:g}x",
            ok and rate_new / rate_old >= DROP_GOAL,
        )
    )
    sec.rows.append(Row(sec.name, "folder drop: seconds until all are stored", "s", new["seconds"], old["seconds"]))
    for mode, r in results.items():
        values = [v for _, v in r["progress"]]
        monotonic = all(b >= a for a, b in itertools.pairwise(values))
        sec.notes.append(
            f"{mode} path: {r['files']} files and folders {r['folders'][:3]}… stored; panel {r['panel']}; "
            f"total progress moved {len(values)} times, never backwards: {monotonic}, last {values[-1] if values else '-'}%"
        )
    sec.notes.append(
        "timed from choosing the folder (#upload-folder-input) to the panel counting every file done; "
        "the batch path sends up to 500 files per request, two requests at a time"
    )
    sec.samples = {"drop": results}
    return sec
