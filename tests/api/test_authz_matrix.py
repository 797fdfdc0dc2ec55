"""The authorization matrix: every operation of the OpenAPI schema, for every kind of caller, answers
exactly the expected status, and nothing of a file (name, bytes, size) leaks where access is denied.

Callers of account routes: the owner, an editor and a viewer of the shared folder, another account,
and nobody (no token). Callers of link routes: a link that is valid, a file drop, expired, revoked,
used up, unknown, and a password link locked / with a forged access token / unlocked. The list of
operations comes from the schema itself: a route added without a row here fails this test.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.api.conftest import Client, signup
from tests.stack import Stack

SECRET_NAME = f"secret-{secrets.token_hex(4)}.txt"
SECRET_BYTES = b"secret-content-" + secrets.token_hex(8).encode() + b"-" * 3000
SECRET_SIZE = str(len(SECRET_BYTES))
ROLES = ("owner", "editor", "viewer", "stranger", "anon")
LINK_STATES = ("valid", "drop", "expired", "revoked", "exhausted", "unknown", "locked", "forged", "unlocked")


@dataclass
class World:
    stack: Stack
    owner: Client
    editor: Client
    viewer: Client
    stranger: Client
    bystander: Client  # the account the grant routes share with (never one of the callers)
    anon: httpx.Client
    folder: str  # the shared folder
    file: str  # the secret file inside it
    links: dict[str, str] = field(default_factory=dict)  # state -> token
    access: dict[str, str] = field(default_factory=dict)  # state -> bearer access token

    def client(self, role: str) -> httpx.Client:
        return self.anon if role == "anon" else getattr(self, role).http

    def fresh_file(self, name: str | None = None) -> str:
        r = self.owner.put(
            f"/api/v1/nodes/{self.folder}/files", params={"name": name or f"f-{secrets.token_hex(4)}.txt"}, content=b"x"
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])


@pytest.fixture(scope="module")
def world(stack: Stack) -> World:
    owner, editor, viewer, stranger, bystander = (signup(stack) for _ in range(5))
    anon = httpx.Client(base_url=stack.url, timeout=30)
    folder = owner.post(f"/api/v1/nodes/{owner.root_id}/folders", json={"name": "Shared"}).json()["id"]
    file = owner.put(f"/api/v1/nodes/{folder}/files", params={"name": SECRET_NAME}, content=SECRET_BYTES).json()["id"]
    for who, role in ((editor, "editor"), (viewer, "viewer")):
        assert owner.post(f"/api/v1/nodes/{folder}/grants", json={"email": who.email, "role": role}).status_code == 201
    w = World(stack, owner, editor, viewer, stranger, bystander, anon, folder, file)

    def link(**options: Any) -> str:
        r = owner.post(f"/api/v1/nodes/{folder}/links", json=options)
        assert r.status_code == 201, r.text
        return str(r.json()["token"])

    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    w.links = {
        "valid": link(),
        "drop": link(upload_only=True),
        "expired": link(expires_at=soon),
        "revoked": link(),
        "exhausted": link(max_downloads=1),
        "unknown": "A" * 43,
        "locked": link(password="open sesame please"),
    }
    w.links["forged"] = w.links["unlocked"] = w.links["locked"]
    lid = next(x["id"] for x in owner.get("/api/v1/links").json() if x["token"] == w.links["revoked"])
    assert owner.delete(f"/api/v1/links/{lid}").status_code == 204
    assert anon.get(f"/api/v1/public/{w.links['exhausted']}/archive").status_code == 200  # uses it up
    unlocked = httpx.post(
        f"{stack.url}/api/v1/public/{w.links['unlocked']}/unlock", json={"password": "open sesame please"}
    )
    w.access = {"unlocked": unlocked.json()["access_token"], "forged": unlocked.json()["access_token"][:-4] + "AAAA"}
    time.sleep(max(0.0, (datetime.fromisoformat(soon) - datetime.now(UTC)).total_seconds() + 0.2))  # expiry passes
    return w


# -- the account routes: (method, path, body builder) and the expected status per caller ----------

Req = Callable[[World, str], tuple[str, str, dict[str, Any]]]


def _session(w: World, role: str) -> str:
    return str(
        w.owner.post("/api/v1/uploads", json={"parent_id": w.folder, "name": "big.bin", "size": 10}).json()["id"]
    )


def _grant_for_viewer(w: World) -> str:
    sub = w.owner.post(f"/api/v1/nodes/{w.folder}/folders", json={"name": f"g-{secrets.token_hex(3)}"}).json()["id"]
    r = w.owner.post(f"/api/v1/nodes/{sub}/grants", json={"email": w.viewer.email, "role": "viewer"})
    return str(r.json()["id"])


def _link_id(w: World) -> str:
    return str(w.owner.post(f"/api/v1/nodes/{w.folder}/links", json={}).json()["id"])


def _subfolder(w: World) -> str:
    return str(
        w.owner.post(f"/api/v1/nodes/{w.folder}/folders", json={"name": f"s-{secrets.token_hex(3)}"}).json()["id"]
    )


def _trashed(w: World) -> str:
    node = w.fresh_file()
    assert w.owner.delete(f"/api/v1/nodes/{node}").status_code == 200
    return node


def _old_version(w: World) -> str:
    """A fresh file with two versions: 'node/versions/old id'."""
    name = f"v-{secrets.token_hex(3)}.txt"
    node = w.owner.put(f"/api/v1/nodes/{w.folder}/files", params={"name": name}, content=b"one").json()["id"]
    w.owner.put(f"/api/v1/nodes/{w.folder}/files", params={"name": name}, content=b"two")
    old = w.owner.get(f"/api/v1/nodes/{node}/versions").json()[-1]["id"]
    return f"{node}/versions/{old}"


def _known_hash(w: World, role: str) -> dict[str, Any]:
    data = b"known by everyone " + role.encode()
    if role != "anon":
        me = getattr(w, role)
        me.put(f"/api/v1/nodes/{me.root_id}/files", params={"name": f"known-{secrets.token_hex(3)}"}, content=data)
    return {"name": f"h-{secrets.token_hex(3)}", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


# For each operation: how to call it, and the status each caller gets.
ACCOUNT_ROUTES: dict[str, tuple[Req, dict[str, int]]] = {
    "get_node": (lambda w, r: ("GET", f"/api/v1/nodes/{w.file}", {}), {"owner": 200, "editor": 200, "viewer": 200}),
    "list_children": (
        lambda w, r: ("GET", f"/api/v1/nodes/{w.folder}/children", {}),
        {"owner": 200, "editor": 200, "viewer": 200},
    ),
    "patch_node": (
        lambda w, r: ("PATCH", f"/api/v1/nodes/{w.fresh_file()}", {"json": {"name": f"n-{secrets.token_hex(3)}"}}),
        {"owner": 200, "editor": 200, "viewer": 403},
    ),
    "delete_node": (
        lambda w, r: ("DELETE", f"/api/v1/nodes/{w.fresh_file()}", {}),
        {"owner": 200, "editor": 200, "viewer": 403},
    ),
    "create_folder": (
        lambda w, r: ("POST", f"/api/v1/nodes/{w.folder}/folders", {"json": {"name": f"d-{secrets.token_hex(3)}"}}),
        {"owner": 201, "editor": 201, "viewer": 403},
    ),
    # A whole folder at once: readable is enough to ask, each entry then says what was allowed.
    "bulk_folder": (
        lambda w, r: ("POST", f"/api/v1/nodes/{_subfolder(w)}/bulk", {"json": {"op": "trash"}}),
        {"owner": 200, "editor": 200, "viewer": 200},
    ),
    "copy_node": (
        lambda w, r: (
            "POST",
            f"/api/v1/nodes/{w.file}/copy",
            {"json": {"parent_id": w.folder, "on_conflict": "rename"}},
        ),
        {"owner": 201, "editor": 201, "viewer": 403},
    ),
    "restore_node": (
        lambda w, r: ("POST", f"/api/v1/nodes/{_trashed(w)}/restore", {}),
        {"owner": 200, "editor": 200, "viewer": 403},
    ),
    "upload_file": (
        lambda w, r: (
            "PUT",
            f"/api/v1/nodes/{w.folder}/files",
            {"params": {"name": f"u-{secrets.token_hex(3)}"}, "content": b"u"},
        ),
        {"owner": 201, "editor": 201, "viewer": 403},
    ),
    "upload_batch": (  # the folder is checked before any file is read
        lambda w, r: (
            "POST",
            f"/api/v1/nodes/{w.folder}/batch",
            {"files": [("file", (f"b-{secrets.token_hex(3)}/x.txt", b"b"))]},
        ),
        {"owner": 200, "editor": 200, "viewer": 403},
    ),
    "upload_by_hash": (
        lambda w, r: ("POST", f"/api/v1/nodes/{w.folder}/files/by-hash", {"json": _known_hash(w, r)}),
        {"owner": 201, "editor": 201, "viewer": 403},
    ),
    "start_upload_session": (
        lambda w, r: ("POST", "/api/v1/uploads", {"json": {"parent_id": w.folder, "name": "s.bin", "size": 10}}),
        {"owner": 201, "editor": 201, "viewer": 403},
    ),
    "complete_upload_session": (
        lambda w, r: ("POST", f"/api/v1/uploads/{_session(w, r)}/complete", {}),
        {"owner": 409, "editor": 404, "viewer": 404},  # sessions are their starter's alone
    ),
    "get_upload_session": (
        lambda w, r: ("GET", f"/api/v1/uploads/{_session(w, r)}", {}),
        {"owner": 200, "editor": 404, "viewer": 404},
    ),
    "abort_upload_session": (
        lambda w, r: ("DELETE", f"/api/v1/uploads/{_session(w, r)}", {}),
        {"owner": 204, "editor": 404, "viewer": 404},
    ),
    "download": (
        lambda w, r: ("GET", f"/api/v1/nodes/{w.file}/content", {}),
        {"owner": 200, "editor": 200, "viewer": 200},
    ),
    "download_archive": (
        lambda w, r: ("GET", "/api/v1/archive", {"params": {"ids": w.folder}}),
        {"owner": 200, "editor": 200, "viewer": 200},
    ),
    "list_versions": (
        lambda w, r: ("GET", f"/api/v1/nodes/{w.file}/versions", {}),
        {"owner": 200, "editor": 200, "viewer": 200},
    ),
    "restore_version": (
        lambda w, r: ("POST", f"/api/v1/nodes/{_old_version(w)}/restore", {}),
        {"owner": 201, "editor": 201, "viewer": 403},
    ),
    "patch_version": (
        lambda w, r: ("PATCH", f"/api/v1/nodes/{_old_version(w)}", {"json": {"pinned": True}}),
        {"owner": 200, "editor": 200, "viewer": 403},
    ),
    "delete_version": (
        lambda w, r: ("DELETE", f"/api/v1/nodes/{_old_version(w)}", {}),
        {"owner": 204, "editor": 204, "viewer": 403},
    ),
    "delete_forever": (  # deleting for good is the owner's alone, even inside a shared folder
        lambda w, r: ("DELETE", f"/api/v1/trash/{_trashed(w)}", {}),
        {"owner": 200, "editor": 403, "viewer": 403},
    ),
    "search": (  # inside the shared folder: those it is shared with search it, a stranger learns nothing
        lambda w, r: ("GET", "/api/v1/search", {"params": {"q": SECRET_NAME.split(".")[0], "in": w.folder}}),
        {"owner": 200, "editor": 200, "viewer": 200},
    ),
    "get_thumbnail": (  # a text file has no thumbnail: 404 no_thumbnail for those who may see it
        lambda w, r: ("GET", f"/api/v1/nodes/{w.file}/thumbnail", {}),
        {"owner": 404, "editor": 404, "viewer": 404},
    ),
    "create_link": (
        lambda w, r: ("POST", f"/api/v1/nodes/{w.folder}/links", {"json": {}}),
        {"owner": 201, "editor": 403, "viewer": 403},
    ),
    "list_node_links": (
        lambda w, r: ("GET", f"/api/v1/nodes/{w.folder}/links", {}),
        {"owner": 200, "editor": 403, "viewer": 403},
    ),
    "update_link": (
        lambda w, r: ("PATCH", f"/api/v1/links/{_link_id(w)}", {"json": {"max_downloads": 5}}),
        {"owner": 200, "editor": 403, "viewer": 403},
    ),
    "revoke_link": (
        lambda w, r: ("DELETE", f"/api/v1/links/{_link_id(w)}", {}),
        {"owner": 204, "editor": 403, "viewer": 403},
    ),
    "create_grant": (
        lambda w, r: (
            "POST",
            f"/api/v1/nodes/{w.folder}/grants",
            {"json": {"email": w.bystander.email, "role": "viewer"}},
        ),
        {"owner": 201, "editor": 403, "viewer": 403},
    ),
    "list_grants": (
        lambda w, r: ("GET", f"/api/v1/nodes/{w.folder}/grants", {}),
        {"owner": 200, "editor": 403, "viewer": 403},
    ),
    "update_grant": (
        lambda w, r: ("PATCH", f"/api/v1/grants/{_grant_for_viewer(w)}", {"json": {"role": "editor"}}),
        {"owner": 200, "editor": 403, "viewer": 403},
    ),
    "delete_grant": (  # the owner unshares; the recipient (the viewer) may leave
        lambda w, r: ("DELETE", f"/api/v1/grants/{_grant_for_viewer(w)}", {}),
        {"owner": 204, "editor": 403, "viewer": 204},
    ),
}
# Routes about the caller's own account or data: every signed-in caller gets this, nobody 401.
OWN_ROUTES: dict[str, tuple[str, str, int]] = {
    "me": ("GET", "/api/v1/me", 200),
    "list_tokens": ("GET", "/api/v1/auth/tokens", 200),
    "get_root": ("GET", "/api/v1/nodes/root", 200),
    "list_trash": ("GET", "/api/v1/trash", 200),
    "list_links": ("GET", "/api/v1/links", 200),
    "shared_with_me": ("GET", "/api/v1/shared", 200),
    "get_changes": ("GET", "/api/v1/changes", 200),
    "empty_trash": ("DELETE", "/api/v1/trash", 200),  # one's own trash
    "totals": ("GET", "/api/v1/admin/totals", 403),  # administrators only; nobody here is one
    "list_users": ("GET", "/api/v1/admin/users", 403),
    "list_activity": ("GET", "/api/v1/activity", 200),  # one's own events only
    "get_usage": ("GET", "/api/v1/usage", 200),
    "get_usage_csv": ("GET", "/api/v1/usage/daily.csv", 200),
    "get_notifications": ("GET", "/api/v1/me/notifications", 200),
    "list_audit": ("GET", "/api/v1/admin/audit", 403),
    "admin_usage": ("GET", "/api/v1/admin/usage", 403),
    "admin_overview": ("GET", "/api/v1/admin/overview", 403),
    "admin_costs": ("GET", "/api/v1/admin/costs", 403),
}
# Administration with a body: every signed-in caller here is refused (403), nobody signed in 401;
# what an administrator gets is in tests/api/test_recovery_api.py.
ADMIN_ROUTES: dict[str, Req] = {
    "patch_user": lambda w, r: ("PATCH", f"/api/v1/admin/users/{w.owner.user_id}", {"json": {"quota_bytes": 1}}),
}
# Bulk actions answer 200 and report each item: the item's own status says what the caller may do.
BULK_ROUTES: dict[str, tuple[Req, dict[str, str]]] = {
    "bulk_move": (
        lambda w, r: ("POST", "/api/v1/bulk/move", {"json": {"ids": [w.fresh_file()], "parent_id": _subfolder(w)}}),
        {"owner": "done", "editor": "done", "viewer": "forbidden"},
    ),
    "bulk_copy": (
        lambda w, r: ("POST", "/api/v1/bulk/copy", {"json": {"ids": [w.file], "parent_id": w.folder}}),
        {"owner": "done", "editor": "done", "viewer": "forbidden"},
    ),
    "bulk_trash": (
        lambda w, r: ("POST", "/api/v1/bulk/trash", {"json": {"ids": [w.fresh_file()]}}),
        {"owner": "done", "editor": "done", "viewer": "forbidden"},
    ),
    "bulk_restore": (
        lambda w, r: ("POST", "/api/v1/bulk/restore", {"json": {"ids": [_trashed(w)]}}),
        {"owner": "done", "editor": "done", "viewer": "forbidden"},
    ),
}
# Routes without an account on either side, and why they are outside the matrix of roles.
NOT_ROLE_BASED = {
    "signup": "creates an account (tests/api/test_api.py)",
    "sign_in": "takes a password, not a token (tests/api/test_api.py)",
    "revoke_token": "acts on the caller's own tokens (tests/api/test_api.py)",
    "start_session": "the web sign-in (tests/api/test_hardening.py)",
    "end_session": "the web sign-out (tests/api/test_hardening.py)",
    "health": "public liveness (tests/api/test_hardening.py)",
    "request_password_reset": "takes an email, not a token (tests/api/test_activity_usage_api.py)",
    "confirm_password_reset": "takes the token of a reset mail (tests/api/test_activity_usage_api.py)",
    "confirm_signup": "takes an emailed code, not a token (PCS_AUTH=cognito: tests/unit/test_cognito_sign_in.py)",
    "confirm_password_reset_code": "takes an emailed code (PCS_AUTH=cognito: tests/unit/test_cognito_sign_in.py)",
    "change_password": "the caller's own account, with its password (tests/api/test_activity_usage_api.py)",
    "delete_me": "the caller's own account, with its password (tests/api/test_activity_usage_api.py)",
    "patch_notifications": "the caller's own mail settings (tests/api/test_activity_usage_api.py)",
}


def test_every_operation_of_the_schema_is_in_the_matrix(world: World) -> None:
    spec = world.anon.get("/api/openapi.json").json()
    ops = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    covered = (
        set(ACCOUNT_ROUTES)
        | set(OWN_ROUTES)
        | set(ADMIN_ROUTES)
        | set(BULK_ROUTES)
        | set(PUBLIC_ROUTES)
        | set(NOT_ROLE_BASED)
    )
    assert ops - covered == set(), "operations with no row in the authorization matrix"
    assert covered - ops == set(), "rows for operations the schema no longer has"


def no_leak(r: httpx.Response) -> None:
    body = r.content
    assert SECRET_BYTES[:30] not in body and SECRET_NAME.encode() not in body and SECRET_SIZE.encode() not in body


@pytest.mark.parametrize("op", sorted(ACCOUNT_ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_account_routes(world: World, op: str, role: str) -> None:
    build, allowed = ACCOUNT_ROUTES[op]
    expected = {**allowed, "stranger": 404, "anon": 401}[role]
    method, path, kw = build(world, role)
    r = world.client(role).request(method, path, **kw)
    assert r.status_code == expected, f"{op} as {role}: {r.status_code} {r.text[:300]}"
    if r.status_code >= 400:
        no_leak(r)
        assert r.headers["content-type"].startswith("application/json")
    if op == "get_thumbnail" and role in allowed:
        assert r.json()["error"] == "no_thumbnail"  # seen, but has none (a stranger's 404 is not_found)
    if role == "stranger" and r.status_code == 404:
        assert r.json()["error"] == "not_found"


@pytest.mark.parametrize("op", sorted(OWN_ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_own_routes(world: World, op: str, role: str) -> None:
    method, path, expected = OWN_ROUTES[op]
    r = world.client(role).request(method, path)
    assert r.status_code == (401 if role == "anon" else expected), f"{op} as {role}: {r.text[:200]}"
    if role in ("stranger", "anon"):
        no_leak(r)


@pytest.mark.parametrize("op", sorted(ADMIN_ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_admin_routes(world: World, op: str, role: str) -> None:
    method, path, kw = ADMIN_ROUTES[op](world, role)
    r = world.client(role).request(method, path, **kw)
    assert r.status_code == (401 if role == "anon" else 403), f"{op} as {role}: {r.text[:200]}"
    assert world.owner.get("/api/v1/me").json()["quota_bytes"] is None  # nothing changed


@pytest.mark.parametrize("op", sorted(BULK_ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_bulk_routes(world: World, op: str, role: str) -> None:
    build, allowed = BULK_ROUTES[op]
    method, path, kw = build(world, role)
    r = world.client(role).request(method, path, **kw)
    if role == "anon":
        assert r.status_code == 401
        return
    assert r.status_code == 200, r.text
    item = r.json()["items"][0]
    got = item["error"]["error"] if item["status"] == "failed" else item["status"]
    assert got == {**allowed, "stranger": "not_found"}[role], f"{op} as {role}: {item}"
    if role == "stranger":
        no_leak(r)


# -- the link routes ------------------------------------------------------------------------------

LinkReq = Callable[[World, str], tuple[str, str, dict[str, Any]]]
GONE = {"expired": 410, "revoked": 410, "exhausted": 410, "unknown": 404, "locked": 401, "forged": 401}
PUBLIC_ROUTES: dict[str, tuple[LinkReq, dict[str, int]]] = {
    "get_public_item": (lambda w, t: ("GET", f"/api/v1/public/{t}", {}), {"valid": 200, "drop": 200, "unlocked": 200}),
    "list_public_children": (
        lambda w, t: ("GET", f"/api/v1/public/{t}/children", {}),
        {"valid": 200, "drop": 403, "unlocked": 200},
    ),
    "get_public_content": (
        lambda w, t: ("GET", f"/api/v1/public/{t}/content", {"params": {"node": w.file}}),
        {"valid": 200, "drop": 403, "unlocked": 200},
    ),
    "get_public_thumbnail": (  # the text file has none: 404 no_thumbnail where it may be seen
        lambda w, t: ("GET", f"/api/v1/public/{t}/thumbnail", {"params": {"node": w.file}}),
        {"valid": 404, "drop": 403, "unlocked": 404},
    ),
    "get_public_archive": (
        lambda w, t: ("GET", f"/api/v1/public/{t}/archive", {}),
        {"valid": 200, "drop": 403, "unlocked": 200},
    ),
    "drop_file": (
        lambda w, t: ("PUT", f"/api/v1/public/{t}/files", {"params": {"name": "dropped.txt"}, "content": b"d"}),
        {"valid": 403, "drop": 201, "unlocked": 403},
    ),
    "unlock_link": (  # without a password, unlocking just works; with one, it needs the right password
        lambda w, t: ("POST", f"/api/v1/public/{t}/unlock", {"json": {"password": "open sesame please"}}),
        {"valid": 200, "drop": 200, "locked": 200, "forged": 200, "unlocked": 200},
    ),
}


@pytest.mark.parametrize("op", sorted(PUBLIC_ROUTES))
@pytest.mark.parametrize("state", LINK_STATES)
def test_link_routes(world: World, op: str, state: str) -> None:
    build, allowed = PUBLIC_ROUTES[op]
    expected = {**GONE, **allowed}[state]
    method, path, kw = build(world, world.links[state])
    headers = {"Authorization": f"Bearer {world.access[state]}"} if state in world.access else {}
    # A client of its own: no cookie from an earlier unlock may travel with the request.
    with httpx.Client(base_url=world.stack.url, timeout=30) as fresh:
        r = fresh.request(method, path, headers=headers, **kw)
    assert r.status_code == expected, f"{op} via a {state} link: {r.status_code} {r.text[:300]}"
    if r.status_code >= 400:
        no_leak(r)
    if r.status_code == 410:
        assert r.json()["error"] == "link_gone"
    if r.status_code == 401:
        assert r.json()["error"] == "password_required"


def test_a_link_never_reaches_above_its_folder(world: World) -> None:
    outside = world.owner.put(
        f"/api/v1/nodes/{world.owner.root_id}/files", params={"name": "outside.txt"}, content=b"outside!"
    ).json()["id"]
    token = world.links["valid"]
    for path, params in (
        (f"/api/v1/public/{token}/content", {"node": outside}),
        (f"/api/v1/public/{token}/children", {"parent": world.owner.root_id}),
        (f"/api/v1/public/{token}/thumbnail", {"node": outside}),
    ):
        r = world.anon.get(path, params=params)
        assert r.status_code == 404 and b"outside" not in r.content, r.text
