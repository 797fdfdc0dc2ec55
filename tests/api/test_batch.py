"""POST /api/v1/nodes/{folder}/batch: many files in one multipart request, one result per file.

Over HTTP against the whole app (SQLite, and PostgreSQL with several workers). Each bad file fails
alone with its reason and leaves nothing behind: no node, and no object in S3.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import boto3
import httpx
import pytest
from botocore.config import Config

from tests.api.conftest import Client
from tests.stack import Stack

Part = tuple[str, str | None, bytes]  # (field name, filename, body)


def multipart(parts: Iterable[Part]) -> tuple[str, bytes]:
    """(content type, body) of a multipart/form-data request, built by hand so tests control every byte."""
    boundary = "pcs-" + secrets.token_hex(12)
    out = bytearray()
    for name, filename, body in parts:
        out += f"--{boundary}\r\n".encode()
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += f"Content-Disposition: {disp}\r\n".encode()
        out += b"Content-Type: application/octet-stream\r\n\r\n" + body + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", bytes(out)


def manifest(entries: list[dict[str, Any]]) -> Part:
    return ("manifest", None, json.dumps(entries).encode())


def send(client: Client, folder: str, parts: Iterable[Part], **params: str) -> Any:
    ctype, body = multipart(parts)
    r = client.post(f"/api/v1/nodes/{folder}/batch", params=params, content=body, headers={"content-type": ctype})
    return r


def batch(client: Client, folder: str, files: dict[str, bytes], **params: str) -> dict[str, Any]:
    """Send ``files`` (path -> bytes) with a manifest giving each one's size and sha256."""
    entries = [{"path": p, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for p, d in files.items()]
    r = send(
        client, folder, [manifest(entries), *(("file", p.rsplit("/", 1)[-1], d) for p, d in files.items())], **params
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def mkdir(client: Client, parent: str, name: str) -> str:
    r = client.post(f"/api/v1/nodes/{parent}/folders", json={"name": name})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def tree(client: Client, folder: str, prefix: str = "") -> dict[str, bytes]:
    """Every file below ``folder`` as path -> content (downloaded), folders as path/ -> b''."""
    out: dict[str, bytes] = {}
    r = client.get(f"/api/v1/nodes/{folder}/children", params={"limit": 1000})
    assert r.status_code == 200, r.text
    for item in r.json()["items"]:
        path = prefix + item["name"]
        if item["kind"] == "folder":
            out[path + "/"] = b""
            out.update(tree(client, item["id"], path + "/"))
        else:
            got = client.get(f"/api/v1/nodes/{item['id']}/content")
            assert got.status_code == 200
            out[path] = got.content
    return out


def objects(stack: Stack) -> set[str]:
    """The keys of every file object in the stack's S3 bucket."""
    creds = json.loads((stack.data_dir / "s3-credentials.json").read_text())
    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{stack.s3_port}",
        region_name="us-east-1",
        aws_access_key_id=creds["accessKey"],
        aws_secret_access_key=creds["secretKey"],
        config=Config(s3={"addressing_style": "path"}),
    )
    keys: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket="pcs", Prefix="blobs/"):
        keys.update(o["Key"] for o in page.get("Contents", []))
    return keys


def by_path(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["path"]: item for item in result["items"]}


def test_paths_create_folders_and_every_file_is_its_own_object(stack: Stack, client: Client) -> None:
    folder = mkdir(client, client.root_id, "drop")
    files = {f"photos/2024/p{i}.jpg": secrets.token_bytes(4096) for i in range(5)}
    files |= {"photos/cover.txt": b"cover", "readme.md": b"# hello", "a/b/c/d/e.bin": secrets.token_bytes(100)}
    before = objects(stack)
    result = batch(client, folder, files)
    assert (result["created"], result["updated"], result["unchanged"], result["failed"]) == (len(files), 0, 0, 0)
    assert [i["path"] for i in result["items"]] == list(files)  # in the order sent
    for item in result["items"]:
        assert item["status"] == "created" and item["error"] is None
        assert item["node"]["size"] == len(files[item["path"]])
        assert item["node"]["sha256"] == hashlib.sha256(files[item["path"]]).hexdigest()
    got = tree(client, folder)
    assert {p: d for p, d in got.items() if not p.endswith("/")} == files
    assert {p for p in got if p.endswith("/")} == {"photos/", "photos/2024/", "a/", "a/b/", "a/b/c/", "a/b/c/d/"}
    assert len(objects(stack) - before) == len(files)
    # The changes came in the feed like any upload's.
    changes = client.get("/api/v1/changes", params={"since": 0, "limit": 5000}).json()["changes"]
    assert {c["name"] for c in changes if c["kind"] == "created"} >= {"photos", "2024", "p0.jpg", "readme.md"}


