"""Search in the services, on SQLite and PostgreSQL with the FTS5 index: what is indexed when (the change
feed, run here by calling the job), and that a result is only ever something its user may read now —
also before the index has heard of a trash, a revoke or a deletion, and never through the names of an
owner's folders above what is shared."""

from __future__ import annotations

import secrets

import pytest

from backend_jobs.search import search_sweep, search_sync
from pcs_app.adapters.search import SearchQuery
from pcs_app.models import Node, SearchCursor, User
from pcs_app.services import accounts, content, search, sharing, tree
from pcs_app.services.core import Core
from pcs_app.services.errors import InvalidInput, NotFound
from pcs_app.services.search import indexing
from tests.conftest import PASSWORD


def account(core: Core) -> User:
    return accounts.create_user(core, f"q{secrets.token_hex(5)}@example.com", PASSWORD)


def word() -> str:
    """A word no other test uses (letters only, so it stays one word)."""
    return "zq" + "".join(secrets.choice("bcdfghjklmnpqrstvwx") for _ in range(8))


def names(core: Core, user: User, text: str, **kw: object) -> list[str]:
    return [h.node.name for h in search.search(core, user, text, **kw).items]


def sync(core: Core, *users: User) -> None:
    for u in users:
        search_sync(core, u.id)


def test_a_new_file_is_found_by_words_of_its_name_once_indexed(core: Core, user: User) -> None:
    w = word()
    f = content.upload(core, user, user.root_id, f"Quarterly{w.title()}Report-final.pdf", [b"%PDF-"])
    assert names(core, user, w) == []  # the job has not run
    sync(core, user)
    hits = search.search(core, user, w).items
    assert [h.node.id for h in hits] == [f.id]
    assert hits[0].path == "/" and hits[0].folder_id == user.root_id and not hits[0].shared
    assert "<mark>" in hits[0].snippet
    assert names(core, user, w[:5]) == [f.name]  # as you type: a prefix


def test_rename_and_move_reindex_the_item_and_everything_below_a_folder(core: Core, user: User) -> None:
    old, new, inner = word(), word(), word()
    top = tree.create_folder(core, user, user.root_id, f"{old} stuff")
    sub = tree.create_folder(core, user, top.id, "sub")
    f = content.upload(core, user, sub.id, f"{inner}.txt", [b"x"])
    other = tree.create_folder(core, user, user.root_id, "Elsewhere")
    sync(core, user)
    assert [h.path for h in search.search(core, user, inner).items] == [f"/{old} stuff/sub"]
    tree.rename(core, user, top.id, f"{new} stuff")
    tree.move(core, user, sub.id, other.id)
    sync(core, user)
    hits = search.search(core, user, inner).items
    assert [(h.node.id, h.path, h.folder_id) for h in hits] == [(f.id, "/Elsewhere/sub", sub.id)]
    assert names(core, user, old) == []
    assert names(core, user, new) == [f"{new} stuff"]
    assert names(core, user, inner, folder_id=other.id) == [f.name]
    assert names(core, user, inner, folder_id=top.id) == []


def test_trash_hides_at_once_and_restore_and_delete_for_good_follow(core: Core, user: User) -> None:
    w = word()
    folder = tree.create_folder(core, user, user.root_id, f"box {w}")
    f = content.upload(core, user, folder.id, f"{w}.txt", [b"x"])
    sync(core, user)
    assert sorted(names(core, user, w)) == sorted([folder.name, f.name])
    tree.trash(core, user, folder.id)
    assert names(core, user, w) == []  # before the index hears of it: the gate drops it
    sync(core, user)
    assert core.search.search(search_query(core, user, w)).hits == []  # and then the index lets it go
    tree.restore(core, user, folder.id)
    sync(core, user)
    assert sorted(names(core, user, w)) == sorted([folder.name, f.name])
    tree.trash(core, user, folder.id)
    tree.delete_forever(core, user, folder.id)
    sync(core, user)
    assert core.search.search(search_query(core, user, w)).hits == []


def search_query(core: Core, user: User, text: str) -> SearchQuery:
    with core.db.read() as s:
        roots = search.shared_roots(s, user)
    return SearchQuery(text, user.id or 0, roots)


