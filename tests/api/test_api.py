"""The REST API over HTTP against the running app: happy paths and every kind of bad input."""

from __future__ import annotations

import hashlib
import os
import threading
import time

import httpx
import pytest

from tests.api.conftest import Client
from tests.conftest import PASSWORD
from tests.stack import Stack


def upload(c: Client, folder: str, name: str, data: bytes, **params: str) -> httpx.Response:
    return c.put(f"/api/v1/nodes/{folder}/files", params={"name": name, **params}, content=data)


def assert_error(r: httpx.Response, status: int, code: str | None = None) -> dict:  # type: ignore[type-arg]
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) >= {"error", "message"} and body["message"]
    if code:
        assert body["error"] == code
    return body


def test_signup_signin_me_and_signout(stack: Stack, client: Client, anon: httpx.Client) -> None:
    me = client.get("/api/v1/me").json()
    assert me["email"] == client.email and me["root_id"] == client.root_id
    r = anon.post("/api/v1/auth/tokens", json={"email": client.email, "password": PASSWORD, "name": "laptop"})
    assert r.status_code == 201
    token = r.json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    assert anon.get("/api/v1/me", headers=h).status_code == 200
    names = [t["name"] for t in anon.get("/api/v1/auth/tokens", headers=h).json()]
    assert "laptop" in names and all("token" not in t for t in anon.get("/api/v1/auth/tokens", headers=h).json())
    assert anon.delete("/api/v1/auth/tokens/current", headers=h).status_code == 204
    assert_error(anon.get("/api/v1/me", headers=h), 401, "unauthorized")
    assert client.get("/api/v1/me").status_code == 200  # other tokens unaffected


def test_bad_credentials_and_tokens(client: Client, anon: httpx.Client) -> None:
    assert_error(anon.post("/api/v1/auth/tokens", json={"email": client.email, "password": "wrong-one"}), 401)
    assert_error(anon.post("/api/v1/auth/tokens", json={"email": "nobody@example.com", "password": "whatever1"}), 401)
    assert_error(anon.post("/api/v1/auth/signup", json={"email": client.email, "password": PASSWORD}), 409, "conflict")
    assert_error(anon.post("/api/v1/auth/signup", json={"email": "x@y", "password": PASSWORD}), 400)
    assert_error(anon.post("/api/v1/auth/signup", json={"email": "a@example.com", "password": "123"}), 400)
    for header in ("", "Bearer", "Bearer pcs_forged", "Basic abc", "Bearer " + "x" * 300):
        assert_error(anon.get("/api/v1/me", headers={"Authorization": header}), 401)
    assert_error(anon.get("/api/v1/nodes/root"), 401)


def test_guessing_from_one_address_is_slowed_with_retry_after(stack: Stack, client: Client, anon: httpx.Client) -> None:
    for _ in range(3 + 1):  # PCS_LOGIN_FREE_FAILURES free failures, then one that starts the wait
        assert (
            anon.post("/api/v1/auth/tokens", json={"email": client.email, "password": "nope-nope"}).status_code == 401
        )
    r = anon.post("/api/v1/auth/tokens", json={"email": client.email, "password": PASSWORD})
    assert_error(r, 429, "throttled")
    assert int(r.headers["Retry-After"]) > 0


