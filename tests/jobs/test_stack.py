"""The whole app as `make run` starts it (the launcher: SeaweedFS, web, worker): an upload over the API gets
its thumbnail from the worker process, and the change feed says so."""

from __future__ import annotations

import io
import secrets
import time

import httpx
import pytest
from PIL import Image

from tests.conftest import PASSWORD
from tests.jobs import conftest as media
from tests.stack import Stack

pytestmark = pytest.mark.slow


def test_upload_over_the_api_gets_a_thumbnail_from_the_worker_process(stack: Stack) -> None:
    r = httpx.post(
        f"{stack.url}/api/v1/auth/signup", json={"email": f"t{secrets.token_hex(5)}@example.com", "password": PASSWORD}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    with httpx.Client(
        base_url=f"{stack.url}/api/v1", headers={"Authorization": f"Bearer {body['token']}"}, timeout=30
    ) as api:
        root = body["user"]["root_id"]
        up = api.put(f"/nodes/{root}/files", params={"name": "holiday.jpg"}, content=media.jpeg((1600, 1200)))
        assert up.status_code == 201, up.text
        node = up.json()
        deadline = time.monotonic() + 60
        while True:
            t = api.get(f"/nodes/{node['id']}/thumbnail", params={"size": 1024})
            if t.status_code == 200 or time.monotonic() > deadline:
                break
            assert t.status_code == 404 and t.json()["state"] == "pending", t.text
            time.sleep(0.2)
        assert t.status_code == 200, f"no thumbnail within 60 s: {t.text}"
        assert t.headers["cache-control"] == "private, max-age=31536000, immutable"
        assert Image.open(io.BytesIO(t.content)).size == (1024, 768)
        feed = api.get("/changes", params={"since": 0}).json()
        kinds = [(c["node_id"], c["kind"]) for c in feed["changes"]]
        assert (node["id"], "thumbnail") in kinds