def test_without_a_manifest_each_filename_is_the_path(client: Client) -> None:
    folder = mkdir(client, client.root_id, "plain")
    r = send(client, folder, [("file", "docs/one.txt", b"one"), ("file", "two.txt", b"two"), ("other", None, b"x")])
    assert r.status_code == 200, r.text
    assert [(i["path"], i["status"]) for i in r.json()["items"]] == [
        ("docs/one.txt", "created"),
        ("two.txt", "created"),
    ]
    assert tree(client, folder) == {"docs/": b"", "docs/one.txt": b"one", "two.txt": b"two"}


def test_clashing_names_follow_on_conflict(client: Client) -> None:
    folder = mkdir(client, client.root_id, "clash")
    assert client.put(f"/api/v1/nodes/{folder}/files", params={"name": "x.txt"}, content=b"old").status_code == 201
    files = [("file", "x.txt", b"new"), ("file", "y.txt", b"y1"), ("file", "Y.TXT", b"y2"), ("file", "z", b"file z")]
    r = send(client, folder, [*files, ("file", "z/inside.txt", b"in z")], on_conflict="fail")
    items = r.json()["items"]
    assert [(i["status"], (i["error"] or {}).get("error")) for i in items] == [
        ("failed", "conflict"),  # x.txt was there
        ("created", None),
        ("failed", "conflict"),  # names differing only by case collide, also within one batch
        ("created", None),
        ("failed", "conflict"),  # 'z' is a file: it cannot be a folder
    ]
    assert r.json()["failed"] == 3
    assert tree(client, folder) == {"x.txt": b"old", "y.txt": b"y1", "z": b"file z"}
    r = send(client, folder, [("file", "x.txt", b"newer"), ("file", "y.txt", b"y3")], on_conflict="rename")
    assert [i["node"]["name"] for i in r.json()["items"]] == ["x (1).txt", "y (1).txt"]
    r = send(client, folder, [("file", "x.txt", b"newest"), ("file", "x.txt", b"and again")], on_conflict="replace")
    assert [i["status"] for i in r.json()["items"]] == ["updated", "updated"]
    node = r.json()["items"][1]["node"]
    assert client.get(f"/api/v1/nodes/{node['id']}/content").content == b"and again"
    assert len(client.get(f"/api/v1/nodes/{node['id']}/versions").json()) == 3


@pytest.mark.parametrize(
    "bad",
    ["../evil.txt", "a/../b.txt", "/abs.txt", "trailing/", "a//b.txt", ".", "back\\slash.txt", "tab\there.txt", ""],
)
def test_illegal_paths_fail_alone(stack: Stack, client: Client, bad: str) -> None:
    folder = mkdir(client, client.root_id, f"illegal-{secrets.token_hex(3)}")
    before = objects(stack)
    entries = [{"path": "good-1.txt"}, {"path": bad}, {"path": "good-2.txt"}]
    bodies = [b"body %d " % i + secrets.token_bytes(8) for i in range(3)]  # new content: no deduplication
    r = send(client, folder, [manifest(entries), *(("file", "f", b) for b in bodies)])
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["status"] for i in items] == ["created", "failed", "created"]
    assert items[1]["error"]["error"] == "invalid_name" and items[1]["node"] is None
    assert tree(client, folder) == {"good-1.txt": bodies[0], "good-2.txt": bodies[2]}
    assert len(objects(stack) - before) == 2


