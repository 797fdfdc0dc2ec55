"""An instance dies mid-session (SIGKILL, uploads in flight): nothing committed is lost, the tab carries on.

Runs after the package's other tests (see conftest.LAST): the cluster has one instance left afterwards.
"""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time
from collections import Counter

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.cluster.conftest import WATCH_NAMES, open_files, seen_at, signup
from tests.cluster_stack import Cluster
from tests.e2e.helpers import row

pytestmark = pytest.mark.e2e

MiB = 1024 * 1024


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Uploaders:
    """Threads uploading distinct random files through the balancer, recording every 201."""

    def __init__(self, base: str, token: str, folder: str) -> None:
        self.base, self.folder = base, folder
        self.auth = {"Authorization": f"Bearer {token}"}
        self.committed: dict[str, tuple[str, str, int]] = {}  # name -> (node id, sha256, size)
        self.refused: Counter[str] = Counter()
        self.wrong: list[str] = []  # answered 201 with another size or sha256 than was sent
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self, sizes: list[tuple[int, int]]) -> None:
        for k, (lo, hi) in enumerate(sizes):
            t = threading.Thread(target=self._run, args=(k, lo, hi), daemon=True)
            t.start()
            self.threads.append(t)

    def _run(self, k: int, lo: int, hi: int) -> None:
        rnd = random.Random(k)
        with httpx.Client(base_url=self.base, headers=self.auth, timeout=120) as http:
            n = 0
            while not self.stop.is_set():
                data = os.urandom(rnd.randint(lo, hi))
                name = f"t{k}-{n:04d}.bin"
                n += 1
                try:
                    r = http.put(f"/api/v1/nodes/{self.folder}/files", params={"name": name}, content=data)
                except httpx.HTTPError as e:
                    with self.lock:
                        self.refused[type(e).__name__] += 1
                    continue
                with self.lock:
                    if r.status_code == 201:
                        body = r.json()
                        if body["sha256"] != sha256(data) or body["size"] != len(data):
                            self.wrong.append(name)
                        self.committed[name] = (body["id"], sha256(data), len(data))
                    else:
                        self.refused[str(r.status_code)] += 1

    def count(self) -> int:
        with self.lock:
            return len(self.committed)

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(180)


def test_killing_an_instance_loses_no_committed_upload_and_the_tab_moves_to_the_other(
    cluster: Cluster, browser: Browser
) -> None:
    _email, token, root = signup(cluster.url)
    auth = {"Authorization": f"Bearer {token}"}
    api = httpx.Client(base_url=cluster.url, headers=auth, timeout=120)
    context = browser.new_context(base_url=cluster.url)
    try:
        folder = api.post(f"/api/v1/nodes/{root}/folders", json={"name": "uploads"}).json()["id"]
        page, sockets = open_files(context, cluster.url, token)
        victim = cluster.instance_at(sockets.current)  # the instance holding the tab's websocket
        survivor = next(i for i in cluster.web if i is not victim)
        page.evaluate(WATCH_NAMES)

        # Small files from three threads, and 12 MiB ones (streamed to S3 in multipart) from a fourth,
        # all through nginx, so requests are in flight on the victim when it dies.
        up = Uploaders(cluster.url, token, folder)
        up.start([(1, 64 * 1024)] * 3 + [(12 * MiB, 12 * MiB)])
        deadline = time.monotonic() + 120
        while up.count() < 30:
            assert time.monotonic() < deadline, f"uploads stalled before the kill: {up.refused}"
            time.sleep(0.05)
        before = up.count()
        t_kill = time.time()
        victim.kill()
        while up.count() < before + 30:
            assert time.monotonic() < deadline, f"uploads stalled after the kill: {up.refused}"
            time.sleep(0.05)
        up.finish()
        assert not up.wrong, f"answered 201 with the wrong content: {up.wrong}"
        print(
            f"\n{up.count()} uploads answered 201 ({before} before {victim.addr} was killed); "
            f"not completed: {dict(up.refused) or 'none'}"
        )

        # Every upload that was answered 201 is there, whole, through the balancer (now the survivor alone).
        for name, (node_id, digest, size) in up.committed.items():
            r = api.get(f"/api/v1/nodes/{node_id}/content")
            assert r.status_code == 200, (name, r.status_code, r.text[:200])
            assert len(r.content) == size and sha256(r.content) == digest, name
        # And nothing half-made is visible: every listed file has all its bytes (including uploads
        # committed whose answer was lost with the victim).
        listed = api.get(f"/api/v1/nodes/{folder}/children", params={"limit": 1000}).json()["items"]
        assert {i["name"] for i in listed} >= set(up.committed)
        for item in listed:
            if item["name"] not in up.committed:
                body = api.get(f"/api/v1/nodes/{item['id']}/content").content
                assert len(body) == item["size"] and sha256(body) == item["sha256"], item
        print(f"{len(listed)} files listed, {len(listed) - len(up.committed)} committed without a 201 reaching us")

        # The tab lost its websocket with the victim; it reconnects through nginx to the survivor and
        # still follows changes live.
        name = "made after the crash"
        r = api.post(f"/api/v1/nodes/{root}/folders", json={"name": name})
        assert r.status_code == 201, r.text
        back = seen_at(page, name, timeout=60_000) - t_kill
        assert sockets.current == survivor.addr, sockets.upstreams
        print(f"tab back and live {back:.1f} s after the kill; its websockets: {sockets.upstreams}")
        # And it still works from the UI.
        page.click("#new-folder")
        page.fill("#dialog-name", "made in the tab after the crash")
        page.click("#dialog-submit")
        expect(row(page, "made in the tab after the crash")).to_be_visible(timeout=15_000)
        names = {i["name"] for i in api.get(f"/api/v1/nodes/{root}/children").json()["items"]}
        assert {"uploads", name, "made in the tab after the crash"} <= names
    finally:
        context.close()
        api.close()
