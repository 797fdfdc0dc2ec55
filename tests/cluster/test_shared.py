"""What one instance did holds on the other: sign-in throttling, queued jobs; and what does not hold yet."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image

from pcs_app.adapters.seaweed import free_port
from tests.cluster.conftest import signup
from tests.cluster_stack import ROOT, Cluster, private_web_dir, start_instance, temporary_database
from tests.conftest import PASSWORD, PG_ADMIN_URL

pytestmark = pytest.mark.e2e


def sign_in(http: httpx.Client, base: str, email: str, password: str) -> httpx.Response:
    return http.post(f"{base}/api/v1/auth/tokens", json={"email": email, "password": password})


def wait_at_least(try_once, seconds: int, timeout: float = 60) -> httpx.Response:  # type: ignore[no-untyped-def]
    """Keep failing sign-ins (sleeping out each imposed wait) until a 429 asks for ``seconds`` or more."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = try_once()
        if r.status_code == 429:
            wait = int(r.headers["Retry-After"])
            if wait >= seconds:
                return r
            time.sleep(wait)
        else:
            assert r.status_code == 401, r.text
    raise AssertionError(f"no wait of {seconds} s was imposed within {timeout} s")


def test_a_sign_in_throttle_reached_through_one_instance_holds_on_the_other(cluster: Cluster) -> None:
    email, _token, _root = signup(cluster.url)
    a, b = cluster.web
    free = int(cluster.env.get("PCS_LOGIN_FREE_FAILURES", "3"))
    with httpx.Client(timeout=30) as http:
        # The free failures, alternating instances: each counts towards the same limit.
        for n in range(free):
            inst = (a, b)[n % 2]
            assert sign_in(http, inst.url, email, "wrong password").status_code == 401
        # One more failure, on the instance next in turn, starts a wait (1 s) ...
        last = (a, b)[free % 2]
        first = (b, a)[free % 2]
        assert sign_in(http, last.url, email, "wrong password").status_code == 401
        # ... that the other instance imposes at once.
        r = sign_in(http, first.url, email, "wrong password")
        assert r.status_code == 429, r.text
        assert int(r.headers["Retry-After"]) >= 1
        # Guessing on, through A, until the wait is long; B then refuses even the right password.
        held = wait_at_least(lambda: sign_in(http, a.url, email, "wrong password"), 4)
        on_b = sign_in(http, b.url, email, PASSWORD)
        assert on_b.status_code == 429, on_b.text
        assert int(on_b.headers["Retry-After"]) >= int(held.headers["Retry-After"]) - 2
        print(f"\nA imposed Retry-After {held.headers['Retry-After']} s; B then: {on_b.headers['Retry-After']} s")


def png(width: int = 900, height: int = 600) -> bytes:
    im = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def thumbnail_runs(log: str) -> int:
    """Thumbnail jobs a huey consumer logged as executed."""
    return sum(1 for line in log.splitlines() if "pcs.jobs.thumbnails:" in line and " executed in " in line)


def test_a_job_queued_by_one_instance_runs_on_the_worker(cluster: Cluster) -> None:
    _email, token, root = signup(cluster.url)
    a, b = cluster.web
    auth = {"Authorization": f"Bearer {token}"}
    data = png()
    assert cluster.worker is not None
    ran_before = thumbnail_runs(cluster.worker.tail(10**7))
    r = httpx.put(f"{a.url}/api/v1/nodes/{root}/files", params={"name": "gradient.png"}, content=data, headers=auth)
    assert r.status_code == 201, r.text
    node = r.json()
    t0 = time.monotonic()
    deadline = t0 + 90
    while True:
        got = httpx.get(f"{b.url}/api/v1/nodes/{node['id']}/thumbnail", params={"size": 256}, headers=auth)
        if got.status_code == 200:
            break
        assert got.status_code == 404 and got.json().get("state") == "pending", got.text
        assert time.monotonic() < deadline, "no thumbnail 90 s after the upload"
        time.sleep(0.2)
    print(f"\nthumbnail made {time.monotonic() - t0:.1f} s after the upload through A; served by B")
    assert got.headers["content-type"] == "image/webp"
    assert max(Image.open(io.BytesIO(got.content)).size) == 256
    # The worker process ran it (the web instances only queue jobs: they run no consumer).
    assert thumbnail_runs(cluster.worker.tail(10**7)) > ran_before
    for inst in cluster.web:
        assert thumbnail_runs(inst.tail(10**7)) == 0


# --- Nothing an instance keeps to itself: client addresses, the websocket address, the migrations. ---


def test_behind_the_balancer_a_guesser_does_not_slow_another_client(cluster: Cluster) -> None:
    email, _token, _root = signup(cluster.url)

    def client(address: str) -> httpx.Client:
        # Two different machines, as far as the balancer can tell (any 127.x.y.z is this host).
        return httpx.Client(base_url=cluster.url, transport=httpx.HTTPTransport(local_address=address), timeout=30)

    with client("127.0.0.3") as guesser, client("127.0.0.4") as owner:
        wait_at_least(lambda: sign_in(guesser, "", email, "wrong password"), 4)
        r = sign_in(owner, "", email, PASSWORD)
        assert r.status_code == 201, f"the owner, from another address, got {r.status_code}: {r.text}"


def test_the_frontend_sends_the_websocket_to_the_public_url(cluster: Cluster, tmp_path: Path) -> None:
    # One more instance started as an operator would, with PCS_PUBLIC_URL but no Reflex-specific setting.
    env = {k: v for k, v in cluster.env.items() if k != "REFLEX_API_URL"}
    web = private_web_dir(tmp_path / "web")
    env["REFLEX_WEB_WORKDIR"] = str(web)
    inst = start_instance(tmp_path, "webZ", free_port(), env)
    try:
        baked = json.loads((web / "env.json").read_text())
    finally:
        inst.stop()
    event = urlsplit(baked["EVENT"])
    # The browser replaces a "localhost" host by the page's own; the port it keeps.
    assert event.port == urlsplit(cluster.url).port, f"the frontend opens its websocket at {baked['EVENT']}"


def test_instances_started_together_both_apply_the_migrations(database_url: str, tmp_path: Path) -> None:
    # Not the cluster's database (requested only so that a missing PostgreSQL skips or fails as the
    # others do): each try needs an empty one. `migrate` is what each `web` runs before it serves
    # (cmd_web -> prepare -> core.db.migrate).
    codes = []
    for _ in range(4):
        with temporary_database(PG_ADMIN_URL) as url:
            env = {k: v for k, v in os.environ.items() if not k.startswith("PCS_")}
            env.update(
                {"PCS_DATABASE_URL": url, "PCS_S3_ENDPOINT": "http://127.0.0.1:9", "PCS_DATA_DIR": str(tmp_path)}
            )
            procs = [
                subprocess.Popen(
                    [sys.executable, "-m", "pcs_app.cli", "migrate"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
                for _ in range(2)
            ]
            outs = [p.communicate(timeout=120)[0] for p in procs]
            codes.append([p.returncode for p in procs])
            for p, out in zip(procs, outs, strict=True):
                if p.returncode:
                    print(out.strip().splitlines()[-1][:300])
    assert all(c == [0, 0] for c in codes), f"exit codes of two concurrent `migrate` per try: {codes}"
