"""What the file browser's first load fetches: no Markdown library (previews are rendered on the
server, ui/markdown.py) and no Lucide dynamic icon (which makes every one of Lucide's ~1,600 icons a
lazy module listed in the page's code; components/icons.py keeps icons static)."""

from __future__ import annotations

import re

import httpx


def test_the_file_browser_loads_no_markdown_library_and_no_dynamic_icon(base_url: str) -> None:
    html = httpx.get(f"{base_url}/files/", timeout=30).text
    modules = re.findall(r'<link rel="modulepreload" href="(/assets/[^"]+\.js)"', html)
    assert len(modules) > 10, html[:2000]
    total = 0
    with httpx.Client(base_url=base_url, timeout=30) as http:
        for m in modules:
            r = http.get(m)
            assert r.status_code == 200, m
            total += len(r.content)
            assert "DynamicIcon" not in r.text, f"{m}: Lucide's dynamic icon (rx.icon named by a Var)"
            for lib in ("micromark", "katex", "refractor"):
                assert lib not in r.text.lower(), f"{m}: {lib} (a Markdown renderer in the page)"
    print(f"/files/: {len(modules)} modules, {total / 1024:.0f} KiB")
