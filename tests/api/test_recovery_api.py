"""Versions, the trash and quotas through the REST API, as a user and an administrator would use them
(SQLite, and PostgreSQL with Redis)."""

from __future__ import annotations

import hashlib
import secrets
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.api.conftest import Client, signup
from tests.api.test_api import assert_error
from tests.conftest import PASSWORD
from tests.stack import Stack


def put(c: Client, folder: str, name: str, data: bytes) -> dict:  # type: ignore[type-arg]
    r = c.put(f"/api/v1/nodes/{folder}/files", params={"name": name}, content=data)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def folder(c: Client, parent: str, name: str) -> str:
    r = c.post(f"/api/v1/nodes/{parent}/folders", json={"name": name})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def me(c: Client) -> dict:  # type: ignore[type-arg]
    return c.get("/api/v1/me").json()  # type: ignore[no-any-return]


@pytest.fixture
def client(stack: Stack) -> Client:
    return signup(stack)


@pytest.fixture(scope="module")
def admin(stack: Stack) -> Client:
    email = f"admin{secrets.token_hex(4)}@example.com"
    stack.cli("create-admin", "--email", email, "--password-stdin", stdin=PASSWORD + "\n")
    r = httpx.post(f"{stack.url}/api/v1/auth/tokens", json={"email": email, "password": PASSWORD, "name": "t"})
    assert r.status_code == 201, r.text
    http = httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {r.json()['token']}"}, timeout=60)
    body = http.get("/api/v1/me").json()
    return Client(http, r.json()["token"], body["root_id"], email, body["id"])


# -- versions -------------------------------------------------------------------------------------


def test_a_version_comes_back_as_new_content_and_nothing_is_lost(client: Client) -> None:
    first = put(client, client.root_id, "draft.txt", b"first words")
    put(client, client.root_id, "draft.txt", b"second, longer words")
    versions = client.get(f"/api/v1/nodes/{first['id']}/versions").json()
    assert [v["current"] for v in versions] == [True, False]
    assert versions[0]["author"] == client.email and versions[1]["size"] == len(b"first words")
    used = me(client)["used_bytes"]

    r = client.post(f"/api/v1/nodes/{first['id']}/versions/{versions[1]['id']}/restore")
    assert r.status_code == 201, r.text
    assert r.json()["current"] is True and r.json()["sha256"] == hashlib.sha256(b"first words").hexdigest()
    assert client.get(f"/api/v1/nodes/{first['id']}/content").content == b"first words"
    after = client.get(f"/api/v1/nodes/{first['id']}/versions").json()
    assert len(after) == 3 and after[0]["current"] and not after[1]["current"]
    # The replaced content is still there, downloadable.
    replaced = client.get(f"/api/v1/nodes/{first['id']}/content", params={"version": after[1]["id"]})
    assert replaced.content == b"second, longer words"
    assert me(client)["used_bytes"] == used + len(b"first words")


def test_pin_and_delete_a_version(client: Client) -> None:
    node = put(client, client.root_id, "notes.md", b"v1")["id"]
    put(client, client.root_id, "notes.md", b"v2 longer")
    current, old = client.get(f"/api/v1/nodes/{node}/versions").json()
    r = client.patch(f"/api/v1/nodes/{node}/versions/{old['id']}", json={"pinned": True})
    assert r.status_code == 200 and r.json()["pinned"] is True
    assert_error(client.delete(f"/api/v1/nodes/{node}/versions/{current['id']}"), 409, "conflict")
    used = me(client)["used_bytes"]
    assert client.delete(f"/api/v1/nodes/{node}/versions/{old['id']}").status_code == 204
    assert [v["id"] for v in client.get(f"/api/v1/nodes/{node}/versions").json()] == [current["id"]]
    assert me(client)["used_bytes"] == used - 2
    assert_error(client.get(f"/api/v1/nodes/{node}/content", params={"version": old["id"]}), 404)


