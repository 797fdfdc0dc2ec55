"""The audit log: every kind of event is produced by its action, with who, from where, what and how
it ended; it is append-only in the database; each person sees their own, administrators everyone's;
every event is also a JSON line on stdout."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from pcs_app.models import AuditEvent, User
from pcs_app.services import accounts, archive, audit, content, sharing, tree
from pcs_app.services.core import Core
from pcs_app.services.errors import Forbidden, InvalidInput, Throttled, Unauthorized
from pcs_app.services.sharing import public
from pcs_app.services.tx import write_tx
from tests.conftest import PASSWORD

ADDRESS, AGENT = "203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


def account(core: Core, admin: bool = False) -> User:
    return accounts.create_user(core, f"a{secrets.token_hex(5)}@example.com", PASSWORD, is_admin=admin)


def events(
    core: Core, *, actor: int | None = None, owner: int | None = None, action: str | None = None
) -> list[AuditEvent]:
    audit.flush(core)
    q = select(AuditEvent).order_by(col(AuditEvent.id))
    if actor is not None:
        q = q.where(AuditEvent.actor_id == actor)
    if owner is not None:
        q = q.where(AuditEvent.owner_id == owner)
    if action is not None:
        q = q.where(AuditEvent.action == action)
    with core.db.read() as s:
        return list(s.exec(q).all())


def one(core: Core, action: str, **where: Any) -> AuditEvent:
    found = events(core, action=action, **where)
    assert len(found) == 1, f"{action}: {[(e.actor, e.target, e.outcome) for e in found]}"
    return found[0]


@pytest.fixture
def as_user(core: Core) -> Iterator[User]:
    """A fresh account, and a request context from ADDRESS with AGENT signed in as it."""
    user = account(core)
    with audit.scope(core, ADDRESS, AGENT, user=user):
        yield user


def from_the_request(e: AuditEvent, user: User) -> None:
    assert (e.actor_id, e.actor, e.address, e.user_agent, e.outcome) == (user.id, user.email, ADDRESS, AGENT, "ok")


def test_every_change_to_the_tree_is_audited_by_whom_from_where(core: Core, as_user: User) -> None:
    u = as_user
    box = tree.create_folder(core, u, u.root_id, "box")
    f = content.upload(core, u, box.id, "a.txt", [b"one"])
    content.upload(core, u, box.id, "a.txt", [b"two"])  # a new version: an upload too
    old = content.list_versions(core, u, f.id)[-1]
    content.restore_version(core, u, f.id, old.id)
    content.pin_version(core, u, f.id, old.id, True)
    tree.rename(core, u, f.id, "b.txt")
    sub = tree.create_folder(core, u, box.id, "sub")
    tree.move(core, u, f.id, sub.id)
    tree.copy(core, u, box.id, u.root_id, name="box copy")
    tree.trash(core, u, f.id)
    tree.restore(core, u, f.id)
    tree.trash(core, u, f.id)
    tree.delete_forever(core, u, f.id)
    mine = events(core, actor=u.id)
    assert [e.action for e in mine] == [
        "folder.create",
        "file.upload",
        "file.upload",
        "version.restore",
        "version.change",
        "node.rename",
        "folder.create",
        "node.move",
        "node.copy",
        "node.trash",
        "node.restore",
        "node.trash",
        "node.delete",
    ]
    for e in mine:
        from_the_request(e, u)
        assert e.owner_id == u.id and e.target_type == "node" and e.target_id
    assert mine[1].target == "a.txt" and mine[5].target == "b.txt" and mine[8].target == "box copy"


def test_a_rolled_back_change_leaves_no_audit_row(core: Core, as_user: User) -> None:
    box = tree.create_folder(core, as_user, as_user.root_id, "box")
    before = len(events(core, actor=as_user.id))
    with pytest.raises(RuntimeError), write_tx(core, as_user.id or 0) as tx:
        tx.record(box, "renamed")
        raise RuntimeError("the change fails after it was recorded")
    assert len(events(core, actor=as_user.id)) == before


def test_sign_ins_are_audited_with_outcome_address_and_agent(core: Core) -> None:
    email = f"s{secrets.token_hex(5)}@example.com"
    with audit.scope(core, ADDRESS, AGENT):
        issued = accounts.sign_up(core, email, PASSWORD, ADDRESS)
        user = issued.user
        with pytest.raises(Unauthorized):
            accounts.sign_in(core, email, "wrong password!", ADDRESS)
        accounts.sign_in(core, email, PASSWORD, ADDRESS, kind="api", name="laptop")
    ups = one(core, "auth.sign_up", owner=user.id)
    assert (ups.actor, ups.address, ups.user_agent) == (email, ADDRESS, AGENT)
    sign_ins = events(core, owner=user.id, action="auth.sign_in")
    assert [e.outcome for e in sign_ins] == ["ok", "failed", "ok"]
    assert all((e.address, e.user_agent, e.actor) == (ADDRESS, AGENT, email) for e in sign_ins)
    tokens = events(core, owner=user.id, action="token.issue")
    assert [json.loads(e.detail)["kind"] for e in tokens] == ["session", "api"] and tokens[1].target == "laptop"
    accounts.revoke_token(core, user, tokens[1].target_id)
    assert one(core, "token.revoke", owner=user.id).target_id == tokens[1].target_id
    # A sign-in to an address nobody has is audited too (with no account to show it to).
    with pytest.raises(Unauthorized):
        accounts.sign_in(core, f"ghost{secrets.token_hex(4)}@example.com", PASSWORD, ADDRESS)


def test_a_throttled_sign_in_is_audited(core: Core) -> None:
    user = account(core)
    core.settings.login_free_failures, old = 0, core.settings.login_free_failures
    try:
        with pytest.raises(Unauthorized):
            accounts.sign_in(core, user.email, "wrong password!", ADDRESS)
        with pytest.raises(Throttled):
            accounts.sign_in(core, user.email, PASSWORD, ADDRESS)
    finally:
        core.settings.login_free_failures = old
    assert [e.outcome for e in events(core, owner=user.id, action="auth.sign_in")] == ["failed", "throttled"]


def test_links_and_grants_are_audited(core: Core, as_user: User) -> None:
    u, friend = as_user, account(core)
    box = tree.create_folder(core, u, u.root_id, "box")
    content.upload(core, u, box.id, "x.txt", [b"x"])
    link = sharing.create_link(core, u, box.id, password="open sesame!", notify_downloads=True)
    sharing.update_link(core, u, link.link.id, max_downloads=3)
    guest = public.open_link(core, link.token)
    with pytest.raises(Unauthorized):
        public.unlock(core, link.token, "not it at all", "198.51.100.9")
    public.unlock(core, link.token, "open sesame!", "198.51.100.9")
    public.item(core, public.admit(core, guest, public.unlock(core, link.token, "open sesame!", None).access_token))
    sharing.revoke_link(core, u, link.link.id)
    g = sharing.share(core, u, box.id, friend.email, "viewer")
    sharing.change_role(core, u, g.grant.id, "editor")
    sharing.remove(core, u, g.grant.id)
    made = one(core, "link.create", owner=u.id)
    from_the_request(made, u)
    assert made.target_id == link.link.id and json.loads(made.detail)["password"] is True
    assert json.loads(one(core, "link.update", owner=u.id).detail)["max_downloads"] == 3
    assert [e.outcome for e in events(core, owner=u.id, action="link.unlock")] == ["failed", "ok", "ok"]
    assert one(core, "link.access", owner=u.id).target_id == link.link.id
    assert one(core, "link.revoke", owner=u.id).actor_id == u.id
    grants = [(e.action, json.loads(e.detail)) for e in events(core, owner=u.id) if e.action.startswith("grant.")]
    assert grants == [
        ("grant.create", {"with": friend.email, "role": "viewer"}),
        ("grant.update", {"with": friend.email, "role": "editor"}),
        ("grant.remove", {"with": friend.email, "role": None}),
    ]


def test_a_zip_download_a_quota_change_and_a_denial_are_audited(core: Core, as_user: User) -> None:
    u, admin, viewer = as_user, account(core, admin=True), account(core)
    box = tree.create_folder(core, u, u.root_id, "box")
    f = content.upload(core, u, box.id, "x.txt", [b"12345"])
    archive.build(core, u, [box.id])
    zipped = one(core, "archive.download", owner=u.id)
    from_the_request(zipped, u)
    assert zipped.target == "box.zip" and json.loads(zipped.detail)["items"] == 1
    with audit.scope(core, "192.0.2.1", "admin-agent", user=admin):
        accounts.set_quota_as(core, admin, u.id, 10_000)
    quota = one(core, "quota.change", owner=u.id)
    assert (quota.actor_id, quota.address, json.loads(quota.detail)) == (
        admin.id,
        "192.0.2.1",
        {"from": None, "to": 10_000},
    )
    sharing.share(core, u, box.id, viewer.email, "viewer")
    with audit.scope(core, "192.0.2.2", "viewer-agent", user=viewer), pytest.raises(Forbidden):
        tree.rename(core, viewer, f.id, "mine now.txt")
    denied = one(core, "access.denied", owner=u.id)
    assert (denied.actor_id, denied.outcome, denied.target_id, denied.address) == (
        viewer.id,
        "denied",
        f.id,
        "192.0.2.2",
    )
    assert json.loads(denied.detail) == {"need": "write"}


def test_the_audit_table_refuses_updates_and_deletes(core: Core, as_user: User) -> None:
    tree.create_folder(core, as_user, as_user.root_id, "box")
    row = events(core, actor=as_user.id)[-1]
    for sql in (
        f"UPDATE audit_event SET actor = 'someone else' WHERE id = {row.id}",
        f"DELETE FROM audit_event WHERE id = {row.id}",
    ):
        with pytest.raises(Exception, match="append-only"), core.db.write() as s:
            s.exec(text(sql))  # type: ignore[call-overload]
    assert events(core, actor=as_user.id)[-1].actor == as_user.email


def test_people_see_their_own_activity_and_administrators_everyones(core: Core) -> None:
    a, b, admin = account(core), account(core), account(core, admin=True)
    with audit.scope(core, ADDRESS, AGENT, user=a):
        box = tree.create_folder(core, a, a.root_id, "box")
        sharing.share(core, a, box.id, b.email, "editor")
    with audit.scope(core, ADDRESS, AGENT, user=b):
        content.upload(core, b, box.id, "from b.txt", [b"b"])  # b's action on a's data
        tree.create_folder(core, b, b.root_id, "b's own")
    seen_by_a = [e.action for e in audit.activity(core, a).items]
    assert seen_by_a == ["file.upload", "grant.create", "folder.create"]  # newest first
    seen_by_b = [(e.action, e.target) for e in audit.activity(core, b).items]
    assert seen_by_b == [("folder.create", "b's own"), ("file.upload", "from b.txt")]  # not a's folder
    assert [e.action for e in audit.activity(core, a, kind="uploads").items] == ["file.upload", "folder.create"]
    assert [e.action for e in audit.activity(core, a, kind="grant.create").items] == ["grant.create"]
    with pytest.raises(InvalidInput):
        audit.activity(core, a, kind="everything")
    with pytest.raises(Forbidden):
        audit.audit_log(core, a)
    assert [e.target for e in audit.audit_log(core, admin, user=b.id).items][:2] == ["b's own", "from b.txt"]
    # Paging: a page at a time, older ones after the cursor, nothing twice.
    first = audit.activity(core, a, limit=2)
    rest = audit.activity(core, a, limit=2, cursor=first.next_cursor)
    assert [e.id for e in first.items + rest.items] == [e.id for e in audit.activity(core, a).items]
    assert rest.next_cursor is None


def test_each_event_is_a_json_line_on_stdout(core: Core, as_user: User, capsys: pytest.CaptureFixture[str]) -> None:
    tree.create_folder(core, as_user, as_user.root_id, "logged")
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith('{"log":"audit"')]
    made = [x for x in lines if x["action"] == "folder.create" and x["target"] == "logged"]
    assert len(made) == 1
    assert (made[0]["actor"], made[0]["address"], made[0]["user_agent"]) == (as_user.email, ADDRESS, AGENT)
    assert made[0]["at"].endswith("+00:00")
