"""Usage counters: exact numbers on the dashboard after a scripted sequence of uploads, downloads,
deletes, shares and restores — live (before any roll-up), after the roll-up, and after a rebuild from
the files themselves; the roll-up counts each event once; the admin views; the daily series."""

from __future__ import annotations

import csv
import io
import secrets
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, func, select

from pcs_app.models import UsageEvent, UsageTotal, User, utcnow
from pcs_app.services import accounts, archive, audit, content, sharing, tree, usage
from pcs_app.services.core import Core
from pcs_app.services.errors import Forbidden, InvalidInput
from pcs_app.services.sharing import public
from pcs_app.services.usage import rollup
from tests.conftest import PASSWORD

PNG, JPEG, GIF, ZIP = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"GIF89a", b"PK\x03\x04"


def account(core: Core, admin: bool = False) -> User:
    return accounts.create_user(core, f"u{secrets.token_hex(5)}@example.com", PASSWORD, is_admin=admin)


def blob(magic: bytes, size: int) -> bytes:
    return magic + secrets.token_bytes(size - len(magic))


def settle(core: Core) -> None:
    """Run the roll-up job until it has nothing left: each run measures at most MEASURE_PER_RUN accounts,
    and the session's database holds the accounts of every other test too."""
    for _ in range(1000):
        report = rollup.roll_up(core)
        if not (report.events or report.measured or report.baselines):
            return
    raise AssertionError("the roll-up never settled")


def live(d: usage.Dashboard) -> tuple[object, ...]:
    """Everything the dashboard says that the roll-up must not change."""
    return (
        d.used_bytes,
        d.files,
        d.live_bytes,
        d.by_type,
        [(f.key, f.name, f.files, f.bytes) for f in d.folders],
        [(x.day, x.stored_bytes, x.uploads, x.upload_bytes, x.downloads, x.download_bytes) for x in d.daily],
        [(f.name, f.size) for f in d.largest_files],
        [(f.name, f.bytes) for f in d.largest_folders],
        [(x.name, x.downloads) for x in d.links],
    )


