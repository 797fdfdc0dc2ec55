"""The first load of a page: the SPA fallback asks for a parameterised route's modules at once, and no
page names an icon by a Var (pcs_app/ui/preload.py, components/icons.py)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from pcs_app.ui.format import ENTRY_ICONS, icon_for
from pcs_app.ui.preload import FALLBACK, MARK, add_preload, dynamic_routes, route_pattern

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = {
    "entry": {"module": "/assets/entry.js", "imports": [], "css": []},
    "routes": {
        "root": {"id": "root", "path": "", "module": "/assets/root.js", "imports": ["/assets/react.js"], "css": []},
        "routes/[files]._index": {"path": "files", "module": "/assets/files.js", "imports": [], "css": []},
        "routes/[files].$[fid]._index": {
            "path": "files/:fid",
            "module": "/assets/fid.js",
            "imports": ["/assets/react.js", "/assets/icons.js", "/assets/react.js"],
            "css": ["/assets/files.css"],
        },
        "routes/[s].$[token]._index": {"path": "s/:token", "module": "/assets/share.js", "imports": [], "css": []},
    },
}


def build(tmp_path: Path, html: str = "<html><head><title>x</title></head><body></body></html>") -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "manifest-abc123.js").write_text(
        "window.__reactRouterManifest=" + json.dumps(MANIFEST) + ";"
    )
    (tmp_path / FALLBACK).write_text(html)
    return tmp_path


def test_route_patterns_match_only_their_own_paths() -> None:
    assert route_pattern("files") is None
    assert route_pattern("") is None
    fid = re.compile(route_pattern("files/:fid") or "")
    assert fid.match("/files/abc") and fid.match("/files/abc/")
    assert not fid.match("/files") and not fid.match("/files/a/b") and not fid.match("/xfiles/a")
    assert re.compile(route_pattern("s/:token") or "").match("/s/tok-1")


def test_dynamic_routes_list_module_imports_and_styles_once() -> None:
    routes = dict(dynamic_routes(MANIFEST))
    assert set(routes) == {route_pattern("files/:fid"), route_pattern("s/:token")}
    assert routes[route_pattern("files/:fid")] == [
        "/assets/fid.js",
        "/assets/react.js",
        "/assets/icons.js",
        "/assets/files.css",
    ]


def test_the_fallback_gets_the_script_once_before_head_ends(tmp_path: Path) -> None:
    static = build(tmp_path)
    assert add_preload(static) is True
    html = (static / FALLBACK).read_text()
    assert html.count(MARK) == 1 and html.index(MARK) < html.index("</head>")


def test_the_script_comes_before_the_heads_first_script_and_stylesheet(tmp_path: Path) -> None:
    page = '<html><head><link rel="modulepreload" href="/a.js"/><script>x()</script><link rel="stylesheet" href="/s.css"/></head><body><script>y()</script></body></html>'
    static = build(tmp_path, page)
    assert add_preload(static) is True
    html = (static / FALLBACK).read_text()
    assert html.index("/a.js") < html.index(MARK) < html.index("<script>x()") < html.index("/s.css")
    assert '"/assets/fid.js"' in html and '"/assets/files.css"' in html and "/assets/files.js" not in html
    assert add_preload(static) is False  # a second build step changes nothing
    assert (static / FALLBACK).read_text() == html


def test_nothing_happens_without_a_manifest_or_a_fallback(tmp_path: Path) -> None:
    (tmp_path / FALLBACK).write_text("<html><head></head></html>")
    assert add_preload(tmp_path) is False
    other = tmp_path / "other"
    other.mkdir()
    assert add_preload(other) is False


ENTRIES = [("folder", None), ("file", "image/png"), ("file", "video/mp4"), ("file", "audio/ogg"), ("file", "text/x-c")]
ENTRIES += [("file", "application/pdf"), ("file", "application/zip"), ("file", None), ("file", "application/x-foo")]


@pytest.mark.parametrize("kind,mime", ENTRIES)
def test_every_entry_icon_is_one_of_the_fixed_set(kind: str, mime: str | None) -> None:
    assert icon_for(kind, mime) in ENTRY_ICONS


def test_no_page_names_an_icon_by_a_var() -> None:
    """``rx.icon(var)`` is Lucide's dynamic icon (every icon in the build): use components/icons.py."""
    found = []
    for path in sorted((ROOT / "pcs_app" / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "icon"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "rx"
                and node.args
                and not isinstance(node.args[0], (ast.Constant, ast.Name))
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"rx.icon named by an expression (use entry_icon/either_icon/icon_of): {found}"
