"""Defects found by trying the API from outside, each pinned down: cut-off bodies, unread bodies on
keep-alive connections, CORS, the HttpOnly session cookie, names that fake an extension, 416 and
validators, duplicate zip entries, status totals, methods a route lacks."""

from __future__ import annotations

import io
import socket
import zipfile
from urllib.parse import urlsplit

import httpx

from tests.api.conftest import Client
from tests.api.test_api import assert_error, upload
from tests.conftest import PASSWORD
from tests.stack import Stack


def raw(stack: Stack, data: bytes, then: bytes = b"", read_timeout: float = 10) -> list[bytes]:
    """Send raw bytes on one keep-alive connection; return the responses' head blocks (and bodies)."""
    host = urlsplit(stack.url)
    with socket.create_connection((host.hostname, host.port), timeout=read_timeout) as sock:
        sock.sendall(data)
        if not then:
            sock.shutdown(socket.SHUT_WR)
        out = b""
        answers: list[bytes] = []
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            out += chunk
            if then and b"\r\n\r\n" in out and not answers:
                answers.append(out)
                out = b""
                try:
                    sock.sendall(then)
                except OSError:
                    break
        answers.append(out)
        return [a for a in answers if a]


def head(block: bytes) -> tuple[int, dict[str, str]]:
    lines = block.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    return status, {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)}


def listing(client: Client) -> list[str]:
    return [i["name"] for i in client.get(f"/api/v1/nodes/{client.root_id}/children").json()["items"]]


def test_a_body_shorter_than_its_length_is_a_400_and_saves_nothing(stack: Stack, client: Client) -> None:
    req = (
        f"PUT /api/v1/nodes/{client.root_id}/files?name=short.bin HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {client.token}\r\nContent-Length: 100000\r\n\r\n"
    ).encode() + b"x" * 1000
    answers = raw(stack, req)
    if answers:  # the server may also just close: the client is gone either way
        status, _ = head(answers[0])
        assert status == 400
    assert "short.bin" not in listing(client)
    bad_chunks = (
        f"PUT /api/v1/nodes/{client.root_id}/files?name=chunky.bin HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {client.token}\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n"
    ).encode()
    for block in raw(stack, bad_chunks):
        assert head(block)[0] == 400
    assert "chunky.bin" not in listing(client)
    log = stack.log.read_text()
    assert "Traceback" not in log[-20000:], log[-3000:]