def test_a_copied_folder_is_found_under_its_new_path(core: Core, user: User) -> None:
    w = word()
    src = tree.create_folder(core, user, user.root_id, "Source")
    content.upload(core, user, src.id, f"{w}.md", [b"x"])
    dest = tree.create_folder(core, user, user.root_id, "Dest")
    tree.copy(core, user, src.id, dest.id)
    sync(core, user)
    assert sorted(h.path for h in search.search(core, user, w).items) == ["/Dest/Source", "/Source"]


def test_shared_items_are_found_by_their_recipient_until_the_share_ends(core: Core, user: User) -> None:
    friend, stranger = account(core), account(core)
    w = word()
    secret = tree.create_folder(core, user, user.root_id, "Private")
    team = tree.create_folder(core, user, secret.id, "Team")
    f = content.upload(core, user, team.id, f"{w} plan.txt", [b"x"])
    mine = content.upload(core, friend, friend.root_id, f"{w} mine.txt", [b"y"])
    sync(core, user, friend)
    assert names(core, friend, w) == [mine.name]
    grant = sharing.share(core, user, team.id, friend.email, "viewer").grant
    sync(core, user)  # nothing to index: sharing is decided at search time
    hits = {h.node.id: h for h in search.search(core, friend, w).items}
    assert set(hits) == {f.id, mine.id}
    assert (hits[f.id].path, hits[f.id].folder_id, hits[f.id].shared) == ("/Team", team.id, True)
    assert names(core, stranger, w) == []
    team_hit = search.search(core, friend, "Team").items
    assert [(h.node.id, h.path, h.folder_id) for h in team_hit if h.node.id == team.id] == [(team.id, "", None)]
    sharing.remove(core, user, grant.id)
    assert names(core, friend, w) == [mine.name]  # at once, nothing reindexed


def test_the_owners_folders_above_a_share_find_nothing_for_the_recipient(core: Core, user: User) -> None:
    friend = account(core)
    hidden, seen = word(), word()
    top = tree.create_folder(core, user, user.root_id, f"{hidden} Secret")
    shared = tree.create_folder(core, user, top.id, f"{seen} Team")
    f = content.upload(core, user, shared.id, "notes.txt", [b"x"])
    sharing.share(core, user, shared.id, friend.email, "editor")
    sync(core, user)
    assert f.name in names(core, user, hidden)  # the owner sees the whole path
    assert names(core, friend, hidden) == []
    assert names(core, friend, f"{hidden} notes") == []
    assert f.name in names(core, friend, f"{seen} notes")


def test_text_inside_files_is_found_with_the_words_marked(core: Core, user: User) -> None:
    w = word()
    body = f"Minutes of the meeting. We agreed on the {w} budget for next year & beyond <script>.".encode()
    f = content.upload(core, user, user.root_id, "minutes.md", [body])
    img = content.upload(core, user, user.root_id, f"{w}.png", [b"\x89PNG\r\n\x1a\n" + b"0" * 100])
    sync(core, user)
    hits = {h.node.id: h for h in search.search(core, user, f"{w} budget").items}
    assert f.id in hits
    assert f"<mark>{w}</mark> <mark>budget</mark>" in hits[f.id].snippet
    assert "<script>" not in hits[f.id].snippet and "&amp;" in hits[f.id].snippet
    assert hits[f.id].content == search.ContentNote("indexed")
    hit = next(h for h in search.search(core, user, w).items if h.node.id == img.id)
    assert hit.content == search.ContentNote("none")


@pytest.mark.core_settings(extract_max_chars=50)
def test_what_was_not_read_is_said(own_core: Core) -> None:
    user = account(own_core)
    w, late = word(), word()
    long = content.upload(
        own_core, user, user.root_id, "long.txt", [f"{w} ".encode() + b"filler " * 100 + late.encode()]
    )
    broken = content.upload(own_core, user, user.root_id, f"{w}.pdf", [b"%PDF-1.4 not really a pdf"])
    sync(own_core, user)
    notes = {h.node.id: h.content for h in search.search(own_core, user, w).items}
    assert notes[long.id] == search.ContentNote("partial", "max_chars")
    assert notes[broken.id] == search.ContentNote("skipped", "corrupt")
    assert names(own_core, user, late) == []  # past the cap: not searched