def test_forged_version_ids_look_missing(client: Client, stack: Stack) -> None:
    mine = put(client, client.root_id, "a.txt", b"mine")["id"]
    other = signup(stack)
    theirs = put(other, other.root_id, "b.txt", b"theirs")
    for vid in (theirs["version_id"], 999_999_999):
        assert_error(client.post(f"/api/v1/nodes/{mine}/versions/{vid}/restore"), 404, "not_found")
        assert_error(client.delete(f"/api/v1/nodes/{mine}/versions/{vid}"), 404, "not_found")
    assert_error(client.post(f"/api/v1/nodes/{theirs['id']}/versions/{theirs['version_id']}/restore"), 404)
    for bad in ("abc", "1.5", "9" * 40, "-1", "None"):  # not a number: no such route
        assert_error(client.delete(f"/api/v1/nodes/{mine}/versions/{bad}"), 404, "not_found")
    for bad in ("0", "2147483648"):  # digits out of range: refused
        assert_error(client.delete(f"/api/v1/nodes/{mine}/versions/{bad}"), 400, "invalid_input")
    assert other.get(f"/api/v1/nodes/{theirs['id']}/content").content == b"theirs"
    assert_error(client.patch(f"/api/v1/nodes/{mine}/versions/1", json={"pinned": "yes please"}), 400)


# -- trash ----------------------------------------------------------------------------------------


