"""A Reflex plugin that makes a folder opened by its address (/files/{id}, a bookmark, a reload, a link
in a mail) load as fast as /files.

Pages with a parameter in their path cannot be prerendered: the server answers them with React Router's
SPA fallback page, which names only the root's modules. The page's own modules (65 for the file browser,
most of them small icon chunks) were then found one import level at a time after hydration, six at a
time over HTTP/1.1: 0.6-0.7 s between the socket's first answer and the first row on this machine.

After the production build, this adds to the fallback page a small inline script that, as the page starts, matches the address against the parameterised routes of React Router's own manifest and
asks for the matching route's modules and styles at once (``<link rel=modulepreload>``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from reflex_base.plugins.base import Plugin, PostBuildContext
from typing_extensions import Unpack

FALLBACK = "__spa-fallback.html"
MARK = "pcs-route-preload"

SCRIPT = (
    "<script id=" + MARK + ">(function(){{var R={routes},p=location.pathname,d=document;"
    "for(var i=0;i<R.length;i++){{if(!new RegExp(R[i][0]).test(p))continue;"
    "R[i][1].forEach(function(u){{var l=d.createElement('link'),c=/\\.css$/.test(u);"
    "l.rel=c?'preload':'modulepreload';if(c)l.as='style';l.href=u;d.head.appendChild(l);}});break;}}}})();"
    "</script>"
)


def route_pattern(path: str) -> str | None:
    """React Router's path (``files/:fid``) as a regular expression, or None without a parameter."""
    parts = path.strip("/").split("/")
    if not any(p.startswith(":") or p == "*" for p in parts):
        return None
    out = []
    for p in parts:
        if p == "*":
            out.append(".*")
        elif p.startswith(":"):
            out.append("[^/]+" if not p.endswith("?") else "[^/]*")
        else:
            out.append(re.escape(p))
    return "^/" + "/".join(out) + "/?$"


def dynamic_routes(manifest: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(pattern, module URLs and styles) for each route whose path has a parameter."""
    found: list[tuple[str, list[str]]] = []
    for route in manifest.get("routes", {}).values():
        pattern = route_pattern(str(route.get("path") or ""))
        if pattern is None or not route.get("module"):
            continue
        urls = [route["module"], *route.get("imports", []), *route.get("css", [])]
        found.append((pattern, list(dict.fromkeys(urls))))
    return found


def read_manifest(static_dir: Path) -> dict[str, Any] | None:
    for f in sorted((static_dir / "assets").glob("manifest-*.js")):
        text = f.read_text(encoding="utf-8")
        if text.startswith("window.__reactRouterManifest="):
            return json.loads(text.split("=", 1)[1].rstrip().rstrip(";"))
    return None


def add_preload(static_dir: Path) -> bool:
    """Add the script to the fallback page; False when there is nothing to do (or no such page)."""
    page = static_dir / FALLBACK
    manifest = read_manifest(static_dir)
    if not page.exists() or manifest is None:
        return False
    html = page.read_text(encoding="utf-8")
    routes = dynamic_routes(manifest)
    if MARK in html or not routes or "</head>" not in html:
        return False
    # JSON inside <script>: "</" is written "<\\/" so no value can close the element.
    script = SCRIPT.format(routes=json.dumps(routes, separators=(",", ":")).replace("</", "<\\/"))
    # After the root's own preloads (the first to be needed), before the head's first script and the
    # stylesheet after it (a script after a stylesheet waits for it: 50-100 ms).
    head = html[: html.index("</head>")]
    at = head.find("<script") if "<script" in head else len(head)
    page.write_text(html[:at] + script + html[at:], encoding="utf-8")
    return True


class RoutePreloadPlugin(Plugin):
    """Preload a parameterised route's modules on the SPA fallback page (see the module's docstring)."""

    def post_build(self, **context: Unpack[PostBuildContext]) -> None:
        add_preload(Path(context["static_dir"]))
