"""Versions retention, permanent deletion, garbage collection and the integrity check, against real
SeaweedFS on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import secrets
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlmodel import col, select

from pcs_app.models import Blob, Node, User, Version, utcnow
from pcs_app.services import accounts, content, gc, tree
from pcs_app.services.content.versions import Kept, thin
from pcs_app.services.core import Core
from pcs_app.services.errors import NotFound, QuotaExceeded
from pcs_app.services.fsck import fsck
from pcs_app.services.gc import collect_garbage
from tests.conftest import PASSWORD


def put(core: Core, user: User, parent: str, name: str, data: bytes) -> Node:
    return content.upload(core, user, parent, name, [data])


def read(core: Core, user: User, node_id: str) -> bytes:
    dl = content.open_download(core, user, node_id)
    return b"".join(content.read_range(core, dl, 0, dl.version.size - 1)) if dl.version.size else b""


def new_user(core: Core, **kw: Any) -> User:
    return accounts.create_user(core, f"r{secrets.token_hex(5)}@example.com", PASSWORD, **kw)


def backdate(core: Core, version_ids: list[int], when: datetime) -> None:
    with core.db.write() as s:
        s.exec(update(Version).where(col(Version.id).in_(version_ids)).values(created_at=when))


# -- retention, as a pure rule ---------------------------------------------------------------------

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def kept(
    ages_hours: list[float], *, pinned: frozenset[int] = frozenset(), keep_days: int = 7, most: int = 100
) -> set[int]:
    vs = [
        Kept(i, NOW - timedelta(hours=h), i in pinned, i == 0)  # version 0 is the current one
        for i, h in enumerate(ages_hours)
    ]
    return {v.id for v in vs} - thin(vs, NOW, keep_days, most)


def test_retention_keeps_everything_young_then_one_a_day_then_one_a_week() -> None:
    hourly_for_three_days = [h for h in range(0, 72)]
    assert kept(hourly_for_three_days) == set(range(72))  # all younger than 7 days
    # 10..20 days old, four a day: one a day survives (the newest of each day).
    old = [0.0] + [24 * d + h for d in range(10, 20) for h in (1, 7, 13, 19)]
    survivors = kept(old)
    days = {(NOW - timedelta(hours=old[i])).date() for i in survivors if i}
    assert len(survivors) == 1 + len(days) and len(days) in (10, 11)
    # 40..100 days old, daily: one a week survives.
    ancient = [0.0] + [24.0 * d for d in range(40, 100)]
    weeks = {tuple((NOW - timedelta(hours=ancient[i])).isocalendar()[:2]) for i in kept(ancient) if i}
    assert len(kept(ancient)) - 1 == len(weeks) <= 10


def test_retention_honours_the_cap_pins_and_the_current_version() -> None:
    ages = [float(h) for h in range(50)]  # all young
    survivors = kept(ages, most=10)
    assert survivors == set(range(10))  # the newest ten (current included)
    assert kept(ages, most=10, pinned=frozenset({45, 46})) == set(range(8)) | {45, 46}
    # The current version stays even when it is the oldest and everything is over the cap.
    current_oldest = [24.0 * 400] + [float(h) for h in range(1, 5)]
    assert 0 in kept(current_oldest, most=1)


def test_the_retention_job_thins_real_versions(core: Core) -> None:
    user = new_user(core)
    node = put(core, user, user.root_id or "", "log.txt", b"0")
    for i in range(1, 12):
        put(core, user, user.root_id or "", "log.txt", str(i).encode() * (i + 1))
    versions = content.list_versions(core, user, node.id)  # newest first; 12 of them
    old_ids = [v.id or 0 for v in versions[1:]]
    backdate(core, old_ids[:5], utcnow() - timedelta(days=12))  # five on one day, 12 days ago
    backdate(core, old_ids[5:], utcnow() - timedelta(days=60))  # six in one week, long ago
    content.pin_version(core, user, node.id, old_ids[-1], True)
    used = accounts.get_user(core, user.id).used_bytes
    gone = content.apply_retention(core)
    left = {v.id for v in content.list_versions(core, user, node.id)}
    # One of the day 12 days ago, one of the week long ago, the pinned one, and the current one.
    assert gone == 8 and left == {versions[0].id, old_ids[0], old_ids[5], old_ids[-1]}
    dropped = sum(v.size for v in versions if v.id not in left)
    assert accounts.get_user(core, user.id).used_bytes == used - dropped
    assert read(core, user, node.id) == b"11" * 12
    assert content.apply_retention(core) == 0  # idempotent


# -- permanent deletion ----------------------------------------------------------------------------


def test_a_folder_deleted_for_good_keeps_what_was_trashed_from_it_before(core: Core) -> None:
    user = new_user(core)
    root = user.root_id or ""
    box = tree.create_folder(core, user, root, "box")
    inner = tree.create_folder(core, user, box.id, "inner")
    early = put(core, user, inner.id, "early.txt", b"trashed first")
    put(core, user, inner.id, "late.txt", b"with the folder")
    tree.trash(core, user, early.id)
    tree.trash(core, user, box.id)
    report = tree.delete_forever(core, user, box.id)
    assert report.items == 3 and report.bytes == len(b"with the folder")
    assert [n.id for n in tree.list_trash(core, user).items] == [early.id]
    back = tree.restore(core, user, early.id)
    path = [n.name for n in tree.ancestors(core, user, back.id)]
    assert path[1:] == ["box", "inner", "early.txt"]
    assert read(core, user, early.id) == b"trashed first"
    assert accounts.get_user(core, user.id).used_bytes == len(b"trashed first")


def test_delete_forever_is_for_the_trash_and_the_owner(core: Core, other_user: User) -> None:
    user = new_user(core)
    f = put(core, user, user.root_id or "", "f.txt", b"x")
    with pytest.raises(NotFound):
        tree.delete_forever(core, user, f.id)  # not in the trash
    tree.trash(core, user, f.id)
    with pytest.raises(NotFound):
        tree.delete_forever(core, other_user, f.id)
    tree.delete_forever(core, user, f.id)
    with pytest.raises(NotFound):
        tree.restore(core, user, f.id)


def test_old_trash_is_purged_by_the_job(core: Core) -> None:
    user = new_user(core)
    old = put(core, user, user.root_id or "", "old.txt", b"old")
    young = put(core, user, user.root_id or "", "young.txt", b"young")
    tree.trash(core, user, old.id)
    tree.trash(core, user, young.id)
    with core.db.write() as s:
        s.exec(update(Node).where(col(Node.id) == old.id).values(trashed_at=utcnow() - timedelta(days=31)))
    report = tree.purge_expired(core)
    assert report.items >= 1
    assert [n.id for n in tree.list_trash(core, user).items] == [young.id]


def test_emptying_a_big_trash_takes_everything_and_the_space(core: Core) -> None:
    user = new_user(core)
    root = user.root_id or ""
    deep = tree.create_folder(core, user, root, "deep")
    parent = deep.id
    for depth in range(4):
        parent = tree.create_folder(core, user, parent, f"level{depth}").id
        for i in range(3):
            put(core, user, parent, f"f{i}.bin", secrets.token_bytes(100))
    for i in range(30):
        tree.trash(core, user, put(core, user, root, f"loose{i}.bin", b"l" * 10).id)
    tree.trash(core, user, deep.id)
    report = tree.empty_trash(core, user)
    assert report.items == 30 + 1 + 4 + 12 and report.bytes == 300 + 1200
    assert tree.list_trash(core, user).items == []
    assert accounts.get_user(core, user.id).used_bytes == 0
    with core.db.read() as s:
        assert s.exec(select(Node.id).where(Node.owner_id == user.id, Node.id != root)).first() is None


# -- quotas ---------------------------------------------------------------------------------------


@pytest.mark.core_settings(default_quota_bytes=1000)
def test_new_accounts_get_the_default_quota(own_core: Core) -> None:
    user = new_user(own_core)
    assert user.quota_bytes == 1000
    with pytest.raises(QuotaExceeded):
        put(own_core, user, user.root_id or "", "big.bin", b"b" * 1001)
    accounts.set_quota(own_core, user.email, None)
    put(own_core, user, user.root_id or "", "big.bin", b"b" * 1001)
    accounts.set_quota(own_core, user.id or 0, 10)  # below what it holds: everything stays
    assert read(own_core, user, tree.list_children(own_core, user, user.root_id).items[0].id) == b"b" * 1001
    with pytest.raises(QuotaExceeded):
        put(own_core, user, user.root_id or "", "one.bin", b"1")


# -- garbage collection ---------------------------------------------------------------------------


def test_gc_reclaims_what_nothing_refers_to_and_nothing_else(own_core: Core) -> None:
    core = own_core
    user = new_user(core)
    root = user.root_id or ""
    keep = put(core, user, root, "keep.bin", b"k" * 5000)
    twin = put(core, user, root, "twin.bin", b"k" * 5000)  # same content: one blob, two references
    doomed = put(core, user, root, "doomed.bin", b"d" * 7000)
    tree.trash(core, user, twin.id)
    tree.trash(core, user, doomed.id)
    tree.empty_trash(core, user)
    report = collect_garbage(core)
    assert report.blobs_deleted == 1 and report.bytes_freed >= 7000
    assert read(core, user, keep.id) == b"k" * 5000
    assert fsck(core).clean


def test_gc_deletes_dead_blobs_batch_by_batch_and_stops_at_a_failed_delete(
    own_core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each batch's objects are deleted while the next batch's rows are; every row and object goes,
    and a delete S3 refuses stops the collection with its error (the rows before it are gone, their
    objects are then only orphans for the sweep)."""
    core = own_core
    monkeypatch.setattr(gc, "BATCH", 3)

    def dead(prefix: str, n: int) -> list[str]:
        keys = [f"blobs/{prefix}/{i:02d}" for i in range(n)]
        with core.db.write() as s:
            for k in keys:
                s.add(Blob(sha256=hashlib.sha256(k.encode()).hexdigest(), size=2, s3_key=k, refcount=0))
        for k in keys:
            core.blobs.put_bytes(k, b"xx")
        return keys

    dead("gca", 10)
    report = collect_garbage(core, orphans=False)
    assert report.blobs_deleted == 10 and report.bytes_freed == 20
    assert list(core.blobs.objects("blobs/gca/")) == []
    keys = dead("gcb", 10)
    real, calls = core.blobs.delete_many, []

    def refusing(batch: list[str]) -> None:
        calls.append(batch)
        if len(calls) == 2:
            raise RuntimeError("S3 refused the delete")
        real(batch)

    monkeypatch.setattr(core.blobs, "delete_many", refusing)
    with pytest.raises(RuntimeError, match="refused"):
        collect_garbage(core, orphans=False)
    assert calls[0] == keys[:3] and calls[1] == keys[3:6] and len(calls) <= 3  # stopped within the deletes in flight
    with core.db.read() as s:
        rows = set(s.exec(select(Blob.s3_key).where(col(Blob.s3_key).like("blobs/gcb/%"))).all())
    assert set(keys[:6]).isdisjoint(rows)
    monkeypatch.setattr(core.blobs, "delete_many", real)
    collect_garbage(Core(core.settings.model_copy(update={"gc_grace_seconds": -60}), core.db, core.blobs, core.broker))
    assert list(core.blobs.objects("blobs/gcb/")) == [] and fsck(core).clean


