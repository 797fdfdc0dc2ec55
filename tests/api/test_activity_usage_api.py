"""Activity, usage, notifications and account security over HTTP, against the whole app (SQLite and
PostgreSQL + Redis): what each route answers, that each person sees only their own, that the
administrators' routes refuse everyone else, and that mail leaves through the worker."""

from __future__ import annotations

import email
import email.policy
import re
import secrets
from datetime import UTC, datetime
from email.message import EmailMessage

import httpx
import pytest

from tests.api.conftest import Client, signup
from tests.conftest import PASSWORD, wait_until
from tests.stack import Stack

AGENT = "pcs-test-agent/1.0 (X11; Linux x86_64) Firefox/140.0"


@pytest.fixture
def admin(stack: Stack) -> Client:
    email_ = f"admin{secrets.token_hex(4)}@example.com"
    stack.cli("create-admin", "--email", email_, "--password-stdin", stdin=PASSWORD + "\n")
    r = httpx.post(f"{stack.url}/api/v1/auth/tokens", json={"email": email_, "password": PASSWORD, "name": "t"})
    assert r.status_code == 201, r.text
    http = httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {r.json()['token']}"}, timeout=60)
    body = http.get("/api/v1/me").json()
    return Client(http, r.json()["token"], body["root_id"], email_, body["id"])


def put(c: Client, parent: str, name: str, data: bytes) -> dict[str, object]:
    r = c.put(f"/api/v1/nodes/{parent}/files", params={"name": name}, content=data, headers={"User-Agent": AGENT})
    assert r.status_code == 201, r.text
    return dict(r.json())