def test_folder_lifecycle(client: Client) -> None:
    root = client.root_id
    r = client.post(f"/api/v1/nodes/{root}/folders", json={"name": "Projects"})
    assert r.status_code == 201 and r.json()["kind"] == "folder"
    proj = r.json()["id"]
    assert_error(client.post(f"/api/v1/nodes/{root}/folders", json={"name": "projects"}), 409, "conflict")
    dup = client.post(f"/api/v1/nodes/{root}/folders", json={"name": "Projects", "on_conflict": "rename"}).json()
    assert dup["name"] == "Projects (1)"
    sub = client.post(f"/api/v1/nodes/{proj}/folders", json={"name": "2026"}).json()
    assert client.patch(f"/api/v1/nodes/{sub['id']}", json={"name": "2027"}).json()["name"] == "2027"
    moved = client.patch(f"/api/v1/nodes/{sub['id']}", json={"parent_id": dup["id"]}).json()
    assert moved["parent_id"] == dup["id"]
    assert_error(client.patch(f"/api/v1/nodes/{dup['id']}", json={"parent_id": sub["id"]}), 409)  # cycle
    detail = client.get(f"/api/v1/nodes/{sub['id']}").json()
    assert [p["id"] for p in detail["path"]] == [root, dup["id"]]
    copy = client.post(f"/api/v1/nodes/{dup['id']}/copy", json={"parent_id": proj}).json()
    assert [n["name"] for n in client.get(f"/api/v1/nodes/{copy['id']}/children").json()["items"]] == ["2027"]
    assert client.delete(f"/api/v1/nodes/{proj}").status_code == 200
    assert_error(client.get(f"/api/v1/nodes/{proj}"), 404)
    assert [n["id"] for n in client.get("/api/v1/trash").json()["items"]] == [proj]
    assert client.post(f"/api/v1/nodes/{proj}/restore").json()["name"] == "Projects"
    assert_error(client.delete(f"/api/v1/nodes/{root}"), 403, "forbidden")


