"""Fixtures for the contract suites: one fixture per interface, parametrized over its backends.

``search_index`` (the SearchIndex contract, ``test_search.py``):
- ``fts5``: SQLite FTS5 in a file under the test's tmp dir;
- ``opensearch-osmem``: the OpenSearch backend against osmem-server, an in-memory OpenSearch-compatible
  stand-in from PyPI started here on 127.0.0.1 (a free port it picks itself); one server per session,
  fresh index names per test. What it cannot do is listed in pcs_app/adapters/search/opensearch.py;
- ``opensearch-real``: a real OpenSearch at ``PCS_TEST_OPENSEARCH_URL``, only when that is set.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pcs_app.adapters.search import SearchIndex, create_index

REAL_OPENSEARCH_URL = os.environ.get("PCS_TEST_OPENSEARCH_URL")
SEARCH_BACKENDS = ["fts5", "opensearch-osmem"] + (["opensearch-real"] if REAL_OPENSEARCH_URL else [])


@pytest.fixture(scope="session")
def osmem_stand_in() -> Iterator[str]:
    """URL of an osmem-server (OpenSearch stand-in) on 127.0.0.1; it exits with this process."""
    from osmem_server import OsmemServer

    server = OsmemServer.start(addr="127.0.0.1:0", japanese=False, startup_timeout=30)
    try:
        yield server.url
    finally:
        server.close()


def _drop_indices(index: Any) -> None:
    client = index.client
    for name in list(client.indices.get(index=f"{index.prefix}-*").keys()):
        client.indices.delete(index=name)


@pytest.fixture(params=SEARCH_BACKENDS)
def search_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    """A fresh, empty SearchIndex of each backend."""
    if request.param == "fts5":
        index = create_index("fts5", path=tmp_path / "search.db")
        yield index
        index.close()
        return
    if request.param == "opensearch-osmem":
        url = request.getfixturevalue("osmem_stand_in")
    else:
        assert REAL_OPENSEARCH_URL
        url = REAL_OPENSEARCH_URL
    # osmem-server's search_after compares only the first sort value (ties on score get skipped), so the
    # stand-in pages by offset; real OpenSearch takes the search_after path.
    os_index = create_index(
        "opensearch",
        url=url,
        prefix=f"pcs-test-{secrets.token_hex(4)}",
        replicas=0,
        search_after=request.param != "opensearch-osmem",
    )
    try:
        yield os_index
    finally:
        _drop_indices(os_index)
        os_index.close()