def test_declared_size_or_sha256_that_does_not_match_fails_alone(stack: Stack, client: Client) -> None:
    folder = mkdir(client, client.root_id, "declared")
    before = objects(stack)
    good, data = b"the right bytes " + secrets.token_bytes(8), b"some bytes " + secrets.token_bytes(8)
    entries = [
        {"path": "ok.txt", "size": len(good), "sha256": hashlib.sha256(good).hexdigest()},
        {"path": "short.txt", "size": len(data) + 1},
        {"path": "wrong-hash.txt", "sha256": hashlib.sha256(b"other bytes").hexdigest()},
        {"path": "dir/also-ok.txt", "size": len(data)},
    ]
    r = send(client, folder, [manifest(entries), *(("file", "f", d) for d in (good, data, data, data))])
    items = by_path(r.json())
    assert items["ok.txt"]["status"] == items["dir/also-ok.txt"]["status"] == "created"
    for path in ("short.txt", "wrong-hash.txt"):
        assert items[path]["status"] == "failed" and items[path]["error"]["error"] == "integrity_failed"
    assert tree(client, folder) == {"ok.txt": good, "dir/": b"", "dir/also-ok.txt": data}
    assert len(objects(stack) - before) == 2
    # A manifest entry whose file never came, and a file without an entry, fail too.
    r = send(client, folder, [manifest([{"path": "one.txt"}, {"path": "two.txt"}]), ("file", "f", b"1")])
    assert [(i["path"], i["status"]) for i in r.json()["items"]] == [("one.txt", "created"), ("two.txt", "failed")]
    r = send(client, folder, [manifest([{"path": "three.txt"}]), ("file", "a", b"3"), ("file", "extra", b"4")])
    assert [i["status"] for i in r.json()["items"]] == ["created", "failed"]


def test_a_file_too_large_for_a_batch_fails_alone(client: Client) -> None:
    folder = mkdir(client, client.root_id, "large")
    big = b"L" * (16 * 1024 * 1024 + 1)
    r = send(client, folder, [("file", "small.txt", b"small"), ("file", "big.bin", big), ("file", "after.txt", b"x")])
    assert [(i["status"], (i["error"] or {}).get("error")) for i in r.json()["items"]] == [
        ("created", None),
        ("failed", "too_large"),
        ("created", None),
    ]
    assert tree(client, folder) == {"small.txt": b"small", "after.txt": b"x"}


def test_sending_the_same_batch_again_answers_unchanged(client: Client) -> None:
    folder = mkdir(client, client.root_id, "again")
    files = {"a.txt": b"A", "sub/b.txt": b"B"}
    first = batch(client, folder, files, on_conflict="fail")
    again = batch(client, folder, files, on_conflict="fail")
    assert [i["status"] for i in again["items"]] == ["unchanged", "unchanged"]
    assert [i["node"]["id"] for i in again["items"]] == [i["node"]["id"] for i in first["items"]]
    for item in again["items"]:
        assert len(client.get(f"/api/v1/nodes/{item['node']['id']}/versions").json()) == 1


