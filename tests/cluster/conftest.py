"""Two app instances and a worker behind nginx, sharing PostgreSQL, Redis, SeaweedFS and the server secret."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from pcs_app.adapters.seaweed import PrivateS3
from tests.cluster_stack import Cluster, forget_queue, nginx_binary, start_cluster, temporary_database
from tests.conftest import PASSWORD, PG_ADMIN_URL, service_missing
from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path
from tests.e2e.helpers import BROWSER_READY, session_cookie

# The failover test kills an instance: it runs after every other test of this package.
LAST = ("test_failover.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    last = [i for i in items if i.path.parent == here and i.path.name in LAST]
    if not last:
        return
    rest = [i for i in items if i not in last]
    ours = [n for n, i in enumerate(rest) if i.path.parent == here]
    at = ours[-1] + 1 if ours else len(rest)
    items[:] = rest[:at] + last + rest[at:]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": chromium_path(), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="package")
def database_url() -> Iterator[str]:
    """A database of the cluster's own (not the session's pg_url: another stack may migrate and GC that one)."""
    import sqlalchemy as sa

    engine = sa.create_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as c:
            c.exec_driver_sql("SELECT 1")
    except Exception as e:  # noqa: BLE001
        service_missing(f"PostgreSQL at {PG_ADMIN_URL} ({type(e).__name__})")
    finally:
        engine.dispose()
    with temporary_database(PG_ADMIN_URL) as url:
        yield url


@pytest.fixture(scope="package")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, weed: PrivateS3, database_url: str, redis_url: str
) -> Iterator[Cluster]:
    if nginx_binary() is None:
        service_missing("nginx (apt-get install -y nginx)")
    work = tmp_path_factory.mktemp("cluster")
    # Two Reflex workers per instance (not 2 x CPUs + 1): two instances, PostgreSQL, SeaweedFS, Redis,
    # nginx and Chromium share this machine's cores. Several workers per instance still means a tab's
    # websocket and the instance's other requests are served by different processes.
    c = start_cluster(
        work,
        s3_endpoint=weed.endpoint,
        s3_access_key=weed.access_key,
        s3_secret_key=weed.secret_key,
        database_url=database_url,
        redis_url=redis_url,
        extra_env={"GRANIAN_WORKERS": "2"},
    )
    try:
        yield c
    finally:
        c.stop()
        forget_queue(redis_url, c.env["PCS_JOBS_QUEUE_NAME"])


def signup(base_url: str) -> tuple[str, str, str]:
    """A new account made through the API at ``base_url``: (email, token, root folder id)."""
    email = f"cl{secrets.token_hex(5)}@example.com"
    r = httpx.post(f"{base_url}/api/v1/auth/signup", json={"email": email, "password": PASSWORD}, timeout=30)
    assert r.status_code == 201, r.text
    return email, r.json()["token"], r.json()["user"]["root_id"]


class Sockets:
    """Which instance served each websocket this page opened (nginx's X-PCS-Upstream on the 101 answer)."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.upstreams: list[str] = []
        self._cdp = context.new_cdp_session(page)
        self._cdp.on("Network.webSocketHandshakeResponseReceived", self._seen)
        self._cdp.send("Network.enable")

    def _seen(self, event: dict[str, Any]) -> None:
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        if event["response"]["status"] == 101:
            self.upstreams.append(headers.get("x-pcs-upstream", "?"))

    @property
    def current(self) -> str:
        assert self.upstreams, "the page opened no websocket through the load balancer"
        return self.upstreams[-1]


def open_files(context: BrowserContext, base_url: str, token: str) -> tuple[Page, Sockets]:
    """A signed-in tab on /files through ``base_url``, watching which instance serves its websocket."""
    session_cookie(context, base_url, token)
    page = context.new_page()
    sockets = Sockets(context, page)
    page.goto("/files")
    expect(page.locator(BROWSER_READY)).to_be_visible(timeout=30_000)
    return page, sockets


# Records, in the page, when each name first shows in the listing (Date.now(), ms): live latency
# without Playwright's polling interval in it.
WATCH_NAMES = """() => {
  if (window.__pcsSeen) return;
  window.__pcsSeen = {};
  const look = () => {
    for (const el of document.querySelectorAll('.pcs-row .pcs-name')) {
      const n = el.textContent.trim();
      if (!(n in window.__pcsSeen)) window.__pcsSeen[n] = Date.now();
    }
  };
  look();
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def seen_at(page: Page, name: str, timeout: float = 15_000) -> float:
    """When ``name`` first appeared in the page's listing (epoch seconds); waits up to ``timeout`` ms."""
    handle = page.wait_for_function("n => window.__pcsSeen && window.__pcsSeen[n]", arg=name, timeout=timeout)
    return float(handle.json_value()) / 1000


def row_names(page: Page) -> list[str]:
    return [n.strip() for n in page.locator(".pcs-row .pcs-name").all_inner_texts()]
