"""The usage dashboard's pure view builders (service dataclasses → the strings and numbers the
charts and lists take), apart from its state. The dashboard: the account's numbers (live: any change in its files reads them again) and,
for administrators, the server's totals, every account, queue and storage health and the AWS estimate."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from pcs_app.services import costs, usage
from pcs_app.services.units import human_size

from .. import routes
from ..format import count_of, icon_for, usage_view, when

DAYS = 90
TYPE_LABELS = {
    "image": "Images",
    "video": "Videos",
    "audio": "Audio",
    "document": "Documents",
    "archive": "Archives",
    "other": "Other",
}
TYPE_COLORS = {
    "image": "#3e63dd",
    "video": "#8e4ec6",
    "audio": "#12a594",
    "document": "#f76b15",
    "archive": "#e5484d",
    "other": "#8d8d8d",
}
SLIDER_MAX = 300
_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def scale(values: list[int]) -> tuple[str, int]:
    """The unit a chart's axis reads best in for these byte counts, and its size."""
    top = max((abs(v) for v in values), default=0)
    k = 0
    while k < len(_UNITS) - 1 and top >= 1024 ** (k + 1):
        k += 1
    return _UNITS[k], 1024**k


def multiplier(pos: int) -> float:
    """The projection slider's position (0..300, log scale) as a multiplier: 1x, 10x, 100x, 1000x."""
    return float(f"{10 ** (pos / 100):.2g}")


def _n(x: int) -> str:
    return f"{x:,}"


def dashboard_view(d: usage.Dashboard) -> dict[str, Any]:
    """Everything the page shows, as plain data (strings for text, numbers for the charts)."""
    text, pct, level = usage_view(d.used_bytes, d.quota_bytes)
    days = d.daily
    unit, div = scale([x.stored_bytes for x in days])
    tunit, tdiv = scale([max(x.upload_bytes, x.download_bytes) for x in days])
    short = len(days) > 31
    stats = {
        "used": human_size(d.used_bytes),
        "used_exact": _n(d.used_bytes),
        "quota": human_size(d.quota_bytes) if d.quota_bytes is not None else "no limit",
        "used_line": text,
        "pct": str(pct),
        "level": level,
        "files": _n(d.files),
        "live": human_size(d.live_bytes),
        "live_exact": _n(d.live_bytes),
        "dedup": human_size(d.dedup_saved_bytes),
        "dedup_exact": _n(d.dedup_saved_bytes),
        "dedup_when": ("measured " + when(d.measured_at.replace(tzinfo=UTC)))
        if d.measured_at is not None
        else "measured by the next roll-up",
        "uploads": _n(sum(x.uploads for x in days)),
        "upload_bytes": human_size(sum(x.upload_bytes for x in days)),
        "downloads": _n(sum(x.downloads for x in days)),
        "download_bytes": human_size(sum(x.download_bytes for x in days)),
        "days": str(DAYS),
        "points": str(len(days)),
        "unit": unit,
        "traffic_unit": tunit,
    }
    live_total = d.live_bytes or 1
    types = [
        {
            "key": t.key,
            "label": TYPE_LABELS.get(t.key, t.key.title()),
            "files": count_of(t.files, "file"),
            "size": human_size(t.bytes),
            "exact": _n(t.bytes),
            "pct": f"{t.bytes * 100 / live_total:.1f}",
            "color": TYPE_COLORS.get(t.key, "#8d8d8d"),
        }
        for t in sorted(d.types, key=lambda t: -t.bytes)
    ]
    pie = [
        {"name": TYPE_LABELS.get(t.key, t.key), "value": t.bytes, "fill": TYPE_COLORS.get(t.key, "#8d8d8d")}
        for t in d.types
        if t.bytes > 0
    ]
    folders = [
        {
            "key": f.key,
            "name": f.name if f.key else "Files at the top",
            "files": count_of(f.files, "file"),
            "size": human_size(f.bytes),
            "exact": _n(f.bytes),
            "pct": f"{f.bytes * 100 / live_total:.1f}",
            "href": routes.folder_url(f.key) if f.key else routes.FILES,
        }
        for f in d.folders
    ]
    series = [
        {
            "day": x.day.strftime("%-d %b") if short else x.day.strftime("%a %-d"),
            "date": x.day.isoformat(),
            "stored": round(x.stored_bytes / div, 2),
            "uploads": x.uploads,
            "downloads": x.downloads,
            "uploaded": round(x.upload_bytes / tdiv, 2),
            "downloaded": round(x.download_bytes / tdiv, 2),
        }
        for x in days
    ]
    largest = [
        {
            "id": f.id,
            "name": f.name,
            "size": human_size(f.size),
            "exact": _n(f.size),
            "icon": icon_for("file", f.mime_type),
            "href": routes.folder_url(f.parent_id) if f.parent_id else routes.FILES,
        }
        for f in d.largest_files
    ]
    big_folders = [
        {
            "id": f.key,
            "name": f.name,
            "size": human_size(f.bytes),
            "exact": _n(f.bytes),
            "files": _n(f.files),
            "href": routes.folder_url(f.key),
        }
        for f in d.largest_folders
    ]
    links = [
        {
            "id": x.id,
            "name": x.name,
            "downloads": _n(x.downloads),
            "limit": f"of {x.max_downloads:,}" if x.max_downloads is not None else "",
            "kind": "file drop" if x.upload_only else "link",
            "last": when(x.last_access_at.replace(tzinfo=UTC)) if x.last_access_at is not None else "never opened",
            "expires": ("expires " + x.expires_at.strftime("%-d %b %Y")) if x.expires_at is not None else "no expiry",
        }
        for x in d.links
    ]
    return {
        "stats": stats,
        "types": types,
        "pie": pie,
        "folders": folders,
        "series": series,
        "largest": largest,
        "big_folders": big_folders,
        "links": links,
    }