def test_bad_requests_are_refused_whole(client: Client) -> None:
    folder = mkdir(client, client.root_id, "refused")
    r = client.post(f"/api/v1/nodes/{folder}/batch", content=b"plain", headers={"content-type": "text/plain"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_input"
    r = send(client, folder, [("file", "a.txt", b"a"), manifest([{"path": "late.txt"}])])
    assert r.status_code == 400 and "manifest" in r.json()["message"]
    assert r.json()["saved"] == 1  # the file that arrived whole before the fault
    r = send(client, folder, [("manifest", None, b"{not json")])
    assert r.status_code == 400 and r.json()["error"] == "invalid_input"
    ctype, body = multipart([("file", "cut.txt", b"never closed")])
    r = client.post(
        f"/api/v1/nodes/{folder}/batch", content=body[: -len(b"--\r\n") - 10], headers={"content-type": ctype}
    )
    assert r.status_code == 400 and r.json()["saved"] == 0  # the cut part is not a whole file
    r = send(client, "A" * 16, [("file", "a.txt", b"a")])
    assert r.status_code == 404
    # A part whose header never ends is refused (the multipart parser's own header limit), not held whole.
    ctype, body = multipart([("file", "head.txt", b"h")])
    endless = body.replace(b"Content-Type:", b"X-Pad: " + b"p" * 200_000 + b"\r\nContent-Type:", 1)
    r = client.post(f"/api/v1/nodes/{folder}/batch", content=endless, headers={"content-type": ctype})
    assert r.status_code == 400 and "header" in r.json()["message"].lower() and r.json()["saved"] == 0, r.text
    assert tree(client, folder) == {"a.txt": b"a"}  # the file before the late manifest was saved


def test_a_client_that_disconnects_halfway_leaves_no_half_file(stack: Stack, client: Client) -> None:
    folder = mkdir(client, client.root_id, "cut")
    files = {f"d/f{i}.bin": secrets.token_bytes(50_000) for i in range(6)}
    entries = [{"path": p, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for p, d in files.items()]
    ctype, body = multipart([manifest(entries), *(("file", "f", d) for d in files.values())])
    cut = body.index(files["d/f3.bin"]) + 20_000  # in the middle of the fourth file
    before = objects(stack)
    url = urlsplit(stack.url)
    head = (
        f"POST /api/v1/nodes/{folder}/batch HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Authorization: Bearer {client.token}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(head + body[:cut])
        time.sleep(1.0)
    # The server notices, saves the files that arrived whole and drops the cut one.
    whole = {p: files[p] for p in ("d/f0.bin", "d/f1.bin", "d/f2.bin")}
    saved: dict[str, bytes] = {}
    for _ in range(60):
        saved = {p: d for p, d in tree(client, folder).items() if not p.endswith("/")}
        if saved == whole and len(objects(stack) - before) == len(whole):
            break
        time.sleep(0.5)
    assert saved == whole  # never the cut file, nor any after it, and nothing half-written
    time.sleep(1.0)
    assert len(objects(stack) - before) == len(whole)  # the cut file's bytes never became an object
    # Sending the batch again completes it: what was saved answers unchanged.
    result = batch(client, folder, files)
    statuses = {i["path"]: i["status"] for i in result["items"]}
    assert all(statuses[p] == "unchanged" for p in saved)
    assert all(statuses[p] == "created" for p in files if p not in saved)
    assert {p: d for p, d in tree(client, folder).items() if not p.endswith("/")} == files
    assert len(objects(stack) - before) == len(files)


def test_a_large_file_session_resumes_and_its_urls_take_browser_uploads(stack: Stack, client: Client) -> None:
    """The web uploader's path for large files: parts straight to S3 from the page's origin (CORS),
    and after a reload the session says which parts are there already."""
    data = secrets.token_bytes(1000)
    r = client.post("/api/v1/uploads", json={"parent_id": client.root_id, "name": "big.bin", "size": len(data)})
    assert r.status_code == 201, r.text
    session = r.json()
    state = client.get(f"/api/v1/uploads/{session['id']}").json()
    assert state["uploaded"] == [] and [p["number"] for p in state["parts"]] == [1]
    url = state["parts"][0]["url"]
    origin = stack.url.replace("127.0.0.1", "localhost")  # the app's own origin (PCS_PUBLIC_URL's default)
    pre = httpx.options(url, headers={"Origin": origin, "Access-Control-Request-Method": "PUT"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == origin
    refused = httpx.options(url, headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "PUT"})
    assert refused.headers.get("access-control-allow-origin") != "http://evil.example"
    put = httpx.put(url, content=data, headers={"Origin": origin})
    assert put.status_code == 200 and put.headers["access-control-allow-origin"] == origin
    assert client.get(f"/api/v1/uploads/{session['id']}").json()["uploaded"] == [1]
    done = client.post(f"/api/v1/uploads/{session['id']}/complete")
    assert done.status_code == 201 and done.json()["sha256"] == hashlib.sha256(data).hexdigest()
    assert client.get(f"/api/v1/uploads/{session['id']}").status_code == 404


def test_a_batch_without_any_file_part_is_refused(client: Client) -> None:
    for parts in ([("other", None, b"{}")], [manifest([])]):
        r = send(client, client.root_id, parts)
        assert r.status_code == 400 and r.json()["error"] == "invalid_input", r.text
        assert "at least one part named 'file'" in r.json()["message"]