def outbox(stack: Stack, to: str, count: int = 1) -> list[EmailMessage]:
    """The .eml files the worker wrote for ``to`` (PCS_MAIL_BACKEND=outbox, the default)."""

    def found() -> list[EmailMessage]:
        msgs = []
        for path in sorted((stack.data_dir / "outbox").glob("*.eml")):
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            if to in str(msg["To"]):
                msgs.append(msg)
        return msgs

    assert wait_until(lambda: len(found()) >= count, timeout=30), f"no mail for {to} in the outbox"
    return found()


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_activity_lists_my_own_events_with_address_and_agent(client: Client, other: Client, stack: Stack) -> None:
    f = put(client, client.root_id, "mine.txt", b"my words")
    assert client.get(f"/api/v1/nodes/{f['id']}/content", headers={"User-Agent": AGENT}).status_code == 200
    put(other, other.root_id, "theirs.txt", b"their words")
    # Reads are written by a buffer within a quarter second (maybe by another app worker).
    assert wait_until(lambda: client.get("/api/v1/activity").json()["items"][0]["action"] == "file.download")
    r = client.get("/api/v1/activity")
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["action"] for i in items[:2]] == ["file.download", "file.upload"]
    for i in items[:2]:
        assert (i["actor"], i["address"], i["user_agent"], i["target"]) == (
            client.email,
            "127.0.0.1",
            AGENT,
            "mine.txt",
        )
    assert items[0]["detail"] == {"bytes": 8}
    assert "theirs.txt" not in r.text
    assert [i["action"] for i in client.get("/api/v1/activity", params={"kind": "downloads"}).json()["items"]] == [
        "file.download"
    ]
    page = client.get("/api/v1/activity", params={"limit": 1}).json()
    older = client.get("/api/v1/activity", params={"limit": 1, "cursor": page["next_cursor"]}).json()
    assert page["items"][0]["id"] > older["items"][0]["id"]
    r = client.get("/api/v1/activity", params={"kind": "everything"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_input"
    assert client.get("/api/v1/activity", params={"cursor": "not a number"}).status_code == 400


def test_the_admin_audit_log_is_for_administrators(client: Client, admin: Client) -> None:
    put(client, client.root_id, "seen.txt", b"x")
    r = client.get("/api/v1/admin/audit")
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    r = admin.get("/api/v1/admin/audit", params={"user": client.user_id})
    assert r.status_code == 200
    assert {i["action"] for i in r.json()["items"]} >= {"file.upload", "auth.sign_up", "auth.sign_in"}
    assert all(client.user_id in (i["actor_id"], i["owner_id"]) for i in r.json()["items"])


def test_usage_counts_uploads_and_downloads_at_once(client: Client, stack: Stack) -> None:
    folder = client.post(f"/api/v1/nodes/{client.root_id}/folders", json={"name": "Pics"}).json()["id"]
    pic = put(client, folder, "p.png", b"\x89PNG\r\n\x1a\n" + b"p" * 992)
    put(client, client.root_id, "notes.txt", b"n" * 100)
    url = f"/api/v1/nodes/{pic['id']}/content"
    assert client.get(url).status_code == 200  # counts
    assert client.get(url, headers={"Range": "bytes=0-9"}).status_code == 206  # from the first byte: counts
    assert client.get(url, headers={"Range": "bytes=10-"}).status_code == 206  # a resume: does not
    assert client.head(url).status_code == 200  # does not
    etag = client.get(url).headers["etag"]  # counts
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304  # does not
    # Downloads are written by a buffer within a quarter second (maybe by another app worker).
    assert wait_until(lambda: client.get("/api/v1/usage").json()["daily"][-1]["downloads"] == 3)
    r = client.get("/api/v1/usage", params={"days": 7})
    assert r.status_code == 200
    u = r.json()
    assert (u["used_bytes"], u["files"], u["live_bytes"]) == (1100, 2, 1100)
    assert u["by_type"] == {"image": 1000, "video": 0, "audio": 0, "document": 100, "archive": 0, "other": 0}
    assert [(f["name"], f["bytes"]) for f in u["by_folder"]] == [("Pics", 1000), ("", 100)]
    today = u["daily"][-1]
    assert (today["uploads"], today["upload_bytes"], today["downloads"], today["download_bytes"]) == (2, 1100, 3, 3000)
    assert today["stored_bytes"] == 1100 and len(u["daily"]) == 1  # the account is a day old
    assert [(x["kind"], x["name"], x["size"]) for x in u["largest"]] == [
        ("file", "p.png", 1000),
        ("file", "notes.txt", 100),
        ("folder", "Pics", 1000),
    ]
    assert u["links"] == [] and u["dedup_saved_bytes"] == 0
    r = client.get("/api/v1/usage/daily.csv", params={"days": 1})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines() == [
        "day,stored_bytes,uploads,upload_bytes,downloads,download_bytes",
        f"{datetime.now(UTC).date().isoformat()},1100,2,1100,3,3000",
    ]
    assert client.get("/api/v1/usage", params={"days": 0}).status_code == 400


def test_the_admin_usage_routes_are_for_administrators(client: Client, admin: Client) -> None:
    put(client, client.root_id, "a.bin", b"a" * 321)
    for path in ("/api/v1/admin/usage", "/api/v1/admin/overview", "/api/v1/admin/costs"):
        r = client.get(path)
        assert r.status_code == 403 and r.json()["error"] == "forbidden", path
    rows = admin.get("/api/v1/admin/usage", params={"sort": "email", "order": "asc"}).json()
    emails = [x["email"] for x in rows]
    assert emails == sorted(emails)
    mine = next(x for x in rows if x["email"] == client.email)
    assert (mine["used_bytes"], mine["files"], mine["uploads"], mine["upload_bytes"]) == (321, 1, 1, 321)
    assert admin.get("/api/v1/admin/usage", params={"sort": "password"}).status_code == 400
    o = admin.get("/api/v1/admin/overview").json()
    assert o["accounts"] >= 2 and o["health"]["storage"] is True and o["health"]["database"] is True
    assert set(o["queue"]) >= {"pending", "retrying", "failed", "mail", "usage_events_waiting"}
    c = admin.get("/api/v1/admin/costs", params={"multiplier": 3}).json()
    assert c["multiplier"] == 3 and c["projected"]["total_usd"] >= c["current"]["total_usd"] > 0
    assert c["prices_as_of"] and len(c["explanations"]) == 2
    assert {x["service"] for x in c["current"]["lines"]} >= {"S3 storage", "CloudFront"}


def test_forgot_password_by_mail(client: Client, stack: Stack, anon: httpx.Client) -> None:
    r = anon.post("/api/v1/auth/password-reset", json={"email": client.email})
    assert r.status_code == 202
    ghost = anon.post("/api/v1/auth/password-reset", json={"email": f"ghost{secrets.token_hex(4)}@example.com"})
    assert (ghost.status_code, ghost.json()) == (202, r.json())  # says nothing about the account
    (msg,) = outbox(stack, client.email)
    assert msg["Subject"] == "Reset your PCS password"
    found = re.search(r"/reset-password\?token=(pcsr_[A-Za-z0-9_-]{43})", text_of(msg))
    assert found is not None
    bad = anon.post("/api/v1/auth/password-reset/confirm", json={"token": "pcsr_" + "A" * 43, "password": "x" * 12})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_token"
    ok = anon.post("/api/v1/auth/password-reset/confirm", json={"token": found.group(1), "password": "new password!!"})
    assert ok.status_code == 204
    again = anon.post("/api/v1/auth/password-reset/confirm", json={"token": found.group(1), "password": "other one!!"})
    assert again.status_code == 400
    assert client.get("/api/v1/me").status_code == 401  # every session ended
    r = anon.post("/api/v1/auth/tokens", json={"email": client.email, "password": "new password!!"})
    assert r.status_code == 201


def test_change_password_and_delete_the_account(stack: Stack, anon: httpx.Client) -> None:
    c = signup(stack)
    second = anon.post("/api/v1/auth/tokens", json={"email": c.email, "password": PASSWORD}).json()["token"]
    r = c.post("/api/v1/auth/password", json={"current_password": "wrong one!", "new_password": "n" * 12})
    assert r.status_code == 403 and r.json()["error"] == "wrong_password"
    r = c.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "n" * 12})
    assert r.status_code == 204
    assert c.get("/api/v1/me").status_code == 200  # this session stays
    assert anon.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 401
    put(c, c.root_id, "bye.txt", b"soon gone")
    r = c.request("DELETE", "/api/v1/me", json={"password": "wrong one!"})
    assert r.status_code == 403
    r = c.request("DELETE", "/api/v1/me", json={"password": "n" * 12})
    assert r.status_code == 202
    assert c.get("/api/v1/me").status_code == 401

    def gone() -> bool:
        signed = anon.post("/api/v1/auth/signup", json={"email": c.email, "password": PASSWORD})
        return signed.status_code == 201  # the address is free: the account is gone

    assert wait_until(gone, timeout=60)