def test_gc_never_deletes_a_blob_an_upload_is_taking_back(own_core: Core) -> None:
    """The race: an upload finds an unreferenced blob row and takes a reference to it while GC deletes
    the row. The upload's SELECT runs, then GC runs to completion (in another thread) before the
    upload's UPDATE; the upload must notice and store its own copy."""
    core = own_core
    user = new_user(core)
    root = user.root_id or ""
    data = b"comes back " + secrets.token_bytes(3000)
    first = put(core, user, root, "a.bin", data)
    tree.trash(core, user, first.id)
    tree.empty_trash(core, user)  # the blob is now unreferenced, still stored
    sha = hashlib.sha256(data).hexdigest()
    engine = core.db.engine
    fired = threading.Event()
    sqlite = engine.dialect.name == "sqlite"

    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        if fired.is_set() or not statement.lstrip().upper().startswith("UPDATE BLOB SET REFCOUNT"):
            return
        fired.set()
        if sqlite:
            # SQLite serialises writers: GC cannot run now. Simulate its outcome by deleting the row
            # on this very connection, as a GC committed just before would have.
            conn.exec_driver_sql("DELETE FROM blob WHERE sha256 = ? AND refcount <= 0", (sha,))
            return
        t = threading.Thread(target=collect_garbage, args=(core,))
        t.start()
        t.join(30)
        assert not t.is_alive()

    event.listen(engine, "before_cursor_execute", before)
    try:
        second = put(core, user, root, "b.bin", data)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert fired.is_set()
    assert read(core, user, second.id) == data
    collect_garbage(core)
    assert read(core, user, second.id) == data
    assert fsck(core).clean