def test_the_trash_pages_with_a_cursor_newest_first(client: Client) -> None:
    ids = [put(client, client.root_id, f"t{i:02}.txt", b"x")["id"] for i in range(25)]
    for node in ids:
        assert client.delete(f"/api/v1/nodes/{node}").status_code == 200
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/trash", params=params).json()
        seen += [i["id"] for i in page["items"]]
        assert all(i["trashed_from"] == "/" and i["trashed_at"] for i in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    r = client.get("/api/v1/trash", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_input"
    assert client.get("/api/v1/trash", params={"cursor": "!!"}).status_code == 400


def test_restore_makes_missing_folders_again_and_never_overwrites(client: Client) -> None:
    photos = folder(client, client.root_id, "Photos")
    year = folder(client, photos, "2024")
    pic = put(client, year, "beach.jpg", b"\xff\xd8\xff beach")["id"]
    assert client.delete(f"/api/v1/nodes/{pic}").status_code == 200
    assert client.get("/api/v1/trash").json()["items"][0]["trashed_from"] == "/Photos/2024"
    assert client.delete(f"/api/v1/nodes/{photos}").status_code == 200
    assert client.delete(f"/api/v1/trash/{photos}").status_code == 200  # the folders are gone for good
    back = client.post(f"/api/v1/nodes/{pic}/restore")
    assert back.status_code == 200, back.text
    path = [n["name"] for n in client.get(f"/api/v1/nodes/{pic}").json()["path"]]
    assert path[1:] == ["Photos", "2024"]
    assert client.get(f"/api/v1/nodes/{pic}/content").content == b"\xff\xd8\xff beach"
    # A name taken meanwhile: it comes back as "name (restored)".
    assert client.delete(f"/api/v1/nodes/{pic}").status_code == 200
    new_year = back.json()["parent_id"]
    put(client, new_year, "beach.jpg", b"another beach")
    again = client.post(f"/api/v1/nodes/{pic}/restore").json()
    assert again["name"] == "beach (restored).jpg"
    r = client.post(f"/api/v1/nodes/{pic}/restore")
    assert_error(r, 404, "not_found")  # not in the trash any more


def test_delete_forever_and_empty_the_trash_give_the_space_back(client: Client) -> None:
    box = folder(client, client.root_id, "box")
    for i in range(3):
        put(client, box, f"f{i}.bin", b"z" * 1000)
    lone = put(client, client.root_id, "lone.bin", b"y" * 500)["id"]
    assert me(client)["used_bytes"] == 3500
    assert_error(client.delete(f"/api/v1/trash/{box}"), 404, "not_found")  # not in the trash yet
    client.delete(f"/api/v1/nodes/{box}")
    client.delete(f"/api/v1/nodes/{lone}")
    usage = me(client)["usage"]
    assert usage["trash_bytes"] == 3500 and usage["files_bytes"] == 0
    r = client.delete(f"/api/v1/trash/{box}")
    assert r.status_code == 200 and r.json() == {"items": 4, "bytes": 3000}
    assert_error(client.get(f"/api/v1/nodes/{box}"), 404)
    assert_error(client.post(f"/api/v1/nodes/{box}/restore"), 404)
    r = client.delete("/api/v1/trash")
    assert r.status_code == 200 and r.json() == {"items": 1, "bytes": 500}
    assert client.get("/api/v1/trash").json() == {"items": [], "next_cursor": None}
    assert me(client)["used_bytes"] == 0


# -- quotas ---------------------------------------------------------------------------------------


def test_usage_adds_up_and_says_what_takes_the_space(client: Client) -> None:
    put(client, client.root_id, "pic.png", b"\x89PNG\r\n\x1a\n" + b"p" * 992)
    put(client, client.root_id, "doc.txt", b"d" * 100)
    put(client, client.root_id, "doc.txt", b"d" * 300)  # the 100 bytes become an older version
    gone = put(client, client.root_id, "old.bin", b"o" * 50)["id"]
    client.delete(f"/api/v1/nodes/{gone}")
    u = me(client)["usage"]
    assert u["used_bytes"] == 1000 + 100 + 300 + 50 == me(client)["used_bytes"]
    assert (u["files_bytes"], u["versions_bytes"], u["trash_bytes"]) == (1300, 100, 50)
    assert u["by_type"]["image"] == 1000 and u["by_type"]["document"] == 300
    assert u["quota_bytes"] is None and u["free_bytes"] is None


def test_an_administrator_sets_a_quota_and_others_cannot(client: Client, admin: Client, stack: Stack) -> None:
    assert_error(client.patch(f"/api/v1/admin/users/{client.user_id}", json={"quota_bytes": 10**12}), 403)
    users = admin.get("/api/v1/admin/users").json()
    assert any(u["email"] == client.email for u in users)
    r = admin.patch(f"/api/v1/admin/users/{client.user_id}", json={"quota_bytes": 2000})
    assert r.status_code == 200 and r.json()["quota_bytes"] == 2000
    assert_error(admin.patch("/api/v1/admin/users/999999999", json={"quota_bytes": 1}), 404)
    assert admin.patch(f"/api/v1/admin/users/{client.user_id}", json={"quota_bytes": -1}).status_code == 400
    assert admin.patch(f"/api/v1/admin/users/{client.user_id}", json={"quota_bytes": "1G"}).status_code == 400
    put(client, client.root_id, "fits.bin", b"f" * 1500)
    body = assert_error(
        client.put(f"/api/v1/nodes/{client.root_id}/files", params={"name": "big.bin"}, content=b"b" * 600),
        507,
        "quota_exceeded",
    )
    assert "500" in body["message"]  # says how much is free
    names = [n["name"] for n in client.get(f"/api/v1/nodes/{client.root_id}/children").json()["items"]]
    assert names == ["fits.bin"]
    # Refused before any byte where the size is known: hash-first and large-file sessions.
    r = client.post(
        f"/api/v1/nodes/{client.root_id}/files/by-hash",
        json={"name": "again.bin", "sha256": hashlib.sha256(b"f" * 1500).hexdigest(), "size": 1500},
    )
    assert_error(r, 507, "quota_exceeded")
    r = client.post("/api/v1/uploads", json={"parent_id": client.root_id, "name": "huge.iso", "size": 10**9})
    assert_error(r, 507, "quota_exceeded")
    # The command line does the same; unlimited again.
    out = stack.cli("users", "quota", client.email, "unlimited")
    assert "unlimited" in out and me(client)["quota_bytes"] is None
    out = stack.cli("users", "quota", client.email, "50G")
    assert "50.0 GiB" in out and me(client)["quota_bytes"] == 50 * 1024**3
    assert client.email in stack.cli("users", "list")


def test_twenty_uploads_at_once_cannot_overshoot_a_small_quota(client: Client, admin: Client) -> None:
    size = 10_000
    assert admin.patch(f"/api/v1/admin/users/{client.user_id}", json={"quota_bytes": 7 * size + 5}).status_code == 200

    def one(i: int) -> int:
        with httpx.Client(base_url=str(client.http.base_url), headers=client.http.headers, timeout=60) as h:
            r = h.put(
                f"/api/v1/nodes/{client.root_id}/files",
                params={"name": f"p{i}.bin"},
                content=secrets.token_bytes(size),
            )
            return r.status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(one, range(20)))
    assert sorted(codes) == [201] * 7 + [507] * 13, codes
    assert me(client)["used_bytes"] == 7 * size
    listed = client.get(f"/api/v1/nodes/{client.root_id}/children").json()["items"]
    assert len(listed) == 7