def test_notification_preferences(client: Client) -> None:
    r = client.get("/api/v1/me/notifications")
    assert r.status_code == 200
    kinds = {k["kind"]: k["enabled"] for k in r.json()["kinds"]}
    assert kinds == {k: True for k in ("share_received", "link_downloaded", "file_dropped", "quota", "new_sign_in")}
    r = client.patch("/api/v1/me/notifications", json={"quota": False})
    assert r.status_code == 200 and {k["kind"]: k["enabled"] for k in r.json()["kinds"]}["quota"] is False
    assert client.patch("/api/v1/me/notifications", json={"newsletter": True}).status_code == 400
    assert client.patch("/api/v1/me/notifications", json={"quota": "no"}).status_code == 400


def test_a_share_mails_through_the_worker_and_links_say_if_they_notify(
    client: Client, other: Client, stack: Stack
) -> None:
    folder = client.post(f"/api/v1/nodes/{client.root_id}/folders", json={"name": "For you"}).json()["id"]
    assert (
        client.post(f"/api/v1/nodes/{folder}/grants", json={"email": other.email, "role": "viewer"}).status_code == 201
    )
    (msg,) = outbox(stack, other.email)
    assert msg["Subject"] == f"{client.email} shared “For you” with you"
    assert f"/files/{folder}" in text_of(msg)
    link = client.post(f"/api/v1/nodes/{folder}/links", json={"notify_downloads": True}).json()
    assert link["notify_downloads"] is True
    r = client.patch(f"/api/v1/links/{link['id']}", json={"notify_downloads": None})
    assert r.status_code == 200 and r.json()["notify_downloads"] is False