@pytest.mark.core_settings(gc_grace_seconds=0)
def test_gc_aborts_multipart_uploads_nobody_owns(own_core: Core) -> None:
    core = own_core
    user = new_user(core)
    # A streamed upload killed midway: parts uploaded, never completed or aborted.
    key = f"blobs/zz/{secrets.token_hex(16)}"
    upload_id = core.blobs.create_multipart(key)
    core.blobs.client.upload_part(
        Bucket=core.blobs.bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"p" * (5 * 1024 * 1024)
    )
    # A large-file session still alive owns its upload: it must stay.
    live = content.start_session(core, user, user.root_id, "big.iso", 6 * 1024 * 1024)
    found = fsck(core)
    assert [f.kind for f in found.findings] == ["stale_multipart"] and found.findings[0].bytes == 5 * 1024 * 1024
    report = collect_garbage(core)
    assert report.multipart_aborted == 1 and report.bytes_freed >= 5 * 1024 * 1024
    left = {(m.key, m.upload_id) for m in core.blobs.multipart_uploads("blobs/")}
    assert left == {(live.session.s3_key, live.session.s3_upload_id)}
    assert fsck(core).clean


# -- the integrity check ---------------------------------------------------------------------------


@pytest.mark.core_settings(gc_grace_seconds=0)
def test_fsck_finds_and_repairs_what_is_safe(own_core: Core) -> None:
    core = own_core
    user = new_user(core)
    root = user.root_id or ""
    ok = put(core, user, root, "ok.txt", b"fine")
    lost = put(core, user, root, "lost.txt", b"will lose its bytes")
    assert fsck(core).clean
    # Damage: an orphan object, a wrong reference count, a wrong usage, a lost object.
    core.blobs.put_bytes("blobs/ff/orphan", b"nobody's")
    with core.db.write() as s:
        s.exec(update(Blob).where(col(Blob.sha256) == ok.sha256).values(refcount=5))
        s.exec(update(User).where(col(User.id) == user.id).values(used_bytes=1))
        lost_key = s.exec(select(Blob.s3_key).where(Blob.sha256 == lost.sha256)).one()
    core.blobs.delete(lost_key)
    found = fsck(core)
    kinds = sorted(f.kind for f in found.findings)
    assert kinds == ["missing_object", "orphan_object", "refcount", "used_bytes"]
    assert "lost.txt" in next(f.detail for f in found.findings if f.kind == "missing_object")
    repaired = fsck(core, repair=True)
    assert sorted(f.kind for f in repaired.findings if f.repaired) == ["orphan_object", "refcount", "used_bytes"]
    assert [f.kind for f in repaired.unrepaired] == ["missing_object"]  # no one can bring bytes back
    assert repaired.bytes_reclaimed == len(b"nobody's")
    assert any("bytes reclaimed" in line for line in repaired.lines())
    after = fsck(core)
    assert [f.kind for f in after.findings] == ["missing_object"]
    assert accounts.get_user(core, user.id).used_bytes == len(b"fine") + len(b"will lose its bytes")
    # The person decides: deleting the broken file for good leaves a clean store.
    tree.trash(core, user, lost.id)
    tree.empty_trash(core, user)
    collect_garbage(core)
    assert fsck(core).clean
    assert read(core, user, ok.id) == b"fine"