def _usd(x: float) -> str:
    return f"${x:,.2f}"


def estimate_view(e: costs.Estimate) -> dict[str, Any]:
    lines = [
        {
            "service": x.service,
            "fixed": _usd(x.fixed_usd),
            "usage": _usd(x.usage_usd),
            "total": _usd(x.monthly_usd),
            "assumption": x.assumption,
        }
        for x in sorted(e.lines, key=lambda x: -x.monthly_usd)
    ]
    u = e.usage
    return {
        "total": _usd(e.total_usd),
        "fixed": _usd(e.fixed_usd),
        "usage": _usd(e.usage_usd),
        "stored": f"{u.stored_gb:,.2f} GB",
        "month": f"{count_of(u.active_users, 'active user')}, {count_of(u.uploads, 'upload')} ({u.upload_gb:,.2f} GB), "
        f"{count_of(u.downloads, 'download')} ({u.download_gb:,.2f} GB), {u.egress_gb:,.2f} GB served, "
        f"{count_of(u.mails, 'mail')}",
        "lines": lines,
    }


def cost_view(v: usage.CostView) -> dict[str, Any]:
    cur, proj = estimate_view(v.current), estimate_view(v.projected)
    comparisons = [
        {
            "size": f"{c.ballpark.stored_gb:g} GB",
            "published": f"${c.ballpark.low_usd:g}–{c.ballpark.high_usd:g}",
            "storage": _usd(c.storage_egress_usd),
            "usage": _usd(c.estimate.usage_usd),
            "fixed": _usd(c.estimate.fixed_usd),
            "total": _usd(c.estimate.total_usd),
            "within": "yes" if c.within else "no",
        }
        for c in v.comparisons
    ]
    return {
        "current": cur,
        "projected": proj,
        "comparisons": comparisons,
        "lead": _lead(v.current),
        "explanations": [
            {"title": f"At {c.ballpark.stored_gb:g} GB", "text": text}
            for c, text in zip(v.comparisons, v.explanations, strict=True)
        ],
        "ballpark": v.ballpark,
        "as_of": v.prices_as_of,
    }


def _lead(e: costs.Estimate) -> str:
    """Why this model's total is far above the published figures, in one paragraph."""
    fixed = sorted((x for x in e.lines if x.fixed_usd >= 1), key=lambda x: -x.fixed_usd)
    named = ", ".join(f"{x.service} {_usd(x.fixed_usd)}" for x in fixed)
    return (
        "The published figures count storing and serving the bytes only. This model also prices the "
        f"always-on services PCS runs on AWS, which cost the same with no use at all: {_usd(e.fixed_usd)} "
        f"a month ({named}). That fixed part, not the bytes, is most of the bill until the library "
        "reaches many terabytes; the usage-driven part is what compares with the published range."
    )


def overview_view(o: usage.Overview) -> dict[str, str]:
    q, h = o.queue, o.health
    return {
        "accounts": _n(o.accounts),
        "files": _n(o.files),
        "live": human_size(o.live_bytes),
        "logical": human_size(o.logical_bytes),
        "stored": human_size(o.stored_bytes),
        "stored_exact": _n(o.stored_bytes),
        "dedup": human_size(o.dedup_saved_bytes),
        "active_today": _n(o.active_today),
        "active_month": _n(o.active_users),
        "pending": _n(q.pending),
        "retrying": _n(q.retrying),
        "failed": _n(q.failed),
        "oldest_failure": when(q.oldest_failure.replace(tzinfo=UTC)) if q.oldest_failure else "none",
        "rollup_waiting": _n(q.usage_events_waiting),
        "rollup_oldest": q.oldest_usage_day.isoformat() if q.oldest_usage_day else "none",
        "mail_pending": _n(q.mail.pending),
        "mail_rejected": _n(q.mail.rejected),
        "mail_error": q.mail.last_error or "none",
        "db": "reachable" if h.database_ok else "NOT reachable",
        "s3": "reachable" if h.storage_ok else "NOT reachable",
        "s3_ms": f"{h.storage_ms:g} ms" if h.storage_ms is not None else "—",
        "ok": "ok" if h.ok else "down",
    }


def accounts_view(rows: list[usage.AccountUsage]) -> list[dict[str, str]]:
    return [
        {
            "id": str(a.id),
            "email": a.email,
            "admin": "admin" if a.is_admin else "",
            "used": human_size(a.used_bytes),
            "quota": human_size(a.quota_bytes) if a.quota_bytes is not None else "—",
            "files": _n(a.files),
            "live": human_size(a.live_bytes),
            "uploads": _n(a.uploads),
            "downloads": _n(a.downloads),
            "last_active": a.last_active.isoformat() if a.last_active else "—",
        }
        for a in rows
    ]