def test_the_dashboard_after_a_scripted_sequence(core: Core) -> None:
    u, friend = account(core), account(core)
    photos = tree.create_folder(core, u, u.root_id, "Photos")
    docs = tree.create_folder(core, u, u.root_id, "Docs")
    a = content.upload(core, u, photos.id, "a.png", [blob(PNG, 1000)])
    b = content.upload(core, u, photos.id, "b.jpg", [blob(JPEG, 2000)])
    content.upload(core, u, docs.id, "r.txt", [b"r" * 300])
    z1 = blob(ZIP, 500)
    z = content.upload(core, u, u.root_id, "z.zip", [z1])
    content.upload(core, u, docs.id, "r.txt", [b"R" * 400])  # a new version replaces 300 bytes in use
    tree.copy(core, u, a.id, docs.id)  # a copy: no upload, no new bytes stored
    usage.events.downloaded(core, a, 1000)  # what the API records when a download begins
    usage.events.downloaded(core, a, 1000)
    zipped = archive.build(core, u, [docs.id])
    tree.trash(core, u, b.id)
    tree.restore(core, u, b.id)
    tree.trash(core, u, docs.id)
    tree.delete_forever(core, u, docs.id)
    sharing.share(core, u, photos.id, friend.email, "editor")
    content.upload(core, friend, photos.id, "f.gif", [blob(GIF, 100)])  # the owner's storage, the owner's upload
    link = sharing.create_link(core, u, photos.id)
    public.count_download(core, public.open_link(core, link.token))
    content.upload(core, u, u.root_id, "z.zip", [blob(ZIP, 600)])
    first = content.list_versions(core, u, z.id)[-1]
    content.restore_version(core, u, z.id, first.id)  # no upload; the 500-byte content is stored once
    audit.flush(core)

    d = usage.dashboard(core, u)
    assert d.used_bytes == 1000 + 2000 + 300 + 500 + 400 + 1000 - (300 + 400 + 1000) + 100 + 600 + 500 == 4700
    assert d.quota_bytes is None
    assert d.by_type == {"image": 3100, "video": 0, "audio": 0, "document": 0, "archive": 500, "other": 0}
    assert (d.files, d.live_bytes) == (4, 3600)
    assert [(f.key, f.name, f.files, f.bytes) for f in d.folders] == [(photos.id, "Photos", 3, 3100), ("", "", 1, 500)]
    today = utcnow().date()
    assert [(x.day, x.stored_bytes, x.uploads, x.upload_bytes, x.downloads, x.download_bytes) for x in d.daily] == [
        (today, 4700, 7, 1000 + 2000 + 300 + 500 + 400 + 100 + 600, 3, 2000 + zipped.size)
    ]
    assert [(f.name, f.size) for f in d.largest_files] == [
        ("b.jpg", 2000),
        ("a.png", 1000),
        ("z.zip", 500),
        ("f.gif", 100),
    ]
    assert [(f.name, f.bytes) for f in d.largest_folders] == [("Photos", 3100)]
    assert [(x.name, x.downloads) for x in d.links] == [("Photos", 1)]
    assert d.dedup_saved_bytes == 0 and d.measured_at is None  # measured by the roll-up job

    settle(core)
    after = usage.dashboard(core, u)
    assert live(after) == live(d)
    assert after.dedup_saved_bytes == 500 and after.measured_at is not None  # z.zip's restored version
    with core.db.read() as s:
        assert s.exec(select(func.count()).where(UsageEvent.user_id == u.id)).one() == 0
    rollup.rebuild(core, u.id or 0)
    assert live(usage.dashboard(core, u)) == live(d)
    me = accounts.usage(core, u)
    assert (me.files_bytes, me.by_type["image"], me.by_type["archive"]) == (3600, 3100, 500)
    assert (me.versions_bytes, me.trash_bytes) == (1100, 0)


def test_the_daily_series_runs_back_from_today(core: Core) -> None:
    u = account(core)
    today = utcnow().date()
    with core.db.write() as s:
        s.exec(update(User).where(col(User.id) == u.id).values(created_at=utcnow() - timedelta(days=3)))
    content.upload(core, u, u.root_id, "today.bin", [b"t" * 70])
    # Two days ago: 100 bytes uploaded and 30 stored bytes taken away (as the ledger records them).
    past = today - timedelta(days=2)
    rows = [("upload", 1, 100), ("stored", 0, 100), ("stored", 0, -30), ("download", 2, 64)]
    with core.db.write() as s:
        s.add_all(UsageEvent(user_id=u.id or 0, day=past, metric=m, n=n, bytes=b) for m, n, b in rows)
        s.exec(update(User).where(col(User.id) == u.id).values(used_bytes=col(User.used_bytes) + 70))
    for rolled in (False, True):
        if rolled:
            rollup.roll_up(core)
        d = usage.dashboard(core, u, days=5)
        assert [(x.day, x.stored_bytes, x.uploads, x.downloads) for x in d.daily] == [
            (today - timedelta(days=3), 0, 0, 0),
            (past, 70, 1, 2),
            (today - timedelta(days=1), 70, 0, 0),
            (today, 140, 1, 0),
        ]
    table = list(csv.reader(io.StringIO(usage.daily_csv(core, u, days=2))))
    assert table[0] == list(usage.CSV_COLUMNS)
    assert table[1:] == [
        [(today - timedelta(days=1)).isoformat(), "70", "0", "0", "0", "0"],
        [today.isoformat(), "140", "1", "70", "0", "0"],
    ]
    with pytest.raises(InvalidInput):
        usage.dashboard(core, u, days=0)


