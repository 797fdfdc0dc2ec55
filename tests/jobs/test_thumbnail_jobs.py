"""Thumbnails made on upload through the real queue (huey on SQLite) and worker threads, stored in
SeaweedFS, recorded on SQLite and on PostgreSQL; hostile uploads stay intact and get none."""

from __future__ import annotations

import io
import logging
import secrets

import pytest
from PIL import Image
from sqlalchemy import delete, update
from sqlmodel import col, select

from backend_jobs import run_job
from pcs_app.adapters.queue import RunningWorkers
from pcs_app.models import Blob, Change, Node, Thumbnail, Version
from pcs_app.services import accounts, content, tree
from pcs_app.services import thumbnails as thumbs
from pcs_app.services.core import Core
from pcs_app.services.errors import InvalidInput, NotFound
from tests.conftest import wait_until
from tests.jobs import conftest as media


def upload(core: Core, user, name: str, data: bytes, parent: str | None = None) -> Node:  # type: ignore[no-untyped-def]
    return content.upload(core, user, parent or user.root_id, name, [data])


def thumbnail_kinds(core: Core, user) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with core.db.read() as s:
        rows = s.exec(select(Change).where(Change.user_id == user.id, Change.kind == thumbs.CHANGE_KIND)).all()
    return [(c.node_id, c.kind) for c in rows]


def settled(core: Core, sha: str) -> Thumbnail | None:
    row = None

    def done() -> bool:
        nonlocal row
        row = thumbs.state(core, sha)
        return row is not None

    assert wait_until(done, timeout=30), f"no thumbnail state for {sha}"
    return row


def test_upload_makes_both_thumbnails_through_the_queue(core: Core, user, workers: RunningWorkers) -> None:  # type: ignore[no-untyped-def]
    node = upload(core, user, "photo.jpg", media.jpeg((2000, 1500)))
    row = settled(core, node.sha256)
    assert row is not None and row.status == thumbs.READY and row.sizes == "256,1024"
    assert (row.width, row.height) == (2000, 1500)
    for size, expected in ((256, (256, 192)), (1024, (1024, 768))):
        ref = thumbs.find(core, user, node.id, size)
        assert ref.key == f"thumbs/{node.sha256}/{size}.webp"
        im = Image.open(io.BytesIO(thumbs.read(core, ref)))
        assert (im.format, im.size) == ("WEBP", expected)
    assert thumbnail_kinds(core, user) == [(node.id, "thumbnail")]


def test_every_live_file_showing_the_content_is_told(core: Core, user, other_user) -> None:  # type: ignore[no-untyped-def]
    data = media.jpeg((500, 400), color=f"#{secrets.token_hex(3)}")
    a = upload(core, user, "a.jpg", data)
    folder = tree.create_folder(core, user, user.root_id, "copies")
    b = upload(core, user, "b.jpg", data, folder.id)
    c = upload(core, other_user, "theirs.jpg", data)  # same content, another account: same blob
    trashed = upload(core, user, "gone.jpg", data)
    tree.trash(core, user, trashed.id)
    assert run_job(core, thumbs.JOB, a.sha256).startswith("ready")
    assert sorted(thumbnail_kinds(core, user)) == sorted([(a.id, "thumbnail"), (b.id, "thumbnail")])
    assert thumbnail_kinds(core, other_user) == [(c.id, "thumbnail")]