def test_a_new_version_is_searched_by_its_new_text(core: Core, user: User) -> None:
    one, two = word(), word()
    f = content.upload(core, user, user.root_id, "doc.txt", [one.encode()])
    sync(core, user)
    assert names(core, user, one) == ["doc.txt"]
    content.upload(core, user, user.root_id, "doc.txt", [two.encode()])
    sync(core, user)
    assert names(core, user, one) == [] and [h.node.id for h in search.search(core, user, two).items] == [f.id]


@pytest.mark.parametrize(
    "text",
    ['"', '"unbalanced', "*", "**", "NEAR", "AND", "a OR", "NOT", "(", ")", "((x", "-", "-x", ":", "x:y", "🙂",
     "🙂🙂 🙂", "\x00", "a\x00b", "' OR 1=1 --", "NEAR(a b)", "^", "{name}: x", "\\", "%", "_"],
)  # fmt: skip
def test_hostile_text_is_only_ever_text(core: Core, user: User, text: str) -> None:
    assert isinstance(search.search(core, user, text).items, list)


def test_bad_input_is_a_clear_error(core: Core, user: User, other_user: User) -> None:
    with pytest.raises(InvalidInput, match="too long"):
        search.search(core, user, "x" * 10_000)
    with pytest.raises(InvalidInput):
        search.search(core, user, "")
    with pytest.raises(InvalidInput):
        search.search(core, user, "x", types=["nonsense"])
    with pytest.raises(InvalidInput):
        search.search(core, user, "x", min_size=10, max_size=5)
    with pytest.raises(InvalidInput):
        search.search(core, user, "x", limit=0)
    with pytest.raises(InvalidInput, match="cursor"):
        search.search(core, user, "x", cursor="bm90IG91cnM")
    with pytest.raises(NotFound):
        search.search(core, user, "x", folder_id=other_user.root_id)


def test_pages_cover_every_hit_once(core: Core, user: User) -> None:
    w = word()
    ids = {content.upload(core, user, user.root_id, f"{w} {i}.txt", [b"x"]).id for i in range(7)}
    sync(core, user)
    seen: list[str] = []
    cursor = None
    while True:
        page = search.search(core, user, w, limit=3, cursor=cursor)
        seen += [h.node.id for h in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(ids)


def test_filters_alone_list_by_recency(core: Core, user: User) -> None:
    folder = tree.create_folder(core, user, user.root_id, "Pics")
    a = content.upload(core, user, folder.id, "a.jpg", [b"\xff\xd8\xff" + b"1" * 50])
    content.upload(core, user, folder.id, "b.txt", [b"2"])
    sync(core, user)
    assert [h.node.id for h in search.search(core, user, "", types=["image"], folder_id=folder.id).items] == [a.id]


def test_writes_queue_the_job_and_the_sweep_and_rebuild_catch_up(own_core: Core) -> None:
    user = account(own_core)
    w = word()
    before = own_core.jobs.pending_count()
    f = content.upload(own_core, user, user.root_id, f"{w}.txt", [b"x"])
    assert own_core.jobs.pending_count() == before + 1  # search_sync for the owner, after commit
    assert indexing.owners_behind(own_core) == [user.id]
    indexing.set_cursor(own_core, 10**9, 5)  # an account deleted since
    search_sweep(own_core)
    assert indexing.cursor_of(own_core, 10**9) == 0  # its cursor is gone
    assert indexing.owners_behind(own_core) == []
    assert names(own_core, user, w) == [f.name]
    report = indexing.rebuild(own_core)
    assert report.upserted == 1 and names(own_core, user, w) == [f.name]
    with own_core.db.read() as s:
        cur = s.get(SearchCursor, user.id)
        node = s.get(Node, f.id)
    assert cur is not None and cur.seq == user_seq(own_core, user) and node is not None
    later = content.upload(own_core, user, user.root_id, f"{w} later.txt", [b"y"])
    assert search_sweep(own_core)["accounts"] == 1  # the index is not empty: the sweep follows the feed
    assert sorted(names(own_core, user, w)) == sorted([f.name, later.name])


def user_seq(core: Core, user: User) -> int:
    return accounts.get_user(core, user.id).change_seq
