"""What the Dashboard, Activity and Settings pages show, from the services' results (pure view builders)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from pcs_app.models import ApiToken, AuditEvent
from pcs_app.services import costs, usage
from pcs_app.services.usage import BigFile, Dashboard, Day, LinkActivity, Share
from pcs_app.ui.states.activity import event_row
from pcs_app.ui.states.dashboard_view import (
    SLIDER_MAX,
    cost_view,
    dashboard_view,
    multiplier,
    scale,
)
from pcs_app.ui.states.settings import token_row

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def sample() -> Dashboard:
    today = date(2026, 11, 29)
    types = [Share(t, t, 0, 0) for t in usage.TYPES]
    types[0] = Share("image", "image", 2, 3 * 1024 * 1024)
    types[3] = Share("document", "document", 1, 1024 * 1024)
    return Dashboard(
        used_bytes=5 * 1024 * 1024,
        quota_bytes=10 * 1024 * 1024,
        files=3,
        live_bytes=4 * 1024 * 1024,
        by_type={t.key: t.bytes for t in types},
        types=types,
        folders=[Share("f1", "Photos", 2, 3 * 1024 * 1024), Share("", "", 1, 1024 * 1024)],
        daily=[
            Day(today - timedelta(days=1), 1024 * 1024, 1, 1024 * 1024, 0, 0),
            Day(today, 5 * 1024 * 1024, 2, 4 * 1024 * 1024, 1, 512 * 1024),
        ],
        largest_files=[BigFile("n1", "big.jpg", 2 * 1024 * 1024, "image/jpeg", "f1", NOW)],
        largest_folders=[Share("f1", "Photos", 2, 3 * 1024 * 1024)],
        links=[LinkActivity("l1", "f1", "Photos", 7, 10, False, NOW, NOW, None)],
        dedup_saved_bytes=1536,
        measured_at=None,
    )


def test_the_dashboard_view_has_exact_and_readable_figures() -> None:
    v = dashboard_view(sample())
    s = v["stats"]
    assert s["used"] == "5.0 MiB" and s["used_exact"] == "5,242,880"
    assert s["pct"] == "50" and s["level"] == "ok" and s["quota"] == "10.0 MiB"
    assert s["files"] == "3" and s["dedup_exact"] == "1,536"
    assert s["uploads"] == "3" and s["downloads"] == "1" and s["upload_bytes"] == "5.0 MiB"
    assert s["dedup_when"] == "measured by the next roll-up"
    # Types largest first, with every type listed; the pie only has the ones with bytes.
    assert [t["key"] for t in v["types"]][:2] == ["image", "document"]
    assert len(v["types"]) == len(usage.TYPES)
    assert v["types"][0]["files"] == "2 files" and v["types"][1]["files"] == "1 file"
    assert v["types"][0]["pct"] == "75.0"
    assert [p["name"] for p in v["pie"]] == ["Images", "Documents"]
    # Files at the top of the tree are a folder of their own, linking to My files.
    assert [f["name"] for f in v["folders"]] == ["Photos", "Files at the top"]
    assert v["folders"][1]["href"] == "/files"
    # The charts' series in one unit (MiB here), one point per day.
    assert s["unit"] == "MiB" and [p["stored"] for p in v["series"]] == [1.0, 5.0]
    assert s["traffic_unit"] == "MiB" and v["series"][1]["downloaded"] == 0.5
    assert v["links"][0]["downloads"] == "7" and v["links"][0]["limit"] == "of 10"


def test_chart_units_and_the_projection_slider() -> None:
    assert scale([]) == ("B", 1)
    assert scale([1023]) == ("B", 1)
    assert scale([1024]) == ("KiB", 1024)
    assert scale([3 * 1024**3, 5]) == ("GiB", 1024**3)
    assert multiplier(0) == 1.0
    assert multiplier(100) == 10.0
    assert multiplier(SLIDER_MAX) == 1000.0
    assert 1 < multiplier(50) < 10


def test_the_cost_view_explains_the_always_on_part() -> None:
    current = costs.estimate(costs.typical_usage(50))
    view = usage.CostView(
        usage=current.usage,
        current=current,
        multiplier=10.0,
        projected=costs.estimate(costs.project(current.usage, 10.0)),
        comparisons=costs.compare_with_ballpark(),
        explanations=[costs.explain(c) for c in costs.compare_with_ballpark()],
        ballpark=costs.BALLPARK_TEXT,
        prices_as_of=costs.PRICES_AS_OF,
    )
    v = cost_view(view)
    assert v["current"]["total"] == f"${current.total_usd:,.2f}"
    assert v["current"]["fixed"] == f"${current.fixed_usd:,.2f}"
    assert f"${current.fixed_usd:,.2f} a month" in v["lead"]
    assert [c["published"] for c in v["comparisons"]] == ["$5–10", "$15–25"]
    assert [x["title"] for x in v["explanations"]] == ["At 50 GB", "At 500 GB"]
    assert len(v["current"]["lines"]) == len(current.lines)
    totals = [float(x["total"].strip("$").replace(",", "")) for x in v["current"]["lines"]]
    assert totals == sorted(totals, reverse=True)


def test_an_audit_event_reads_as_a_sentence_with_its_detail() -> None:
    e = AuditEvent(
        id=41,
        at=(NOW - timedelta(minutes=5)).replace(tzinfo=None),
        actor="me@example.com",
        action="file.download",
        outcome="ok",
        target="report.pdf",
        address="10.0.0.1",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0",
        detail=json.dumps({"bytes": 120, "node": "abc", "version": None}),
    )
    r = event_row(e, NOW)
    assert r["what"] == "Downloaded" and r["target"] == "report.pdf" and r["failed"] == ""
    assert r["when"] == "5 min ago" and r["agent"] == "Firefox on Linux"
    assert r["detail"] == "bytes: 120"
    denied = event_row(AuditEvent(id=42, at=NOW, action="access.denied", outcome="denied"), NOW)
    assert denied["failed"] == "1" and denied["what"] == "Access denied"


def test_the_current_session_is_marked_among_the_tokens() -> None:
    t = ApiToken(id="t1", user_id=1, token_hash="x", name="", kind="session", created_at=NOW, expires_at=None)
    row = token_row(t, "t1", NOW)
    assert row["current"] == "1" and row["kind"] == "Browser session" and row["expires"] == "never"
    assert row["used"] == "not used yet"
    assert token_row(t, "other", NOW)["current"] == ""