def test_the_live_counters_equal_a_recount_after_every_kind_of_change(core: Core) -> None:
    u = account(core)
    trip = tree.create_folder(core, u, u.root_id, "Trip")
    day = tree.create_folder(core, u, trip.id, "day 1")
    deep = tree.create_folder(core, u, day.id, "deep")
    files = [content.upload(core, u, f.id, f"p{i}.png", [blob(PNG, 100 + i)]) for i, f in enumerate((trip, day, deep))]
    content.upload(core, u, deep.id, "notes.txt", [b"n" * 50])
    other = tree.create_folder(core, u, u.root_id, "Other")
    tree.move(core, u, day.id, other.id)  # a subtree changes top-level folder
    tree.move(core, u, files[0].id, u.root_id)  # a file to the top
    tree.copy(core, u, other.id, u.root_id, name="Other copy")
    tree.trash(core, u, deep.id)
    tree.trash(core, u, other.id)  # its inner trash stays separate
    tree.restore(core, u, other.id)
    tree.move(core, u, other.id, trip.id)  # a top-level folder moves inside another
    tree.restore(core, u, deep.id)
    counted = usage.dashboard(core, u)
    rollup.rebuild(core, u.id or 0)
    recounted = usage.dashboard(core, u)
    assert live(counted) == live(recounted)
    assert {f.name: f.bytes for f in recounted.folders} == {
        "Trip": 101 + 102 + 50,
        "Other copy": 101 + 102 + 50,
        "": 100,
    }


def test_two_roll_ups_at_once_count_each_event_once(core: Core) -> None:
    u = account(core)
    for i in range(30):
        content.upload(core, u, u.root_id, f"f{i}.txt", [b"x" * (i + 1)])
    before = usage.dashboard(core, u)
    runs = [threading.Thread(target=rollup.roll_up, args=(core, 7)) for _ in range(3)]
    for t in runs:
        t.start()
    for t in runs:
        t.join()
    settle(core)
    assert live(usage.dashboard(core, u)) == live(before)
    with core.db.read() as s:
        total = s.exec(
            select(func.sum(UsageTotal.n)).where(UsageTotal.user_id == u.id, UsageTotal.metric == "upload")
        ).one()
    assert total == 30


def test_the_admin_views(core: Core) -> None:
    admin, u = account(core, admin=True), account(core)
    content.upload(core, u, u.root_id, "a.png", [blob(PNG, 1234)])
    with audit.scope(core, "192.0.2.5", "agent", user=u):
        content.upload(core, u, u.root_id, "b.png", [blob(PNG, 10)])
    rows = {a.email: a for a in usage.accounts_usage(core, admin, sort="live_bytes", order="desc")}
    mine = rows[u.email]
    assert (mine.files, mine.live_bytes, mine.uploads, mine.upload_bytes, mine.last_active) == (
        2,
        1244,
        2,
        1244,
        utcnow().date(),
    )
    ordered = [a.email for a in usage.accounts_usage(core, admin, sort="email", order="asc")]
    assert ordered == sorted(ordered)
    with pytest.raises(Forbidden):
        usage.accounts_usage(core, u)
    with pytest.raises(InvalidInput):
        usage.accounts_usage(core, admin, sort="password")
    settle(core)
    o = usage.overview(core, admin)
    assert o.accounts >= 2 and o.files >= 2 and o.active_today >= 1 and o.stored_bytes >= 1244
    assert o.health.database_ok and o.health.storage_ok and o.queue.usage_events_waiting >= 0
    assert o.active_daily[-1] == (utcnow().date(), o.active_today)
    costs = usage.cost_estimate(core, admin, multiplier=10)
    assert costs.projected.usage.stored_gb == pytest.approx(costs.usage.stored_gb * 10)
    assert costs.projected.total_usd >= costs.current.total_usd > 0
    assert len(costs.explanations) == 2 and "$" in costs.explanations[0]
    with pytest.raises(Forbidden):
        usage.overview(core, u)
