"""What the virtualized file list and "select all N in this folder" need from the services: a page at
any offset with the folder's size, the whole folder less some items for a bulk action, and bulk trash
and restore in few transactions — on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from pcs_app.services import tree
from pcs_app.services.core import Core
from pcs_app.services.errors import InvalidInput, NotFound


def folder_of(core: Core, user, name: str, n: int) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    f = tree.create_folder(core, user, user.root_id, name)
    for i in range(n):
        tree.create_folder(core, user, f.id, f"item {i:03d}")
    names = [x.name for x in tree.list_children(core, user, f.id, limit=1000).items]
    return f.id, names


def test_a_window_at_any_offset_matches_the_paged_listing(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    fid, names = folder_of(core, user, "win", 23)
    total, first = tree.list_window(core, user, fid, offset=0, limit=10)
    assert total == 23 and [n.name for n in first] == names[:10]
    total, last = tree.list_window(core, user, fid, offset=20, limit=10)
    assert [n.name for n in last] == names[20:]
    _total, past = tree.list_window(core, user, fid, offset=500, limit=10)
    assert past == []
    _total, desc = tree.list_window(core, user, fid, sort="name", desc=True, offset=0, limit=3)
    assert [n.name for n in desc] == sorted(names, reverse=True)[:3]
    assert tree.count_children(core, user, fid) == 23
    with pytest.raises(InvalidInput):
        tree.list_window(core, user, fid, offset=-1, limit=10)


def test_folders_come_before_files_across_the_window_edge(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    from pcs_app.services import content

    fid, _ = folder_of(core, user, "mixed", 3)
    for name in ("a.txt", "b.txt"):
        content.upload(core, user, fid, name, [b"x"])
    _total, rows = tree.list_window(core, user, fid, offset=2, limit=2)
    assert [n.name for n in rows] == ["item 002", "a.txt"]


def test_whole_folder_trash_leaves_out_the_excluded_and_undo_restores(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    fid, names = folder_of(core, user, "all", 30)
    keep = tree.list_window(core, user, fid, offset=5, limit=1)[1][0]
    seen: list[tuple[int, int]] = []
    result = tree.apply_folder(core, user, "trash", fid, [keep.id], on_progress=lambda a, b: seen.append((a, b)))
    assert len(result.done) == 29 and not result.failed
    assert seen[-1] == (29, 29)
    assert [n.name for n in tree.list_children(core, user, fid).items] == [keep.name]
    back = tree.apply(core, user, "restore", [o.id for o in result.done])
    assert len(back.done) == 29
    assert sorted(n.name for n in tree.list_children(core, user, fid).items) == sorted(names)


def test_bulk_trash_reports_each_item(core: Core, user, other_user) -> None:  # type: ignore[no-untyped-def]
    fid, _ = folder_of(core, user, "each", 2)
    ids = [n.id for n in tree.list_children(core, user, fid).items]
    theirs = tree.create_folder(core, other_user, other_user.root_id, "theirs")
    result = tree.apply(core, user, "trash", [ids[0], theirs.id, ids[1]])
    assert [o.status for o in result.outcomes] == ["done", "failed", "done"]
    assert isinstance(result.outcomes[1].error, NotFound)
    again = tree.apply(core, user, "trash", [ids[0]])
    assert again.outcomes[0].status == "failed"


def test_whole_folder_actions_are_limited_to_move_copy_trash(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    fid, _ = folder_of(core, user, "ops", 1)
    with pytest.raises(InvalidInput):
        tree.apply_folder(core, user, "delete", fid)


def test_whole_folder_move_needs_a_destination(core: Core, user) -> None:  # type: ignore[no-untyped-def]
    fid, _ = folder_of(core, user, "dest", 0)
    with pytest.raises(InvalidInput):
        tree.apply_folder(core, user, "move", fid)
