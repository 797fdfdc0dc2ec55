"""Group commit (services/content/group.py, placing.py): uploads finishing together share one write
transaction per owner, and still every feed stays gapless and in commit order, quota stays exact and
each item succeeds or fails alone. Against real SeaweedFS, on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from pcs_app.models import Blob, Node, User, Version
from pcs_app.services import accounts, changes, content, sharing, tree
from pcs_app.services.content import group, placing
from pcs_app.services.content.commit import Incoming, new_blob_key
from pcs_app.services.content.placing import Job
from pcs_app.services.core import Core
from pcs_app.services.errors import Conflict, NotFound, QuotaExceeded
from pcs_app.services.fsck import fsck
from tests.conftest import PASSWORD

N = 20


def new_user(core: Core) -> User:
    return accounts.create_user(core, f"g{secrets.token_hex(5)}@example.com", PASSWORD)


def read(core: Core, user: User, node_id: str) -> bytes:
    dl = content.open_download(core, user, node_id)
    return b"".join(content.read_range(core, dl, 0, dl.version.size - 1)) if dl.version.size else b""


def all_at_once(n: int, fn: Any) -> list[BaseException | None]:
    """Run fn(i) on n threads released together; each thread's exception (or None)."""
    gate = threading.Barrier(n)
    out: list[BaseException | None] = [None] * n

    def run(i: int) -> None:
        gate.wait()
        try:
            fn(i)
        except BaseException as e:  # noqa: BLE001 - reported to the test
            out[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "an upload never finished"
    return out


def stored(core: Core, actor: User, parent: str, name: str, data: bytes, on_conflict: str = "replace") -> Job:
    """A job whose bytes are in S3 already, as an upload hands it over."""
    key = new_blob_key()
    core.blobs.put_bytes(key, data)
    item = Incoming(name, on_conflict, hashlib.sha256(data).hexdigest(), len(data), "application/octet-stream", key)
    return Job(actor, parent, item)


@contextmanager
def counting_transactions(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    owners: list[int] = []
    real = group.write_tx

    @contextmanager
    def spy(core: Core, owner_id: int) -> Iterator[Any]:
        owners.append(owner_id)
        with real(core, owner_id) as tx:
            yield tx

    monkeypatch.setattr(group, "write_tx", spy)
    yield owners


def object_exists(core: Core, key: str) -> bool:
    try:
        core.blobs.head(key)
    except FileNotFoundError:
        return False
    return True


def test_twenty_concurrent_uploads_keep_every_feed_gapless_and_in_commit_order(core: Core) -> None:
    owner, friend = new_user(core), new_user(core)
    shared = tree.create_folder(core, owner, owner.root_id, "shared")
    sharing.share(core, owner, shared.id, friend.email, "editor")
    starts = {u.id: changes.current_cursor(core, u) for u in (owner, friend)}
    seen: dict[int | None, list[int]] = {owner.id: [], friend.id: []}
    stop = threading.Event()

    def follow(user: User) -> None:
        # A client following the feed with a cursor: a commit that became visible after a later
        # sequence number would be skipped for good.
        cursor = starts[user.id]
        while True:
            last = stop.is_set()
            page = changes.changes_since(core, user, cursor)
            seen[user.id] += [c.seq for c in page.changes]
            cursor = page.cursor
            if last and not page.has_more:
                return

    followers = [threading.Thread(target=follow, args=(u,)) for u in (owner, friend)]
    for t in followers:
        t.start()
    data = [secrets.token_bytes(1000 + i) for i in range(N)]
    # The friend uploads into the owner's folder too: the owner's lock orders both.
    errors = all_at_once(
        N, lambda i: content.upload(core, owner if i % 2 else friend, shared.id, f"f{i:02d}.bin", [data[i]])
    )
    stop.set()
    for t in followers:
        t.join(60)
    assert errors == [None] * N
    for user in (owner, friend):
        start = starts[user.id]
        page = changes.changes_since(core, user, start)
        assert [c.seq for c in page.changes] == list(range(start + 1, start + N + 1))
        assert sorted(c.name or "" for c in page.changes) == [f"f{i:02d}.bin" for i in range(N)]
        assert seen[user.id] == list(range(start + 1, start + N + 1))
    listed = {n.name: n for n in tree.list_children(core, owner, shared.id).items}
    assert sorted(listed) == [f"f{i:02d}.bin" for i in range(N)]
    for i in (0, 7, N - 1):
        assert read(core, owner, listed[f"f{i:02d}.bin"].id) == data[i]


def test_quota_stays_exact_under_twenty_concurrent_uploads(own_core: Core) -> None:
    core = own_core
    user = new_user(core)
    accounts.set_quota(core, user.id or 0, 10 * 1000 + 500)
    data = [secrets.token_bytes(1000) for _ in range(N)]
    errors = all_at_once(N, lambda i: content.upload(core, user, user.root_id, f"q{i:02d}.bin", [data[i]]))
    refused = [e for e in errors if e is not None]
    assert len(refused) == N - 10 and all(isinstance(e, QuotaExceeded) for e in refused)
    with core.db.read() as s:
        assert s.exec(select(User.used_bytes).where(User.id == user.id)).one() == 10 * 1000
    kept = tree.list_children(core, user, user.root_id).items
    assert len(kept) == 10
    for node in kept:
        assert read(core, user, node.id) == data[int(node.name[1:3])]
    # The refused uploads' bytes were deleted again: S3 holds exactly what the database refers to.
    assert fsck(core).clean
    assert len(list(core.blobs.objects("blobs/"))) == 10


def test_a_group_is_one_transaction_per_owner_and_each_item_fails_alone(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, stranger = new_user(core), new_user(core)
    folder = tree.create_folder(core, user, user.root_id, "group").id
    content.upload(core, user, folder, "taken.txt", [b"already here"])
    theirs = tree.create_folder(core, stranger, stranger.root_id, "theirs").id
    start = changes.current_cursor(core, user)
    with core.db.read() as s:
        used_before = s.exec(select(User.used_bytes).where(User.id == user.id)).one()
    jobs = [
        stored(core, user, folder, "a.txt", b"first a"),
        stored(core, user, folder, "b.txt", b"bee"),
        # Same content as an existing file, refused by name: its reference and charge are undone.
        stored(core, user, folder, "taken.txt", b"already here", on_conflict="fail"),
        stored(core, user, folder, "c.txt", b"bee"),  # same content as b.txt, in the same group
        stored(core, user, folder, "a.txt", b"second a"),  # a.txt again: a new version of it
        stored(core, user, theirs, "nope.txt", b"not yours"),
    ]
    with counting_transactions(monkeypatch) as owners:
        group.commit_jobs(core, jobs)
    for job in jobs:
        group.finish(core, job)
    assert sorted(owners) == sorted([user.id, stranger.id])
    a1, b, clash, c, a2, foreign = jobs
    assert (a1.kind, b.kind, c.kind, a2.kind) == ("created", "created", "created", "updated")
    assert isinstance(clash.error, Conflict) and clash.node is None
    assert isinstance(foreign.error, NotFound) and foreign.node is None
    assert a1.node is not None and a2.node is not None and a1.node.id == a2.node.id
    assert read(core, user, a2.node.id) == b"second a"
    assert c.node is not None and read(core, user, c.node.id) == b"bee"
    # c.txt's bytes were not needed (b.txt's are the same): its object is gone, b.txt's stays.
    assert c.dropped == c.item.new_key and not object_exists(core, c.item.new_key or "")
    assert b.item.new_key and object_exists(core, b.item.new_key)
    page = changes.changes_since(core, user, start)
    assert [(ch.kind, ch.name) for ch in page.changes] == [
        ("created", "a.txt"),
        ("created", "b.txt"),
        ("created", "c.txt"),
        ("updated", "a.txt"),
    ]
    with core.db.read() as s:
        used = s.exec(select(User.used_bytes).where(User.id == user.id)).one()
        refs = dict(
            s.exec(
                select(Blob.sha256, Blob.refcount).where(
                    col(Blob.sha256).in_([hashlib.sha256(d).hexdigest() for d in (b"already here", b"bee")])
                )
            ).all()
        )
        versions = s.exec(select(Version).where(Version.node_id == a1.node.id)).all()
    assert used == used_before + len(b"first a") + 2 * len(b"bee") + len(b"second a")
    assert refs == {hashlib.sha256(b"already here").hexdigest(): 1, hashlib.sha256(b"bee").hexdigest(): 2}
    assert len(versions) == 2
    names = [n.name for n in tree.list_children(core, user, folder).items]
    assert names == ["a.txt", "b.txt", "c.txt", "taken.txt"]


def test_a_group_whose_transaction_fails_is_committed_item_by_item(core: Core, monkeypatch: pytest.MonkeyPatch) -> None:
    user = new_user(core)
    folder = tree.create_folder(core, user, user.root_id, "retry").id
    start = changes.current_cursor(core, user)
    real = placing._Run.flush  # pyright: ignore[reportPrivateUsage]
    failed: list[int] = []

    def flaky(self: Any) -> None:
        if self.nodes and not failed:
            failed.append(len(self.nodes))
            raise IntegrityError("INSERT", {}, Exception("as if another upload took that content first"))
        real(self)

    monkeypatch.setattr(placing._Run, "flush", flaky)  # pyright: ignore[reportPrivateUsage]
    jobs = [stored(core, user, folder, f"r{i}.txt", f"retry {i}".encode()) for i in range(5)]
    group.commit_jobs(core, jobs)
    assert failed == [5]
    assert [j.error for j in jobs] == [None] * 5 and [j.kind for j in jobs] == ["created"] * 5
    assert [(c.kind, c.name) for c in changes.changes_since(core, user, start).changes] == [
        ("created", f"r{i}.txt") for i in range(5)
    ]
    for i, job in enumerate(jobs):
        assert job.node is not None and read(core, user, job.node.id) == f"retry {i}".encode()


def test_many_callers_with_many_jobs_all_finish(core: Core) -> None:
    """Leadership passes between callers; a caller with more jobs than one group holds leads again."""
    user = new_user(core)
    folder = tree.create_folder(core, user, user.root_id, "many").id
    batches = [
        [stored(core, user, folder, f"m{t}-{i}.txt", f"{t}/{i}".encode()) for i in range(3 if t else 12)]
        for t in range(6)
    ]
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(group, "MAX_GROUP", 4)
    try:
        errors = all_at_once(len(batches), lambda t: group.commit_jobs(core, batches[t]))
    finally:
        monkeypatch.undo()
    assert errors == [None] * len(batches)
    assert all(j.kind == "created" and j.error is None for b in batches for j in b)
    with core.db.read() as s:
        count = len(s.exec(select(Node.id).where(Node.parent_id == folder)).all())
    assert count == sum(len(b) for b in batches)


def test_each_upload_in_a_group_is_audited_as_its_own_request(core: Core) -> None:
    """The thread that leads a group commits other requests' uploads: each audit row still names the
    request that sent the file, with that request's address and user agent."""
    from pcs_app.models import AuditEvent
    from pcs_app.services import audit

    owner, friend = new_user(core), new_user(core)
    shared = tree.create_folder(core, owner, owner.root_id, "audited")
    sharing.share(core, owner, shared.id, friend.email, "editor")
    users = [owner if i % 2 else friend for i in range(N)]

    def put(i: int) -> None:
        with audit.scope(core, f"192.0.2.{i + 1}", f"agent-{i}", user=users[i]):
            content.upload(core, users[i], shared.id, f"a{i:02d}.bin", [secrets.token_bytes(100)])

    assert all_at_once(N, put) == [None] * N
    with core.db.read() as s:
        rows = s.exec(
            select(AuditEvent).where(AuditEvent.action == "file.upload", col(AuditEvent.target).like("a__.bin"))
        ).all()
    by_name = {r.target: r for r in rows}
    assert sorted(by_name) == [f"a{i:02d}.bin" for i in range(N)]
    for i in range(N):
        r = by_name[f"a{i:02d}.bin"]
        assert (r.actor_id, r.actor, r.address, r.user_agent) == (
            users[i].id,
            users[i].email,
            f"192.0.2.{i + 1}",
            f"agent-{i}",
        )