def test_running_the_job_again_changes_nothing(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    node = upload(core, user, "again.png", media.encode(Image.new("RGB", (300, 300), "teal"), "PNG"))
    assert run_job(core, thumbs.JOB, node.sha256) == "ready:1"
    assert run_job(core, thumbs.JOB, node.sha256) == "done"
    assert len(thumbnail_kinds(core, user)) == 1


def test_a_new_version_gets_its_own_thumbnail(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    first = upload(core, user, "v.jpg", media.jpeg((400, 300), color="red"))
    run_job(core, thumbs.JOB, first.sha256)
    second = upload(core, user, "v.jpg", media.jpeg((400, 300), color="yellow"))
    assert second.id == first.id and second.sha256 != first.sha256
    with pytest.raises(NotFound) as e:
        thumbs.find(core, user, second.id, 256)
    assert e.value.code == "no_thumbnail" and e.value.details["state"] == "pending"
    run_job(core, thumbs.JOB, second.sha256)
    assert thumbs.find(core, user, second.id, 256).sha256 == second.sha256


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.jpg", b"", "empty"),
        ("truncated.jpg", media.jpeg((900, 700))[:4000], "corrupt"),
        ("notes.jpg", b"not a picture at all\n" * 50, "unrecognized"),
        ("huge.png", media.png_header_only(), "too_many_pixels"),
        ("broken.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 4, "corrupt"),
    ],
)
def test_hostile_uploads_stay_intact_and_get_no_thumbnail(
    core: Core, user, name: str, data: bytes, reason: str
) -> None:  # type: ignore[no-untyped-def]
    node = upload(core, user, name, data)
    assert run_job(core, thumbs.JOB, node.sha256) == f"none:{reason}"
    assert thumbs.state(core, node.sha256).reason == reason  # type: ignore[union-attr]
    with pytest.raises(NotFound) as e:
        thumbs.find(core, user, node.id, 256)
    assert e.value.code == "no_thumbnail" and e.value.details["state"] == "unavailable"
    assert b"".join(content.read_range(core, content.open_download(core, user, node.id), 0, len(data) - 1)) == data
    assert not list(core.blobs.objects(f"thumbs/{node.sha256}/"))


def test_decompression_bomb_upload_leaves_the_worker_serving(core: Core, user, bomb_png, workers) -> None:  # type: ignore[no-untyped-def]
    bomb = upload(core, user, "bomb.png", bomb_png.read_bytes())
    after = upload(core, user, "after.jpg", media.jpeg((640, 480), color="orange"))
    assert settled(core, bomb.sha256).reason == "too_many_pixels"  # type: ignore[union-attr]
    assert settled(core, after.sha256).status == thumbs.READY  # type: ignore[union-attr]


def test_a_png_named_jpg_is_drawn_by_its_bytes(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    node = upload(core, user, "really-a.png.jpg", media.encode(Image.new("RGB", (300, 200), "navy"), "PNG"))
    assert run_job(core, thumbs.JOB, node.sha256) == "ready:1"


def test_files_of_other_types_are_not_queued_and_never_get_one(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    before = core.jobs.pending_count(thumbs.JOB)
    node = upload(core, user, "notes.txt", b"plain text " + secrets.token_bytes(8).hex().encode())
    assert core.jobs.pending_count(thumbs.JOB) == before  # (its search indexing is queued, no thumbnail)
    with pytest.raises(NotFound) as e:
        thumbs.find(core, user, node.id, 256)
    assert e.value.details["state"] == "unavailable"
    with pytest.raises(NotFound) as e:
        thumbs.find(core, user, user.root_id, 256)  # a folder
    assert e.value.code == "no_thumbnail"


def test_only_readers_see_a_thumbnail_and_only_two_sizes_exist(core: Core, user, other_user) -> None:  # type: ignore[no-untyped-def]
    node = upload(core, user, "mine.jpg", media.jpeg((300, 300), color="pink"))
    run_job(core, thumbs.JOB, node.sha256)
    with pytest.raises(NotFound) as e:
        thumbs.find(core, other_user, node.id, 256)
    assert e.value.code == "not_found"
    with pytest.raises(InvalidInput):
        thumbs.find(core, user, node.id, 512)


def test_enqueue_failure_never_fails_the_upload_and_backfill_finds_it(  # type: ignore[no-untyped-def]
    core: Core, user, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_a: object) -> None:
        raise ConnectionError("queue is down")

    monkeypatch.setattr(core.jobs, "enqueue", broken)
    with caplog.at_level(logging.ERROR):
        node = upload(core, user, "while-down.jpg", media.jpeg((320, 240), color="olive"))
    assert "could not queue thumbnails" in caplog.text
    monkeypatch.undo()
    assert node.sha256 in thumbs.missing(core, limit=10_000, older_than_seconds=0)
    queued = []
    monkeypatch.setattr(core.jobs, "enqueue", lambda name, *args: queued.append((name, *args)))
    run_job(core, "thumbnails_backfill", 10_000, 0)
    assert (thumbs.JOB, node.sha256) in queued


def test_garbage_collection_removes_thumbnails_of_content_no_longer_stored(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    node = upload(core, user, "doomed.jpg", media.jpeg((300, 300), color="maroon"))
    run_job(core, thumbs.JOB, node.sha256)
    assert len(list(core.blobs.objects(f"thumbs/{node.sha256}/"))) == 2
    # Nothing purges files yet: do by hand what purging the trash will (versions, node, last reference).
    with core.db.write() as s:
        s.exec(delete(Version).where(col(Version.node_id) == node.id))  # type: ignore[call-overload]
        s.exec(delete(Node).where(col(Node.id) == node.id))  # type: ignore[call-overload]
        s.exec(update(Blob).where(col(Blob.sha256) == node.sha256).values(refcount=0))  # type: ignore[call-overload]
    report = run_job(core, "collect_garbage")
    assert report["blobs_deleted"] >= 1 and report["thumbnail_rows_deleted"] >= 1
    assert not list(core.blobs.objects(f"thumbs/{node.sha256}/"))
    with core.db.read() as s:
        assert s.get(Thumbnail, node.sha256) is None


def test_a_thumbnail_lost_from_storage_is_made_again(core: Core, user, workers) -> None:  # type: ignore[no-untyped-def]
    node = upload(core, user, "lost.jpg", media.jpeg((300, 300), color="gold"))
    settled(core, node.sha256)
    core.blobs.delete_many([thumbs.thumb_key(node.sha256, s) for s in thumbs.SIZES])
    ref = thumbs.find(core, user, node.id, 256)
    with pytest.raises(NotFound) as e:
        thumbs.read(core, ref)
    assert e.value.details["state"] == "pending"
    assert wait_until(lambda: len(list(core.blobs.objects(f"thumbs/{node.sha256}/"))) == 2, timeout=30)


def test_other_users_feed_positions_are_not_disturbed(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    # The thumbnail change takes the next sequence number of the owner's feed, after the upload's.
    node = upload(core, user, "seq.jpg", media.jpeg((300, 300), color="lime"))
    run_job(core, thumbs.JOB, node.sha256)
    with core.db.read() as s:
        kinds = [c.kind for c in s.exec(select(Change).where(Change.user_id == user.id).order_by(col(Change.seq)))]
    assert kinds[-2:] == ["created", "thumbnail"]
    assert accounts.get_user(core, user.id).change_seq == len(kinds)  # type: ignore[arg-type]
