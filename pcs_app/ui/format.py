"""View formatting for the UI (pure functions: no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from pcs_app.models import FOLDER, Node, kind_name
from pcs_app.services.mime import preview_kind
from pcs_app.services.units import human_size

from .routes import folder_url

# Every name icon_for gives (the UI draws them from a fixed set: components/icons.py).
ENTRY_ICONS = ("folder", "image", "film", "music", "file-text", "file-archive", "file")


def icon_for(kind: str, mime: str | None) -> str:
    """A lucide icon name for an entry (one of ENTRY_ICONS)."""
    if kind == FOLDER:
        return "folder"
    m = mime or ""
    if m.startswith("image/"):
        return "image"
    if m.startswith("video/"):
        return "film"
    if m.startswith("audio/"):
        return "music"
    if m == "application/pdf" or m.startswith("text/"):
        return "file-text"
    if m in ("application/zip", "application/gzip", "application/x-7z-compressed", "application/x-tar"):
        return "file-archive"
    return "file"


def count_of(n: int, noun: str, nouns: str = "") -> str:
    """'1 item', '1,234 items' (``nouns``: the plural when it is not ``noun`` + 's')."""
    return f"{n:,} {noun if n == 1 else nouns or noun + 's'}"


def when(dt: datetime, now: datetime | None = None) -> str:
    """'just now', '5 min ago', 'today 14:03', '3 Mar', '3 Mar 2024'."""
    now = now or datetime.now(UTC)
    delta = (now - dt).total_seconds()
    if delta < 60:
        return "just now"
    if delta < 3600:
        return f"{int(delta // 60)} min ago"
    if dt.date() == now.date():
        return dt.strftime("today %H:%M")
    if dt.year == now.year:
        return dt.strftime("%-d %b")
    return dt.strftime("%-d %b %Y")


def when_exact(dt: datetime, now: datetime | None = None, tz_offset_minutes: int = 0) -> str:
    """Like ``when`` but never drops the time of day (a file's history has many entries a day), in the
    browser's zone (``tz_offset_minutes``: JavaScript's getTimezoneOffset)."""
    now = now or datetime.now(UTC)
    if (now - dt).total_seconds() < 3600:
        return when(dt, now)
    shift = timedelta(minutes=tz_offset_minutes)
    local, local_now = dt - shift, now - shift
    if local.date() == local_now.date():
        return local.strftime("today %H:%M")
    if local.year == local_now.year:
        return local.strftime("%-d %b, %H:%M")
    return local.strftime("%-d %b %Y, %H:%M")


def usage_view(used: int, quota: int | None) -> tuple[str, int, str]:
    """The usage bar: its text, how full it is (0-100) and its level: '' (no quota), 'ok', 'warn'
    (over 80 %) or 'full' (over 95 %)."""
    if quota is None:
        return f"{human_size(used)} used", 0, ""
    share = used * 100 / quota if quota > 0 else 100.0
    level = "full" if share > 95 else "warn" if share > 80 else "ok"
    return f"{human_size(used)} of {human_size(quota)}", max(0, min(100, round(share))), level


def content_url(node_id: str, inline: bool = False) -> str:
    return f"/api/v1/nodes/{quote(node_id)}/content" + ("?inline=true" if inline else "")


def version_url(node_id: str, version_id: int | None, inline: bool = False) -> str:
    return f"/api/v1/nodes/{quote(node_id)}/content?version={version_id}" + ("&inline=true" if inline else "")


def archive_url(ids: list[str], exclude: list[str] | None = None) -> str:
    return "/api/v1/archive?" + "&".join(
        [f"ids={quote(i)}" for i in ids] + [f"exclude={quote(i)}" for i in exclude or []]
    )


def thumb_url(node_id: str, sha256: str, size: int = 256) -> str:
    # The content hash in the URL lets the browser cache it for good and refetch after an upload.
    return f"/api/v1/nodes/{quote(node_id)}/thumbnail?size={size}&v={sha256}"


def row(
    n: Node,
    thumbs: set[str] | frozenset[str] = frozenset(),
    shared: set[str] | frozenset[str] = frozenset(),
    owner_id: int | None = None,
) -> dict[str, str]:
    """One listing entry as the string-only dict the components render (``thumbs``: contents with a
    thumbnail; ``shared``: items shared with someone or by a link)."""
    is_folder = n.kind == FOLDER
    return {
        "id": n.id,
        "name": n.name,
        "kind": kind_name(n.kind),
        "icon": icon_for(n.kind, n.mime_type),
        "size": "—" if is_folder else human_size(n.size),
        "modified": when(n.modified_at),
        "modified_iso": n.modified_at.isoformat(),
        "mime": n.mime_type or "",
        "href": folder_url(n.id) if is_folder else content_url(n.id),
        "preview": "none" if is_folder else preview_kind(n.mime_type),
        "thumb": thumb_url(n.id, n.sha256) if n.sha256 and n.sha256 in thumbs else "",
        "shared": "1" if n.id in shared else "",
        "mine": "1" if owner_id is not None and n.owner_id == owner_id else "",
    }
