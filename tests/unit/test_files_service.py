"""The file service against real SeaweedFS, on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest
from sqlmodel import select

from pcs_app.models import Blob, Change, Node, Version
from pcs_app.services import accounts, changes, content, tree
from pcs_app.services.core import Core
from pcs_app.services.errors import (
    Conflict,
    Forbidden,
    IntegrityFailed,
    InvalidInput,
    InvalidName,
    NotFound,
    QuotaExceeded,
    Unauthorized,
)
from pcs_app.services.gc import collect_garbage
from tests.conftest import PASSWORD


def put(core: Core, user, parent: str, name: str, data: bytes, **kw):  # type: ignore[no-untyped-def]
    return content.upload(core, user, parent, name, [data[i : i + 65536] for i in range(0, len(data), 65536)], **kw)


def read_all(core: Core, user, node_id: str, version=None) -> bytes:  # type: ignore[no-untyped-def]
    dl = content.open_download(core, user, node_id, version)
    return b"".join(content.read_range(core, dl, 0, dl.version.size - 1))


# -- folders -------------------------------------------------------------------------------------


def test_create_list_rename_move_folders(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    root = user.root_id
    docs = tree.create_folder(core, user, root, "Docs")
    pics = tree.create_folder(core, user, root, "Pictures")
    names = [n.name for n in tree.list_children(core, user, root).items]
    assert names == ["Docs", "Pictures"]
    tree.rename(core, user, docs.id, "Documents")
    tree.move(core, user, pics.id, docs.id)
    assert [n.name for n in tree.list_children(core, user, root).items] == ["Documents"]
    assert [n.name for n in tree.list_children(core, user, docs.id).items] == ["Pictures"]
    path = tree.ancestors(core, user, pics.id)
    assert [n.id for n in path] == [root, docs.id, pics.id]


def test_duplicate_names_conflict_or_get_numbered(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    root = user.root_id
    tree.create_folder(core, user, root, "Work")
    with pytest.raises(Conflict):
        tree.create_folder(core, user, root, "work")  # case-insensitive, like macOS and Windows
    second = tree.create_folder(core, user, root, "Work", on_conflict="rename")
    third = tree.create_folder(core, user, root, "Work", on_conflict="rename")
    assert (second.name, third.name) == ("Work (1)", "Work (2)")
    f = put(core, user, root, "a.txt", b"1")
    g = put(core, user, root, "a.txt", b"2", on_conflict="rename")
    assert (f.name, g.name) == ("a.txt", "a (1).txt")
    with pytest.raises(Conflict):
        put(core, user, root, "a.txt", b"3", on_conflict="fail")
    with pytest.raises(Conflict):
        put(core, user, root, "Work", b"file over folder")


def test_moving_a_folder_into_itself_is_refused(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    a = tree.create_folder(core, user, user.root_id, "A")
    b = tree.create_folder(core, user, a.id, "B")
    c = tree.create_folder(core, user, b.id, "C")
    for target in (a.id, b.id, c.id):
        with pytest.raises(Conflict):
            tree.move(core, user, a.id, target)
    with pytest.raises(Forbidden):
        tree.move(core, user, user.root_id, a.id)


@pytest.mark.parametrize("bad", ["", ".", "..", "../x", "a/b", "/abs", "x\x00y", "x" * 256])
def test_invalid_names_are_refused_everywhere(core: Core, user, bad: str) -> None:  # type: ignore[no-untyped-def]
    folder = tree.create_folder(core, user, user.root_id, "ok")
    with pytest.raises(InvalidName):
        tree.create_folder(core, user, user.root_id, bad)
    with pytest.raises(InvalidName):
        put(core, user, user.root_id, bad, b"x")
    with pytest.raises(InvalidName):
        tree.rename(core, user, folder.id, bad)
    assert [n.name for n in tree.list_children(core, user, user.root_id).items] == ["ok"]


def test_pagination_walks_every_entry_once_in_each_sort(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    folder = tree.create_folder(core, user, user.root_id, "many")
    for i in range(5):
        tree.create_folder(core, user, folder.id, f"dir{i}")
    for i in range(12):
        put(core, user, folder.id, f"file{i:02}.bin", b"x" * (i % 4))
    for sort in ("name", "size", "modified"):
        for desc in (False, True):
            seen, cursor = [], None
            while True:
                page = tree.list_children(core, user, folder.id, sort=sort, desc=desc, limit=4, cursor=cursor)
                seen += page.items
                cursor = page.next_cursor
                if cursor is None:
                    break
            assert len(seen) == 17 and len({n.id for n in seen}) == 17
            assert all(n.kind == "dir" for n in seen[:5])  # folders first
            files_part = seen[5:]
            key = {"name": lambda n: n.name_key, "size": lambda n: n.size, "modified": lambda n: n.modified_at}[sort]
            assert [key(n) for n in files_part] == sorted((key(n) for n in files_part), reverse=desc)


def test_malformed_cursor_is_a_clear_error(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    for bad in ("garbage", "eyJ4IjoxfQ", "W10"):
        with pytest.raises(InvalidInput):
            tree.list_children(core, user, user.root_id, cursor=bad)


# -- files ---------------------------------------------------------------------------------------


def test_upload_download_roundtrip_with_metadata(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    data = os.urandom(300_000)
    node = put(core, user, user.root_id, "random.bin", data)
    assert node.size == len(data) and node.sha256 == hashlib.sha256(data).hexdigest()
    assert read_all(core, user, node.id) == data
    dl = content.open_download(core, user, node.id)
    assert b"".join(content.read_range(core, dl, 1000, 1999)) == data[1000:2000]
    png = put(core, user, user.root_id, "image.dat", b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    assert png.mime_type == "image/png"


def test_large_upload_goes_multipart_and_stays_intact(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    data = os.urandom(40 * 1024 * 1024 + 123)  # > threshold: several 16 MiB parts, last one short
    node = put(core, user, user.root_id, "big.bin", data)
    assert read_all(core, user, node.id) == data


def test_upload_over_existing_file_keeps_old_version(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    first = put(core, user, user.root_id, "notes.txt", b"version one")
    second = put(core, user, user.root_id, "notes.txt", b"version two!")
    assert first.id == second.id
    versions = content.list_versions(core, user, first.id)
    assert [v.size for v in versions] == [12, 11]
    assert read_all(core, user, first.id) == b"version two!"
    assert read_all(core, user, first.id, versions[1].id) == b"version one"


def test_declared_size_or_hash_mismatch_saves_nothing(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityFailed):
        put(core, user, user.root_id, "a.bin", b"12345", size=6)
    with pytest.raises(IntegrityFailed):
        put(core, user, user.root_id, "b.bin", b"12345", sha256="0" * 64)
    assert tree.list_children(core, user, user.root_id).items == []


def test_identical_content_is_stored_once_and_copies_cost_nothing(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    data = os.urandom(50_000)
    a = put(core, user, user.root_id, "a.bin", data)
    b = put(core, user, user.root_id, "b.bin", data)
    c = tree.copy(core, user, a.id, user.root_id, name="c.bin")
    with core.db.read() as s:
        blob = s.exec(select(Blob).where(Blob.sha256 == a.sha256)).one()
        assert blob.refcount == 3
        keys = {v.blob_id for v in s.exec(select(Version).where(Version.node_id.in_([a.id, b.id, c.id]))).all()}
    assert keys == {blob.id}
    assert read_all(core, user, c.id) == data
    assert accounts.get_user(core, user.id).used_bytes == 3 * len(data)  # honest logical usage


def test_hash_first_upload_skips_bytes_only_for_own_content(core: Core, user, other_user) -> None:  # type: ignore[no-untyped-def]
    data = os.urandom(10_000)
    digest = hashlib.sha256(data).hexdigest()
    with pytest.raises(NotFound) as err:
        content.upload_known(core, user, user.root_id, "x.bin", digest, len(data))
    assert err.value.code == "content_unknown"
    put(core, user, user.root_id, "orig.bin", data)
    node = content.upload_known(core, user, user.root_id, "again.bin", digest, len(data))
    assert read_all(core, user, node.id) == data
    # Another user cannot probe for that content.
    with pytest.raises(NotFound):
        content.upload_known(core, other_user, other_user.root_id, "x.bin", digest, len(data))


def test_copy_of_a_folder_tree(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    src = tree.create_folder(core, user, user.root_id, "src")
    sub = tree.create_folder(core, user, src.id, "sub")
    put(core, user, sub.id, "deep.txt", b"deep")
    put(core, user, src.id, "top.txt", b"top")
    dst = tree.copy(core, user, src.id, user.root_id, name="dst")
    listing = {n.name: n for n in tree.list_children(core, user, dst.id).items}
    assert set(listing) == {"sub", "top.txt"}
    deep = tree.list_children(core, user, listing["sub"].id).items
    assert [n.name for n in deep] == ["deep.txt"] and read_all(core, user, deep[0].id) == b"deep"
    with pytest.raises(Conflict):
        tree.copy(core, user, src.id, sub.id)


def test_trash_hides_subtree_and_restore_brings_it_back(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    folder = tree.create_folder(core, user, user.root_id, "trip")
    f = put(core, user, folder.id, "photo.jpg", b"\xff\xd8\xff" + b"1" * 10)
    tree.trash(core, user, folder.id)
    assert tree.list_children(core, user, user.root_id).items == []
    with pytest.raises(NotFound):
        content.open_download(core, user, f.id)
    with pytest.raises(NotFound):
        put(core, user, folder.id, "new.txt", b"x")
    assert [n.id for n in tree.list_trash(core, user).items] == [folder.id]
    tree.create_folder(core, user, user.root_id, "trip")  # name reused meanwhile
    restored = tree.restore(core, user, folder.id)
    assert restored.name == "trip (restored)"
    assert read_all(core, user, f.id) == b"\xff\xd8\xff" + b"1" * 10


def test_other_users_ids_look_missing(core: Core, user, other_user) -> None:  # type: ignore[no-untyped-def]
    secret = put(core, user, user.root_id, "secret.txt", b"mine")
    folder = tree.create_folder(core, user, user.root_id, "private")
    calls = [
        lambda: tree.get_node(core, other_user, secret.id),
        lambda: content.open_download(core, other_user, secret.id),
        lambda: tree.list_children(core, other_user, folder.id),
        lambda: tree.rename(core, other_user, secret.id, "stolen"),
        lambda: tree.move(core, other_user, secret.id, other_user.root_id),
        lambda: tree.copy(core, other_user, secret.id, other_user.root_id),
        lambda: tree.trash(core, other_user, secret.id),
        lambda: tree.create_folder(core, other_user, folder.id, "x"),
        lambda: put(core, other_user, folder.id, "x", b"x"),
        lambda: content.list_versions(core, other_user, secret.id),
        lambda: tree.move(core, user, secret.id, other_user.root_id),
    ]
    for call in calls:
        with pytest.raises(NotFound) as err:
            call()
        assert err.value.code == "not_found"
    assert read_all(core, user, secret.id) == b"mine"


def test_quota_is_enforced_before_and_after_bytes(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    with core.db.write() as s:
        u = s.get(type(user), user.id)
        u.quota_bytes = 1000
        s.add(u)
    put(core, user, user.root_id, "fits.bin", b"x" * 600)
    with pytest.raises(QuotaExceeded):
        put(core, user, user.root_id, "declared.bin", b"x" * 600, size=600)
    with pytest.raises(QuotaExceeded):
        put(core, user, user.root_id, "streamed.bin", b"y" * 600)
    assert [n.name for n in tree.list_children(core, user, user.root_id).items] == ["fits.bin"]


# -- large-file sessions -------------------------------------------------------------------------


def test_session_upload_through_presigned_urls(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    import httpx

    part = core.settings.session_part_size
    data = os.urandom(part + 1000)
    info = content.start_session(
        core, user, user.root_id, "session.bin", len(data), sha256=hashlib.sha256(data).hexdigest()
    )
    assert info.part_count == 2
    with pytest.raises(Conflict) as err:
        content.complete_session(core, user, info.session.id)  # nothing sent yet
    assert err.value.details["missing_parts"] == [1, 2]
    r = httpx.put(info.part_urls[0], content=data[:part])
    assert r.status_code == 200
    with pytest.raises(Conflict) as err:
        content.complete_session(core, user, info.session.id)
    assert err.value.details["missing_parts"] == [2]
    assert httpx.put(info.part_urls[1], content=data[part:]).status_code == 200
    node = content.complete_session(core, user, info.session.id)
    assert read_all(core, user, node.id) == data
    with pytest.raises(NotFound):
        content.complete_session(core, user, info.session.id)


def test_session_with_wrong_hash_or_foreign_owner(core: Core, user, other_user) -> None:  # type: ignore[no-untyped-def]
    import httpx

    info = content.start_session(core, user, user.root_id, "bad.bin", 10, sha256="1" * 64)
    with pytest.raises(NotFound):
        content.complete_session(core, other_user, info.session.id)
    httpx.put(info.part_urls[0], content=b"0123456789")
    with pytest.raises(IntegrityFailed):
        content.complete_session(core, user, info.session.id)
    assert tree.list_children(core, user, user.root_id).items == []
    info2 = content.start_session(core, user, user.root_id, "aborted.bin", 10)
    content.abort_session(core, user, info2.session.id)
    with pytest.raises(NotFound):
        content.complete_session(core, user, info2.session.id)


# -- change feed ---------------------------------------------------------------------------------


def test_every_change_is_in_the_feed_in_order(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    start = changes.current_cursor(core, user)
    folder = tree.create_folder(core, user, user.root_id, "feed")
    f = put(core, user, folder.id, "a.txt", b"1")
    put(core, user, folder.id, "a.txt", b"2")
    tree.rename(core, user, f.id, "b.txt")
    tree.move(core, user, f.id, user.root_id)
    tree.trash(core, user, f.id)
    tree.restore(core, user, f.id)
    page = changes.changes_since(core, user, start)
    assert [c.kind for c in page.changes] == [
        "created",
        "created",
        "updated",
        "renamed",
        "moved",
        "trashed",
        "restored",
    ]
    assert [c.seq for c in page.changes] == list(range(start + 1, start + 8))
    assert changes.changes_since(core, user, page.cursor).changes == []
    with pytest.raises(InvalidInput):
        changes.changes_since(core, user, page.cursor + 100)


def test_concurrent_writers_get_gapless_ordered_sequence(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    start = changes.current_cursor(core, user)
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            for j in range(5):
                put(core, user, user.root_id, f"c{i}-{j}.txt", f"{i}{j}".encode())
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seqs = [c.seq for c in changes.changes_since(core, user, start).changes]
    assert seqs == list(range(start + 1, start + 41))
    with core.db.read() as s:
        n = len(s.exec(select(Change).where(Change.user_id == user.id, Change.seq > start)).all())
    assert n == 40


# -- accounts ------------------------------------------------------------------------------------


def test_sign_in_tokens_and_revocation(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    issued = accounts.sign_in(core, user.email.upper(), PASSWORD, "10.0.0.1")
    who, tok = accounts.authenticate(core, issued.secret)
    assert who.id == user.id and tok.id == issued.id
    with core.db.read() as s:
        from pcs_app.models import ApiToken

        stored = s.get(ApiToken, issued.id)
        assert stored.token_hash != issued.secret and issued.secret not in stored.token_hash
    accounts.revoke_token(core, user, issued.id)
    with pytest.raises(Unauthorized):
        accounts.authenticate(core, issued.secret)
    for bad in (None, "", "pcs_nope", "Bearer x", "x" * 500):
        with pytest.raises(Unauthorized):
            accounts.authenticate(core, bad)


def test_expired_token_is_refused(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from pcs_app.models import ApiToken, utcnow

    issued = accounts.issue_token(core, user)
    with core.db.write() as s:
        t = s.get(ApiToken, issued.id)
        t.expires_at = utcnow() - timedelta(seconds=1)
        s.add(t)
    with pytest.raises(Unauthorized) as err:
        accounts.authenticate(core, issued.secret)
    assert "expired" in err.value.message


def test_signup_rules(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Conflict):
        accounts.create_user(core, user.email.upper(), PASSWORD)
    with pytest.raises(InvalidInput):
        accounts.create_user(core, "not-an-email", PASSWORD)
    with pytest.raises(InvalidInput):
        accounts.create_user(core, "short@example.com", "short")
    closed = core.settings.model_copy(update={"signup_open": False})
    closed_core = Core(closed, core.db, core.blobs, core.broker)
    with pytest.raises(Forbidden):
        accounts.create_user(closed_core, "late@example.com", PASSWORD)
    admin = accounts.create_user(
        closed_core, "admin-x@example.com".replace("x", os.urandom(3).hex()), PASSWORD, is_admin=True, via_admin=True
    )
    assert admin.is_admin


# -- garbage collection --------------------------------------------------------------------------


def test_gc_reclaims_orphans_and_unreferenced_blobs_only(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    kept = put(core, user, user.root_id, "kept.bin", os.urandom(1000))
    # An upload that crashed after its bytes reached S3 but before its metadata commit:
    core.blobs.put_bytes("blobs/zz/crashed-upload", b"half a file")
    # A blob whose last reference went away:
    with core.db.write() as s:
        s.add(Blob(sha256="f" * 64, size=5, s3_key="blobs/zz/dead", refcount=0))
    core.blobs.put_bytes("blobs/zz/dead", b"12345")
    grace0 = Core(core.settings.model_copy(update={"gc_grace_seconds": -60}), core.db, core.blobs, core.broker)
    # The hourly job reclaims the dead blob and leaves the bucket-wide search for orphans to the daily sweep.
    hourly = collect_garbage(grace0, orphans=False)
    assert hourly.blobs_deleted >= 1 and hourly.orphans_deleted == 0
    assert {o.key for o in core.blobs.objects("blobs/zz/")} == {"blobs/zz/crashed-upload"}
    report = collect_garbage(grace0)
    assert report.orphans_deleted >= 1
    remaining = {o.key for o in core.blobs.objects("blobs/zz/")}
    assert "blobs/zz/crashed-upload" not in remaining and "blobs/zz/dead" not in remaining
    assert read_all(core, user, kept.id)  # live data untouched
    # A fresh orphan inside the grace period is left alone (it may be an upload in flight).
    core.blobs.put_bytes("blobs/zz/in-flight", b"...")
    collect_garbage(
        Core(
            core.settings.model_copy(update={"gc_grace_seconds": int(timedelta(hours=1).total_seconds())}),
            core.db,
            core.blobs,
            core.broker,
        )
    )
    assert "blobs/zz/in-flight" in {o.key for o in core.blobs.objects("blobs/zz/")}
    with core.db.read() as s:
        assert s.exec(select(Node).where(Node.id == kept.id)).one()
