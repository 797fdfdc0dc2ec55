"""Search on OpenSearch (Amazon OpenSearch Service on AWS), through opensearch-py.

Searches and writes go through the alias ``<prefix>``, which points at one concrete index
``<prefix>-<time>-<random>``. A rebuild fills a fresh index (reachable as ``<prefix>-rebuilding``, so
writes made meanwhile reach it too) and its commit moves the alias in one ``_aliases`` call, then
deletes the old index.

Fields: ``name`` and ``path`` are analysed by ``pcs_name`` (word_delimiter_graph split on case and
digits, asciifolding, lowercase); ``*_words`` carry the same folded words the FTS5 backend indexes
(``text.index_text``), so both backends find the same documents, and ``*_words.prefix`` holds edge
n-grams for as-you-type. ``content`` is kept (not indexed) for snippets, which are built here from the
hit's source by ``text.snippet``, as for FTS5 (one escaping rule for both backends).

The mappings and the indexed document are built in ``opensearch_mapping``, the ``_search`` body in
``opensearch_query``; their names are imported here too.

Tested against osmem-server 0.1.6, an in-memory stand-in. Gaps found there (this code keeps the real
OpenSearch path for each):
- its index-time analysis ignores word_delimiter_graph (``_analyze`` shows the split, indexed terms do
  not have it): the ``*_words`` fields, split in Python, are what find "report" in "QuarterlyReport";
- its ``search_after`` looks at the first sort value only, so hits tied on ``_score`` are skipped:
  ``search_after=False`` pages with ``from``/``size`` instead (the cursor carries both; the contract
  tests run osmem-server that way, real OpenSearch with ``search_after``);
- it cannot parse regex lookarounds in a pattern tokenizer (Go regexp), so no pattern tokenizer is used.
"""

from __future__ import annotations

import importlib
import re
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

from .base import Hit, InvalidQuery, RebuildBase, SearchDoc, SearchPage, SearchQuery, check_limit
from .opensearch_mapping import ANALYSIS, MAPPINGS, document
from .opensearch_mapping import EDGE_MAX as EDGE_MAX
from .opensearch_query import BOOST_CONTENT as BOOST_CONTENT
from .opensearch_query import BOOST_NAME as BOOST_NAME
from .opensearch_query import BOOST_PATH as BOOST_PATH
from .opensearch_query import MAX_EXPANSIONS as MAX_EXPANSIONS
from .opensearch_query import PREFIX_FACTOR as PREFIX_FACTOR
from .opensearch_query import query_body
from .text import decode_cursor, encode_cursor, parse_query, snippet

_PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,180}$")