def test_upload_download_range_and_versions(client: Client) -> None:
    data = os.urandom(200_000)
    r = upload(client, client.root_id, "data.bin", data)
    assert r.status_code == 201, r.text
    node = r.json()
    assert node["sha256"] == hashlib.sha256(data).hexdigest() and node["size"] == len(data)
    got = client.get(f"/api/v1/nodes/{node['id']}/content")
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-disposition"].startswith("attachment;")
    part = client.get(f"/api/v1/nodes/{node['id']}/content", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    tail = client.get(f"/api/v1/nodes/{node['id']}/content", headers={"Range": "bytes=-10"})
    assert tail.content == data[-10:]
    assert_error(client.get(f"/api/v1/nodes/{node['id']}/content", headers={"Range": f"bytes={len(data)}-"}), 416)
    etag = got.headers["etag"]
    assert client.get(f"/api/v1/nodes/{node['id']}/content", headers={"If-None-Match": etag}).status_code == 304
    assert upload(client, client.root_id, "data.bin", b"new content").json()["id"] == node["id"]
    versions = client.get(f"/api/v1/nodes/{node['id']}/versions").json()
    assert [v["size"] for v in versions] == [11, len(data)]
    old = client.get(f"/api/v1/nodes/{node['id']}/content", params={"version": versions[1]["id"]})
    assert old.content == data


def test_streamed_upload_without_length_and_large(client: Client) -> None:
    data = os.urandom(20 * 1024 * 1024 + 7)

    def gen():  # type: ignore[no-untyped-def]
        for i in range(0, len(data), 1 << 20):
            yield data[i : i + (1 << 20)]

    r = client.put(f"/api/v1/nodes/{client.root_id}/files", params={"name": "chunked.bin"}, content=gen())
    assert r.status_code == 201, r.text
    assert r.json()["sha256"] == hashlib.sha256(data).hexdigest()
    assert client.get(f"/api/v1/nodes/{r.json()['id']}/content").content == data


def test_unicode_names_and_content_disposition(client: Client) -> None:
    name = "Résumé «final» 日本.txt"
    node = upload(client, client.root_id, name, b"hello").json()
    assert node["name"] == name and node["mime_type"] == "text/plain"
    cd = client.get(f"/api/v1/nodes/{node['id']}/content").headers["content-disposition"]
    assert "filename*=UTF-8''R%C3%A9sum%C3%A9" in cd
    xss = upload(client, client.root_id, "<img src=x onerror=alert(1)>.html", b"<script>alert(1)</script>").json()
    r = client.get(f"/api/v1/nodes/{xss['id']}/content", params={"inline": "true"})
    assert r.headers["content-disposition"].startswith("attachment")  # HTML is never served inline
    assert "sandbox" in r.headers["content-security-policy"] and r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("bad", ["", ".", "..", "../x", "a/b", "/etc/passwd", "%2e%2e/", "x\x00y", "x\ny", "é" * 256])
def test_invalid_names_are_400_and_save_nothing(client: Client, bad: str) -> None:
    body = assert_error(upload(client, client.root_id, bad, b"x"), 400)
    assert body["error"] in ("invalid_name", "invalid_input")
    folder = assert_error(client.post(f"/api/v1/nodes/{client.root_id}/folders", json={"name": bad}), 400)
    for said in (body["message"], folder["message"]):  # what is wrong with the name, never a regular expression
        assert "pattern" not in said and "\\x00" not in said and "name" in said.lower(), said
    assert client.get(f"/api/v1/nodes/{client.root_id}/children").json()["items"] == []


def test_malformed_ids_are_refused_before_any_query(client: Client) -> None:
    # Ids are 16 of A-Z a-z 0-9 _ -: a path with anything else there matches no route (JSON 404).
    for node_id in ("..%2F..%2Fetc%2Fpasswd", "%2e%2e", "x" * 40, "' OR 1=1 --", "%00", "a%00b", "caf%C3%A9", "x" * 15):
        for path in (f"/api/v1/nodes/{node_id}", f"/api/v1/nodes/{node_id}/children"):
            r = client.get(path)
            assert r.status_code == 404, (path, r.text)
            assert r.json()["error"] == "not_found"
    r = client.get("/api/v1/nodes/AAAAAAAAAAAAAAAA")  # well formed, unknown
    assert r.status_code == 404 and r.json()["error"] == "not_found"


def test_another_users_ids_answer_like_missing_ones(client: Client, other: Client) -> None:
    mine = upload(client, client.root_id, "mine.txt", b"private").json()
    folder = client.post(f"/api/v1/nodes/{client.root_id}/folders", json={"name": "private"}).json()
    missing = other.get("/api/v1/nodes/AAAAAAAAAAAAAAAA")
    for r in (
        other.get(f"/api/v1/nodes/{mine['id']}"),
        other.get(f"/api/v1/nodes/{mine['id']}/content"),
        other.get(f"/api/v1/nodes/{folder['id']}/children"),
        other.patch(f"/api/v1/nodes/{mine['id']}", json={"name": "x"}),
        other.delete(f"/api/v1/nodes/{mine['id']}"),
        other.post(f"/api/v1/nodes/{mine['id']}/copy", json={"parent_id": other.root_id}),
        other.post(f"/api/v1/nodes/{folder['id']}/folders", json={"name": "x"}),
        upload(other, folder["id"], "x", b"x"),
        other.get(f"/api/v1/nodes/{mine['id']}/versions"),
    ):
        assert r.status_code == 404 and r.json()["error"] == missing.json()["error"] == "not_found"
    assert client.get(f"/api/v1/nodes/{mine['id']}/content").content == b"private"


def test_malformed_and_oversize_bodies(client: Client) -> None:
    root = client.root_id
    bad = client.post(
        f"/api/v1/nodes/{root}/folders", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_error(bad, 400)
    assert_error(client.post(f"/api/v1/nodes/{root}/folders", json={"name": "x", "extra": 1}), 400)
    assert_error(client.post(f"/api/v1/nodes/{root}/folders", json={"name": 5}), 400)
    assert_error(client.post(f"/api/v1/nodes/{root}/folders", json=[]), 400)
    huge = b'{"name": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    assert_error(
        client.post(f"/api/v1/nodes/{root}/folders", content=huge, headers={"content-type": "application/json"}), 413
    )
    assert_error(client.get(f"/api/v1/nodes/{root}/children", params={"limit": 0}), 400)
    assert_error(client.get(f"/api/v1/nodes/{root}/children", params={"cursor": "!!!"}), 400)
    assert_error(client.get(f"/api/v1/nodes/{root}/children", params={"sort": "evil"}), 400)
    assert_error(upload(client, root, "a.bin", b"12345", on_conflict="explode"), 400)
    r = client.put(
        f"/api/v1/nodes/{root}/files",
        params={"name": "sha.bin"},
        content=b"abc",
        headers={"X-Content-SHA256": "0" * 64},
    )
    assert_error(r, 422, "integrity_failed")
    assert client.get(f"/api/v1/nodes/{root}/children").json()["items"] == []


def test_hash_first_upload(client: Client, other: Client) -> None:
    data = os.urandom(5000)
    body = {"name": "copy.bin", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert_error(client.post(f"/api/v1/nodes/{client.root_id}/files/by-hash", json=body), 404, "content_unknown")
    upload(client, client.root_id, "orig.bin", data)
    r = client.post(f"/api/v1/nodes/{client.root_id}/files/by-hash", json=body)
    assert r.status_code == 201 and client.get(f"/api/v1/nodes/{r.json()['id']}/content").content == data
    assert_error(other.post(f"/api/v1/nodes/{other.root_id}/files/by-hash", json=body), 404, "content_unknown")
    assert_error(client.post(f"/api/v1/nodes/{client.root_id}/files/by-hash", json={**body, "sha256": "zz"}), 400)


def test_large_file_session_straight_to_s3(client: Client) -> None:
    size = 64 * 1024 * 1024 + 5
    data = os.urandom(size)
    r = client.post(
        "/api/v1/uploads",
        json={"parent_id": client.root_id, "name": "big.iso", "size": size, "sha256": hashlib.sha256(data).hexdigest()},
    )
    assert r.status_code == 201, r.text
    sess = r.json()
    count = -(-size // sess["part_size"])  # the last part holds the 5 extra bytes
    assert count >= 2 and [p["number"] for p in sess["parts"]] == list(range(1, count + 1))
    body = assert_error(client.post(f"/api/v1/uploads/{sess['id']}/complete"), 409)
    assert body["missing_parts"] == list(range(1, count + 1))
    offset = 0
    for p in sess["parts"][:-1]:
        assert httpx.put(p["url"], content=data[offset : offset + p["size"]], timeout=60).status_code == 200
        offset += p["size"]
    body = assert_error(client.post(f"/api/v1/uploads/{sess['id']}/complete"), 409)  # the last part still missing
    assert body["missing_parts"] == [count]
    p = sess["parts"][-1]
    assert httpx.put(p["url"], content=data[offset : offset + p["size"]], timeout=60).status_code == 200
    done = client.post(f"/api/v1/uploads/{sess['id']}/complete")
    assert done.status_code == 201, done.text
    got = client.get(f"/api/v1/nodes/{done.json()['id']}/content")
    assert hashlib.sha256(got.content).hexdigest() == hashlib.sha256(data).hexdigest()
    r = client.post("/api/v1/uploads", json={"parent_id": client.root_id, "name": "gone.bin", "size": 10})
    assert client.delete(f"/api/v1/uploads/{r.json()['id']}").status_code == 204
    assert_error(client.post(f"/api/v1/uploads/{r.json()['id']}/complete"), 404)


def test_change_feed_and_long_poll(client: Client) -> None:
    start = client.get("/api/v1/changes").json()["cursor"]
    t0 = time.monotonic()
    empty = client.get("/api/v1/changes", params={"since": start, "timeout": 1}).json()
    assert empty["changes"] == [] and time.monotonic() - t0 >= 0.9
    result: dict = {}  # type: ignore[type-arg]

    def poll() -> None:
        t = time.monotonic()
        result["body"] = client.get("/api/v1/changes", params={"since": start, "timeout": 20}).json()
        result["waited"] = time.monotonic() - t

    th = threading.Thread(target=poll)
    th.start()
    th.join(0.5)
    assert th.is_alive()  # the poll is waiting: nothing has changed yet
    upload(client, client.root_id, "wake.txt", b"up")
    th.join(30)
    assert [c["kind"] for c in result["body"]["changes"]] == ["created"]
    assert result["waited"] < 5  # woken by the change, not by the timeout
    assert result["body"]["changes"][0]["name"] == "wake.txt"


def test_openapi_and_docs_are_served(anon: httpx.Client) -> None:
    spec = anon.get("/api/openapi.json").json()
    assert "/api/v1/nodes/{node_id}/files" in spec["paths"]
    assert anon.get("/api/docs").status_code == 200
    assert_error(anon.get("/api/v1/no-such-route"), 404)
