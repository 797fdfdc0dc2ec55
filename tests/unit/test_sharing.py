"""Sharing in the services: links (token, password, expiry, limit, drop, revocation) and grants to
other accounts (roles, limits of what a recipient may do, change feeds of everyone involved).

Time-dependent states are reached by moving the link's dates, never by sleeping."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from pcs_app.models import Node, ShareLink, User, utcnow
from pcs_app.services import accounts, changes, content, sharing, tree
from pcs_app.services.access import LinkVisitor
from pcs_app.services.core import Core
from pcs_app.services.errors import (
    Conflict,
    Forbidden,
    Gone,
    InvalidInput,
    NotFound,
    PasswordRequired,
    Throttled,
    Unauthorized,
)
from pcs_app.services.sharing import public
from tests.conftest import PASSWORD


def account(core: Core) -> User:
    return accounts.create_user(core, f"s{secrets.token_hex(5)}@example.com", PASSWORD)


def folder_with_files(core: Core, user: User) -> tuple[Node, Node, Node]:
    top = tree.create_folder(core, user, user.root_id, "Trip")
    sub = tree.create_folder(core, user, top.id, "day1")
    f = content.upload(core, user, sub.id, "photo.txt", [b"photo bytes"])
    return top, sub, f


def set_link(core: Core, link_id: str, **values: object) -> None:
    with core.db.write() as s:
        row = s.get(ShareLink, link_id)
        assert row is not None
        for k, v in values.items():
            setattr(row, k, v)
        s.add(row)


# -- links -------------------------------------------------------------------------------------


def test_a_link_token_is_stable_and_unguessable_and_stored_only_as_a_hash(core: Core, user: User) -> None:
    top, _sub, _f = folder_with_files(core, user)
    made = sharing.create_link(core, user, top.id)
    assert len(made.token) == 43 and made.url.endswith("/s/" + made.token)
    again = sharing.links_of(core, user, top.id)
    assert [v.token for v in again] == [made.token]  # the owner can copy it again
    with core.db.read() as s:
        row = s.get(ShareLink, made.link.id)
    assert row is not None and made.token not in (row.token_hash, row.salt)
    assert public.item(core, public.visitor(core, made.token)).id == top.id
    with pytest.raises(NotFound):
        public.visitor(core, "A" * 43)
    with pytest.raises(NotFound):
        public.visitor(core, "not a token")


def test_expired_revoked_and_used_up_links_are_all_just_gone(core: Core, user: User) -> None:
    _top, _sub, f = folder_with_files(core, user)
    expiring = sharing.create_link(core, user, f.id, expires_at=utcnow() + timedelta(hours=1))
    set_link(core, expiring.link.id, expires_at=utcnow() - timedelta(seconds=1))
    revoked = sharing.create_link(core, user, f.id)
    sharing.revoke_link(core, user, revoked.link.id)
    limited = sharing.create_link(core, user, f.id, max_downloads=2)
    guest = public.visitor(core, limited.token)
    public.download(core, guest)
    public.download(core, guest, counts=False)  # a resumed (Range) download is not a new one
    public.download(core, guest)  # the one that reaches the limit succeeds
    for token in (expiring.token, revoked.token, limited.token):
        with pytest.raises(Gone) as err:
            public.visitor(core, token)
        assert err.value.message == "This link is no longer available."
    assert sharing.links_of(core, user, f.id)[0].link.downloads == 2


def test_a_password_link_needs_unlocking_and_guessing_is_throttled(core: Core, user: User) -> None:
    _top, _sub, f = folder_with_files(core, user)
    made = sharing.create_link(core, user, f.id, password="open sesame!")
    with pytest.raises(PasswordRequired):
        public.visitor(core, made.token)
    with pytest.raises(Unauthorized):
        public.unlock(core, made.token, "wrong guess!", "10.0.0.9")
    ok = public.unlock(core, made.token, "open sesame!", "10.0.0.9")
    assert public.visitor(core, made.token, ok.access_token).link.id == made.link.id
    with pytest.raises(PasswordRequired):
        public.visitor(core, made.token, ok.access_token[:-2] + "xx")
    # Changing the password ends unlocks made with the old one.
    sharing.update_link(core, user, made.link.id, password="a new secret")
    with pytest.raises(PasswordRequired):
        public.visitor(core, made.token, ok.access_token)
    for _ in range(core.settings.login_free_failures + 1):
        with pytest.raises(Unauthorized):
            public.unlock(core, made.token, "guess guess", "10.0.0.10")
    with pytest.raises(Throttled):
        public.unlock(core, made.token, "a new secret", "10.0.0.10")
    assert public.unlock(core, made.token, "a new secret", "10.0.0.11").access_token  # another address


def test_a_folder_link_shows_what_is_below_and_nothing_above(core: Core, user: User) -> None:
    top, sub, f = folder_with_files(core, user)
    outside = content.upload(core, user, user.root_id, "secret.txt", [b"no"])
    guest = public.visitor(core, sharing.create_link(core, user, sub.id).token)
    assert [n.name for n in public.children(core, guest).items] == ["photo.txt"]
    assert b"".join(content.read_range(core, public.download(core, guest, f.id), 0, 10)) == b"photo bytes"
    assert [n.name for n in public.path(core, guest, f.id)] == ["day1", "photo.txt"]
    for other in (top.id, outside.id, user.root_id):
        with pytest.raises(NotFound):
            public.download(core, guest, other)
        with pytest.raises(NotFound):
            public.children(core, guest, other)
    with pytest.raises(Forbidden):
        public.drop(core, guest, "sneaky.txt", [b"x"])  # a plain link cannot add files


def test_a_file_drop_takes_files_and_shows_nothing(core: Core, user: User) -> None:
    top, _sub, _f = folder_with_files(core, user)
    content.upload(core, user, top.id, "report.pdf", [b"%PDF-1.4 mine"])
    made = sharing.create_link(core, user, top.id, upload_only=True)
    guest = public.visitor(core, made.token)
    public.drop(core, guest, "report.pdf", [b"theirs"])
    names = sorted(n.name for n in tree.list_children(core, user, top.id).items)
    assert names == ["day1", "report (1).pdf", "report.pdf"]  # nothing was overwritten
    with pytest.raises(Forbidden):
        public.children(core, guest)
    with pytest.raises(Forbidden):
        public.download(core, guest, None)
    with pytest.raises(Conflict):
        sharing.create_link(core, user, _f.id, upload_only=True)  # a drop needs a folder


def test_link_options_are_checked(core: Core, user: User, other_user: User) -> None:
    _top, _sub, f = folder_with_files(core, user)
    for bad in (
        {"expires_at": utcnow() - timedelta(minutes=1)},
        {"max_downloads": 0},
        {"password": "x"},
    ):
        with pytest.raises(InvalidInput):
            sharing.create_link(core, user, f.id, **bad)
    with pytest.raises(NotFound):
        sharing.create_link(core, other_user, f.id)
    made = sharing.create_link(core, user, f.id)
    with pytest.raises(NotFound):
        sharing.revoke_link(core, other_user, made.link.id)


# -- grants ------------------------------------------------------------------------------------


@pytest.fixture
def trio(core: Core) -> tuple[User, User, User, User]:
    return account(core), account(core), account(core), account(core)


def test_viewers_read_editors_write_strangers_see_nothing(core: Core, trio: tuple[User, ...]) -> None:
    owner, viewer, editor, stranger = trio
    top, sub, f = folder_with_files(core, owner)
    sharing.share(core, owner, top.id, viewer.email, "viewer")
    sharing.share(core, owner, top.id, editor.email, "editor")
    assert [n.name for n in tree.list_children(core, viewer, sub.id).items] == ["photo.txt"]
    assert [n.name for n in tree.ancestors(core, viewer, f.id)] == ["Trip", "day1", "photo.txt"]  # not above
    with pytest.raises(Forbidden):
        content.upload(core, viewer, sub.id, "x.txt", [b"x"])
    with pytest.raises(Forbidden):
        tree.trash(core, viewer, f.id)
    with pytest.raises(NotFound):
        tree.get_node(core, stranger, f.id)
    new = content.upload(core, editor, sub.id, "from-editor.txt", [b"12345"])
    assert accounts.get_user(core, owner.id).used_bytes == len(b"photo bytes") + 5  # the owner's storage
    assert accounts.get_user(core, editor.id).used_bytes == 0
    tree.rename(core, editor, new.id, "renamed.txt")
    tree.move(core, editor, new.id, top.id)
    tree.trash(core, editor, new.id)
    # A viewer copies into their own files, charged to them.
    copied = tree.copy(core, viewer, f.id, viewer.root_id)
    assert copied.owner_id == viewer.id and accounts.get_user(core, viewer.id).used_bytes == len(b"photo bytes")


def test_nobody_but_the_owner_shares_on_or_moves_the_shared_folder_out(core: Core, trio: tuple[User, ...]) -> None:
    owner, editor, third, _ = trio
    top, sub, f = folder_with_files(core, owner)
    other = tree.create_folder(core, owner, owner.root_id, "Other")
    sharing.share(core, owner, top.id, editor.email, "editor")
    sharing.share(core, owner, other.id, editor.email, "editor")
    with pytest.raises(Forbidden):
        sharing.share(core, editor, sub.id, third.email, "viewer")
    with pytest.raises(Forbidden):
        sharing.create_link(core, editor, sub.id)
    with pytest.raises(Forbidden):
        tree.move(core, editor, top.id, other.id)  # the shared folder itself
    with pytest.raises(Forbidden):
        tree.trash(core, editor, top.id)
    with pytest.raises(Forbidden):
        tree.move(core, editor, f.id, other.id)  # out of the tree it is shared through
    with pytest.raises(Forbidden):
        tree.move(core, editor, f.id, editor.root_id)
    tree.move(core, editor, f.id, top.id)  # within it is fine


def test_ending_a_share_owner_or_recipient(core: Core, trio: tuple[User, ...]) -> None:
    owner, viewer, stranger, _ = trio
    top, _sub, _f = folder_with_files(core, owner)
    g = sharing.share(core, owner, top.id, viewer.email, "viewer")
    assert [v.node.id for v in sharing.shared_with(core, viewer)] == [top.id]
    with pytest.raises(NotFound):
        sharing.remove(core, stranger, g.grant.id)
    sharing.change_role(core, owner, g.grant.id, "editor")
    assert sharing.grants_on(core, owner, top.id)[0].grant.role == "editor"
    sharing.remove(core, viewer, g.grant.id)  # leaving
    assert sharing.shared_with(core, viewer) == []
    with pytest.raises(NotFound):
        tree.get_node(core, viewer, top.id)


def test_every_participant_hears_of_changes_inside_what_they_share(core: Core, trio: tuple[User, ...]) -> None:
    owner, editor, viewer, _ = trio
    top, sub, _f = folder_with_files(core, owner)
    outside = tree.create_folder(core, owner, owner.root_id, "Private")
    start = {u.id: changes.current_cursor(core, u) for u in (owner, editor, viewer)}
    sharing.share(core, owner, top.id, editor.email, "editor")
    sharing.share(core, owner, sub.id, viewer.email, "viewer")
    content.upload(core, editor, sub.id, "new.txt", [b"n"])
    tree.create_folder(core, owner, outside.id, "not shared")
    tree.create_folder(core, owner, top.id, "top level")  # inside top, outside sub
    feeds = {u.id: changes.changes_since(core, u, start[u.id]).changes for u in (owner, editor, viewer)}
    assert [(c.kind, c.name) for c in feeds[editor.id]] == [
        ("shared", "Trip"),
        ("created", "new.txt"),
        ("created", "top level"),
    ]
    assert [(c.kind, c.name) for c in feeds[viewer.id]] == [("shared", "day1"), ("created", "new.txt")]
    assert len(feeds[owner.id]) == 5
    for feed in feeds.values():  # each feed stays gapless
        seqs = [c.seq for c in feed]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    g = sharing.grants_on(core, owner, sub.id)[0]
    sharing.remove(core, owner, g.grant.id)
    last = changes.changes_since(core, viewer, feeds[viewer.id][-1].seq).changes
    assert [(c.kind, c.node_id) for c in last] == [("unshared", sub.id)]


def test_a_link_visitor_is_no_account(core: Core, user: User) -> None:
    top, _sub, _f = folder_with_files(core, user)
    guest = LinkVisitor(sharing.create_link(core, user, top.id).link)
    with pytest.raises(Forbidden):
        content.start_session(core, guest, top.id, "big.bin", 10)


def test_the_shared_marker_is_the_owners_and_a_recipient_sees_none(core: Core) -> None:
    owner, friend = account(core), account(core)
    team = tree.create_folder(core, owner, owner.root_id, "team")
    inner = tree.create_folder(core, owner, team.id, "inner")
    plain = tree.create_folder(core, owner, team.id, "plain")
    sharing.share(core, owner, team.id, friend.email, "viewer")
    sharing.create_link(core, owner, inner.id)
    assert sharing.marked(core, owner, [team, inner, plain]) == {team.id, inner.id}
    # The recipient sees the owner's items through the grant: none of them is the recipient's to mark.
    seen = tree.list_children(core, friend, team.id).items
    assert {n.name for n in seen} == {"inner", "plain"}
    assert sharing.marked(core, friend, seen) == set()
