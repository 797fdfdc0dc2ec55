"""One item's details (sharing.details, the file browser's Details panel): what its owner sees, what a
recipient sees, and nothing at all for anyone else."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest

from pcs_app.models import FILE, FOLDER, Grant, Node, User
from pcs_app.services import accounts, content, sharing, tree
from pcs_app.services.access import LinkVisitor
from pcs_app.services.core import Core
from pcs_app.services.errors import Forbidden, NotFound
from pcs_app.services.sharing import Details, GrantView
from pcs_app.ui.states.details import details_view, person_row
from tests.conftest import PASSWORD


def account(core: Core) -> User:
    return accounts.create_user(core, f"d{secrets.token_hex(5)}@example.com", PASSWORD)


def test_the_owner_sees_versions_path_people_and_links(core: Core) -> None:
    owner, viewer, editor = account(core), account(core), account(core)
    top = tree.create_folder(core, owner, owner.root_id, "Trip")
    sub = tree.create_folder(core, owner, top.id, "day1")
    f = content.upload(core, owner, sub.id, "notes.txt", [b"first"])
    content.upload(core, owner, sub.id, "notes.txt", [b"second, longer"], on_conflict="replace")
    sharing.share(core, owner, f.id, viewer.email, "viewer")
    sharing.share(core, owner, top.id, editor.email, "editor")
    sharing.create_link(core, owner, f.id)
    sharing.revoke_link(core, owner, sharing.create_link(core, owner, f.id).link.id)  # not counted
    sharing.create_link(core, owner, top.id)

    d = sharing.details(core, owner, f.id)
    assert d.node.id == f.id and d.node.size == len(b"second, longer")
    assert [n.name for n in d.path][1:] == ["Trip", "day1", "notes.txt"]
    assert (d.role, d.owner, d.versions, d.items) == ("owner", owner.email, 2, None)
    assert {(v.email, v.grant.role, v.node.name) for v in d.people} == {
        (viewer.email, "viewer", "notes.txt"),
        (editor.email, "editor", "Trip"),  # through the folder above
    }
    assert (d.links, d.links_above) == (1, 1)

    folder = sharing.details(core, owner, sub.id)
    assert (folder.items, folder.versions) == (1, None)
    assert [v.email for v in folder.people] == [editor.email]


def test_a_recipient_sees_the_owner_and_their_role_and_nobody_else(core: Core) -> None:
    owner, viewer, other = account(core), account(core), account(core)
    top = tree.create_folder(core, owner, owner.root_id, "Team")
    f = content.upload(core, owner, top.id, "plan.txt", [b"plan"])
    sharing.share(core, owner, top.id, viewer.email, "viewer")
    sharing.share(core, owner, top.id, other.email, "editor")
    sharing.create_link(core, owner, top.id)

    d = sharing.details(core, viewer, f.id)
    assert (d.role, d.owner, d.versions) == ("viewer", owner.email, 1)
    assert [n.name for n in d.path] == ["Team", "plan.txt"]  # nothing above the shared item
    assert (d.people, d.links, d.links_above) == ([], 0, 0)  # who else it is shared with is the owner's


def test_anyone_else_gets_not_found_and_a_link_visitor_no_details(core: Core) -> None:
    owner, stranger = account(core), account(core)
    f = content.upload(core, owner, owner.root_id, "secret.txt", [b"secret"])
    folder = tree.create_folder(core, owner, owner.root_id, "Private")
    for node_id in (f.id, folder.id, owner.root_id, "0" * 32, "../etc"):
        with pytest.raises(NotFound) as e:
            sharing.details(core, stranger, node_id)
        assert e.value.message == "No such file or folder."  # the same answer as a missing id
    link = sharing.create_link(core, owner, folder.id).link
    with pytest.raises(Forbidden):
        sharing.details(core, LinkVisitor(link), folder.id)


def test_the_panel_text_for_the_owner_and_for_a_recipient() -> None:
    """The UI's view of the details: local dates with the exact time kept, sizes, counts, the path."""
    root = Node(name="", kind=FOLDER, owner_id=1)
    trip = Node(name="Trip", kind=FOLDER, owner_id=1, parent_id=root.id)
    made, changed = datetime(2024, 3, 3, 14, 3, tzinfo=UTC), datetime(2025, 6, 1, 9, 30, tzinfo=UTC)
    f = Node(name="a.pdf", kind=FILE, owner_id=1, size=1_500_000, mime_type="application/pdf")
    f.created_at, f.modified_at = made, changed
    friend = GrantView(Grant(node_id=trip.id, owner_id=1, user_id=2, role="editor"), trip, "friend@example.com")
    now = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
    mine = Details(f, [root, trip, f], "owner", "me@example.com", None, 3, [friend], 0, 2)
    view = details_view(mine, tz_offset=-120, now=now)  # two hours east of UTC
    assert view["size"] == "1.4 MiB (1,500,000 bytes)" and view["kind"] == "application/pdf"
    assert (view["created"], view["created_iso"]) == ("3 Mar 2024, 16:03", "2024-03-03T14:03:00+00:00")
    assert view["modified"] == "1 Jun, 11:30"
    assert (view["path"], view["versions"], view["mine"]) == ("My files / Trip / a.pdf", "3", "1")
    assert view["links"] == "No active links · 2 more to folders above"
    assert person_row(friend, f.id) == {"email": "friend@example.com", "role": "Editor", "via": "Trip"}

    folder = Details(trip, [trip], "viewer", "owner@example.com", 0, None, [], 0, 0)
    view = details_view(folder, now=now)
    assert (view["kind"], view["size"], view["versions"]) == ("Folder", "Empty folder", "")
    assert (view["path"], view["role"], view["owner"], view["links"]) == (
        "Shared with me / Trip",
        "Viewer",
        "owner@example.com",
        "",
    )