class OpenSearchIndex:
    """SearchIndex on OpenSearch; the client is created on first use."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "pcs-files",
        username: str | None = None,
        password: str | None = None,
        aws_region: str | None = None,
        verify_certs: bool = True,
        ca_certs: str | None = None,
        timeout: float = 30.0,
        refresh: bool = True,
        shards: int = 1,
        replicas: int | None = None,
        search_after: bool = True,
    ) -> None:
        if not _PREFIX_RE.match(prefix):
            raise ValueError(f"index prefix {prefix!r}: lower-case letters, digits, '-' and '_' only")
        self.url = url
        self.prefix = prefix
        self.alias = prefix
        self.rebuild_alias = f"{prefix}-rebuilding"
        self.username = username
        self.password = password
        self.aws_region = aws_region
        self.verify_certs = verify_certs
        self.ca_certs = ca_certs
        self.timeout = timeout
        self.refresh = refresh
        self.shards = shards
        self.replicas = replicas
        self.search_after = search_after
        self._client: Any = None
        self._lock = threading.Lock()
        self._ready = False

    @property
    def client(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._make_client()
        return self._client

    def _make_client(self) -> Any:
        from opensearchpy import OpenSearch, Urllib3AWSV4SignerAuth

        auth: Any = None
        if self.aws_region:
            # boto3 (already a dependency for S3) finds the task role's credentials; imported by name
            # because only this branch needs it.
            boto3 = importlib.import_module("boto3")
            credentials = boto3.session.Session().get_credentials()
            auth = Urllib3AWSV4SignerAuth(credentials, self.aws_region, "es")
        elif self.username is not None:
            auth = (self.username, self.password or "")
        return OpenSearch(
            hosts=[self.url],
            http_auth=auth,
            verify_certs=self.verify_certs,
            ca_certs=self.ca_certs,
            timeout=self.timeout,
            http_compress=True,
        )

    def index_body(self, aliases: dict[str, Any]) -> dict[str, Any]:
        settings: dict[str, Any] = {"number_of_shards": self.shards, "analysis": ANALYSIS}
        if self.replicas is not None:
            settings["number_of_replicas"] = self.replicas
        return {"settings": settings, "mappings": MAPPINGS, "aliases": aliases}

    def new_index_name(self) -> str:
        return f"{self.prefix}-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"

    def _ensure(self) -> None:
        """Create the first index behind the alias unless the alias exists."""
        if self._ready:
            return
        from opensearchpy.exceptions import RequestError

        client = self.client
        with self._lock:
            if self._ready:
                return
            if not client.indices.exists_alias(name=self.alias):
                try:
                    # A fixed first name: two processes starting together create it once.
                    client.indices.create(index=f"{self.prefix}-000001", body=self.index_body({self.alias: {}}))
                except RequestError as e:
                    if e.error != "resource_already_exists_exception":
                        raise
            self._ready = True

    def _indices_of(self, alias: str) -> list[str]:
        from opensearchpy.exceptions import NotFoundError

        try:
            # ignore=404: no alias is an answer here, not a warning in the log
            found = self.client.indices.get_alias(name=alias, ignore=404)
        except NotFoundError:
            return []
        return sorted(k for k, v in found.items() if isinstance(v, dict) and "aliases" in v)

    def _write_targets(self) -> list[str]:
        self._ensure()
        return [self.alias, *self._indices_of(self.rebuild_alias)]

    # -- writes --------------------------------------------------------------------------------
    def bulk_index(self, index: str, docs: Iterable[SearchDoc], refresh: bool | str) -> None:
        from opensearchpy import helpers

        def actions() -> Iterator[dict[str, Any]]:
            for doc in docs:
                yield {"_op_type": "index", "_index": index, "_id": doc.id, "_source": document(doc)}

        helpers.bulk(self.client, actions(), chunk_size=500, refresh=refresh)

    def upsert(self, docs: Iterable[SearchDoc]) -> None:
        """Index in bulk; raises opensearchpy's BulkIndexError if any document was refused."""
        docs = list(docs)
        for target in self._write_targets():
            self.bulk_index(target, docs, "wait_for" if self.refresh else False)

    def delete(self, ids: Iterable[str]) -> None:
        from opensearchpy import helpers

        id_list = list(dict.fromkeys(ids))
        for target in self._write_targets():
            actions = ({"_op_type": "delete", "_index": target, "_id": i} for i in id_list)
            helpers.bulk(
                self.client,
                actions,
                chunk_size=500,
                refresh="wait_for" if self.refresh else False,
                ignore_status=(404,),
            )

    def delete_below(self, folder_ids: Iterable[str]) -> None:
        id_list = list(dict.fromkeys(folder_ids))
        for i in range(0, len(id_list), 500):
            for target in self._write_targets():
                self.client.delete_by_query(
                    index=target,
                    body={"query": {"terms": {"ancestor_ids": id_list[i : i + 500]}}},
                    refresh=self.refresh,
                    conflicts="proceed",
                )

    def delete_owner(self, owner_id: int) -> None:
        for target in self._write_targets():
            self.client.delete_by_query(
                index=target,
                body={"query": {"term": {"owner_id": owner_id}}},
                refresh=self.refresh,
                conflicts="proceed",
            )

    def rebuild(self) -> OpenSearchRebuild:
        return OpenSearchRebuild(self)

    # -- reads ---------------------------------------------------------------------------------
    def count(self) -> int:
        self._ensure()
        return int(self.client.count(index=self.alias)["count"])

    def search(self, q: SearchQuery) -> SearchPage:
        """One page of hits; snippets are HTML-safe (see ``text.snippet``)."""
        check_limit(q)
        parsed = parse_query(q.text)
        if not parsed.clauses and not q.has_filters:
            raise InvalidQuery("empty", "type a word to search for")
        position = decode_cursor(q)
        self._ensure()
        body = query_body(q, parsed)
        body["size"] = q.limit + 1
        offset = 0
        if position is not None:
            after, offset = position
            if len(after) != 3:
                raise InvalidQuery("bad_cursor", "this cursor does not belong to this search")
            if self.search_after:
                body["search_after"] = after
            else:
                body["from"] = offset
        hits = self.client.search(index=self.alias, body=body)["hits"]["hits"]
        more = len(hits) > q.limit
        hits = hits[: q.limit]
        out = []
        for h in hits:
            src = h.get("_source") or {}
            out.append(
                Hit(str(h["_id"]), float(h["sort"][0]), snippet(src.get("name", ""), src.get("content", ""), parsed))
            )
        next_cursor = encode_cursor(q, list(hits[-1]["sort"]), offset + len(hits)) if more and hits else None
        return SearchPage(out, next_cursor)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class OpenSearchRebuild(RebuildBase):
    """A fresh index behind ``<prefix>-rebuilding``; commit moves the live alias to it in one call."""

    def __init__(self, index: OpenSearchIndex) -> None:
        self.index = index
        self.done = False
        index._ensure()
        client = index.client
        for stale in index._indices_of(index.rebuild_alias):  # a rebuild that never finished
            client.indices.delete(index=stale)
        self.name = index.new_index_name()
        client.indices.create(index=self.name, body=index.index_body({index.rebuild_alias: {}}))

    def upsert(self, docs: Iterable[SearchDoc]) -> None:
        if self.done:
            raise RuntimeError("this rebuild has already ended")
        self.index.bulk_index(self.name, docs, False)

    def commit(self) -> None:
        if self.done:
            return
        index, client = self.index, self.index.client
        if index._indices_of(index.rebuild_alias) != [self.name]:
            raise RuntimeError("another rebuild has replaced this one")
        client.indices.refresh(index=self.name)
        old = index._indices_of(index.alias)
        actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": index.alias}} for name in old]
        actions += [
            {"add": {"index": self.name, "alias": index.alias}},
            {"remove": {"index": self.name, "alias": index.rebuild_alias}},
        ]
        client.indices.update_aliases(body={"actions": actions})
        self.done = True
        for name in old:
            client.indices.delete(index=name)

    def abort(self) -> None:
        if self.done:
            return
        self.done = True
        from opensearchpy.exceptions import NotFoundError

        try:
            self.index.client.indices.delete(index=self.name)
        except NotFoundError:
            pass