def test_an_upload_refused_before_its_body_leaves_the_connection_usable(stack: Stack, client: Client) -> None:
    body = b"y" * 200_000
    first = (
        "PUT /api/v1/nodes/AAAAAAAAAAAAAAAA/files?name=x.bin HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {client.token}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    second = f"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {client.token}\r\n\r\n".encode()
    answers = raw(stack, first, then=second)
    status, headers = head(answers[0])
    assert status == 404
    # Either the server said it closes (the client then reconnects), or the next request works.
    if headers.get("connection", "").lower() != "close":
        assert len(answers) > 1 and head(answers[1])[0] == 200, answers


def test_a_body_refused_unread_closes_the_connection(stack: Stack, client: Client) -> None:
    # The 413 comes before the body is read, so the connection cannot carry another request; without
    # "Connection: close" a keep-alive client sent its next request into a socket the server was closing.
    req = (
        f"POST /api/v1/nodes/{client.root_id}/folders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {client.token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {2 * 1024 * 1024}\r\n\r\n"
    ).encode()
    status, headers = head(raw(stack, req)[0])
    assert status == 413 and headers.get("connection", "").lower() == "close", headers
    # A path no route can take (a newline in it) is answered in JSON, also unread, also closing.
    req = (
        f"POST /api/v1/nodes/a%0Ab/folders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {client.token}\r\n"
        "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    ).encode()
    answer = raw(stack, req)[0]
    status, headers = head(answer)
    assert status == 404 and b'"not_found"' in answer and headers.get("connection", "").lower() == "close", answer


def test_cors_allows_only_the_apps_own_origin(stack: Stack, client: Client) -> None:
    own = f"http://localhost:{stack.port}"
    for origin, allowed in ((own, True), ("https://evil.example", False), ("null", False)):
        r = httpx.options(
            f"{stack.url}/api/v1/me",
            headers={"Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x"},
        )
        got = r.headers.get("access-control-allow-origin")
        assert (got == origin) is allowed, (origin, r.status_code, dict(r.headers))
        if not allowed:
            assert got is None  # without it, the browser shares no response with that page
        simple = client.get("/api/v1/me", headers={"Origin": origin})
        assert (simple.headers.get("access-control-allow-origin") == origin) is allowed


def test_the_web_session_is_an_httponly_cookie_that_needs_the_apps_header_to_change_things(stack: Stack) -> None:
    email = f"cookie{httpx.URL(stack.url).port}{id(stack) % 9999}@example.com"
    with httpx.Client(base_url=stack.url) as web:
        r = web.post("/api/v1/auth/session", json={"email": email, "password": PASSWORD, "create": True})
        assert r.status_code == 201, r.text
        assert "token" not in r.text
        cookie = r.headers["set-cookie"].lower()
        assert "pcs_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
        root = web.get("/api/v1/me").json()["root_id"]  # GET with the cookie alone works
        # A change with the cookie but without the app's header is refused (a forged cross-site form).
        assert_error(web.post(f"/api/v1/nodes/{root}/folders", json={"name": "csrf"}), 403, "forbidden")
        ok = web.post(f"/api/v1/nodes/{root}/folders", json={"name": "mine"}, headers={"X-PCS-Request": "1"})
        assert ok.status_code == 201
        evil = web.post(
            f"/api/v1/nodes/{root}/folders",
            json={"name": "evil"},
            headers={"X-PCS-Request": "1", "Origin": "https://evil.example"},
        )
        assert_error(evil, 403, "forbidden")
        assert web.delete("/api/v1/auth/session", headers={"X-PCS-Request": "1"}).status_code == 204
        web.cookies.clear()
        assert_error(web.get("/api/v1/me"), 401)


def test_names_with_c1_controls_or_direction_overrides_are_refused(client: Client) -> None:
    for name in ("invoice\u202efdp.exe", "a\u0085b", "x\u2066y", "\u009fz"):
        r = client.post(f"/api/v1/nodes/{client.root_id}/folders", json={"name": name})
        assert r.status_code == 400, name
        r = client.put(f"/api/v1/nodes/{client.root_id}/files", params={"name": name}, content=b"1")
        assert r.status_code == 400, name
    assert listing(client) == []


def test_416_says_the_size_and_weak_or_star_validators_give_304(client: Client) -> None:
    node = upload(client, client.root_id, "ten.txt", b"0123456789").json()
    url = f"/api/v1/nodes/{node['id']}/content"
    r = client.get(url, headers={"Range": "bytes=50-60"})
    assert r.status_code == 416 and r.headers["content-range"] == "bytes */10"
    etag = client.get(url).headers["etag"]
    for header in (etag, f"W/{etag}", "*", f'"other", W/{etag}'):
        assert client.get(url, headers={"If-None-Match": header}).status_code == 304, header
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_zip_of_same_named_items_from_different_folders_numbers_them(client: Client) -> None:
    a = client.post(f"/api/v1/nodes/{client.root_id}/folders", json={"name": "a"}).json()["id"]
    b = client.post(f"/api/v1/nodes/{client.root_id}/folders", json={"name": "b"}).json()["id"]
    one = upload(client, a, "same.txt", b"from a").json()["id"]
    two = upload(client, b, "same.txt", b"from b").json()["id"]
    three = upload(client, b, "SAME", b"x").json()["id"]
    four = upload(client, a, "same", b"y").json()["id"]
    r = client.get("/api/v1/archive", params=[("ids", one), ("ids", two), ("ids", three), ("ids", four)])
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert names == ["same.txt", "same (1).txt", "SAME", "same (1)"]
    z = zipfile.ZipFile(io.BytesIO(r.content))
    assert z.read("same.txt") == b"from a" and z.read("same (1).txt") == b"from b"


def test_server_totals_are_for_administrators_only(client: Client, anon: httpx.Client) -> None:
    assert_error(client.get("/api/v1/admin/totals"), 403, "forbidden")
    assert_error(anon.get("/api/v1/admin/totals"), 401)
    assert anon.get("/api/v1/health").json() == {"database": True, "storage": True}


def test_a_method_a_route_lacks_is_405_with_allow(client: Client, anon: httpx.Client) -> None:
    r = client.post(f"/api/v1/nodes/{client.root_id}")
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"
    assert set(r.headers["allow"].split(", ")) == {"GET", "PATCH", "DELETE", "OPTIONS"}
    r = anon.options(f"/api/v1/nodes/{client.root_id}/children")
    assert r.status_code == 204 and set(r.headers["allow"].split(", ")) == {"GET", "OPTIONS"}
    for path in ("/api", "/api/nope", "/api/v1/nodes/x/nope"):
        r = anon.get(path)
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/json"), path
