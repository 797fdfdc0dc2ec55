"""GET /api/v1/nodes/{id}/thumbnail over HTTP (the FastAPI app in process, real SeaweedFS and database)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from backend_jobs import run_job
from pcs_app.api.app import create_api
from pcs_app.services import accounts, content
from pcs_app.services.core import Core
from pcs_app.wiring import set_core
from tests.conftest import PASSWORD
from tests.jobs import conftest as media


@pytest.fixture
def http(core: Core) -> Iterator[TestClient]:
    set_core(core)
    with TestClient(create_api()) as client:
        yield client
    set_core(None)


def bearer(core: Core, user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    issued = accounts.sign_in(core, user.email, PASSWORD, None, kind="api")
    return {"Authorization": f"Bearer {issued.secret}"}


def test_thumbnail_is_404_until_made_then_webp_cached_for_a_year(core: Core, user, http: TestClient) -> None:  # type: ignore[no-untyped-def]
    auth = bearer(core, user)
    node = content.upload(core, user, user.root_id, "cat.jpg", [media.jpeg((1200, 900), color="purple")])
    r = http.get(f"/api/v1/nodes/{node.id}/thumbnail", params={"size": 256}, headers=auth)
    assert r.status_code == 404
    assert r.json()["error"] == "no_thumbnail" and r.json()["state"] == "pending"

    run_job(core, "thumbnails", node.sha256)
    for size, width in ((256, 256), (1024, 1024)):
        r = http.get(f"/api/v1/nodes/{node.id}/thumbnail", params={"size": size}, headers=auth)
        assert r.status_code == 200
        assert r.headers["content-type"] == "image/webp"
        assert r.headers["cache-control"] == "private, max-age=31536000, immutable"
        assert r.headers["etag"] == f'"{node.sha256}-{size}"'
        assert Image.open(io.BytesIO(r.content)).size[0] == width

    etag_256 = f'"{node.sha256}-256"'
    again = http.get(f"/api/v1/nodes/{node.id}/thumbnail", headers={**auth, "If-None-Match": etag_256})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag_256


def test_thumbnail_refusals(core: Core, user, other_user, http: TestClient) -> None:  # type: ignore[no-untyped-def]
    auth = bearer(core, user)
    node = content.upload(core, user, user.root_id, "dog.png", [media.encode(Image.new("RGB", (300, 300)), "PNG")])
    text = content.upload(core, user, user.root_id, "a.txt", [b"hello"])
    bad = content.upload(core, user, user.root_id, "bad.jpg", [b"no picture here\n" * 10])
    run_job(core, "thumbnails", node.sha256)
    run_job(core, "thumbnails", bad.sha256)

    r = http.get(f"/api/v1/nodes/{node.id}/thumbnail", params={"size": 512}, headers=auth)
    assert r.status_code == 400 and r.json()["error"] == "invalid_input"
    r = http.get(f"/api/v1/nodes/{node.id}/thumbnail", params={"size": "big"}, headers=auth)
    assert r.status_code == 400
    r = http.get(f"/api/v1/nodes/{node.id}/thumbnail", headers=bearer(core, other_user))
    assert r.status_code == 404 and r.json()["error"] == "not_found"  # another's file looks missing
    r = http.get(f"/api/v1/nodes/{node.id}/thumbnail")
    assert r.status_code == 401
    for nid in (text.id, bad.id, user.root_id):
        r = http.get(f"/api/v1/nodes/{nid}/thumbnail", headers=auth)
        assert r.status_code == 404 and r.json() | {"message": ""} == {
            "error": "no_thumbnail",
            "state": "unavailable",
            "message": "",
            **({"reason": "unrecognized"} if nid == bad.id else {}),
        }


def test_thumbnail_accepts_the_web_session_cookie(core: Core, user, http: TestClient) -> None:  # type: ignore[no-untyped-def]
    # <img src> in the web UI carries the session cookie, not a bearer header.
    node = content.upload(core, user, user.root_id, "c.jpg", [media.jpeg((300, 300), color="cyan")])
    run_job(core, "thumbnails", node.sha256)
    secret = accounts.sign_in(core, user.email, PASSWORD, None).secret
    http.cookies.set("pcs_session", secret)
    try:
        assert http.get(f"/api/v1/nodes/{node.id}/thumbnail").status_code == 200
    finally:
        http.cookies.clear()


def test_the_route_is_in_the_openapi_document(http: TestClient) -> None:
    spec = http.get("/api/openapi.json").json()
    op = spec["paths"]["/api/v1/nodes/{node_id}/thumbnail"]["get"]
    assert {p["name"] for p in op["parameters"]} >= {"node_id", "size"}
    assert "image/webp" in op["responses"]["200"]["content"]
