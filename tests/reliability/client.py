"""The client side of a crash test: reproducible contents (a seed and a size make the same bytes
every time, streamed, so a 300 MB file is never held in memory) and the REST calls it makes."""

from __future__ import annotations

import functools
import hashlib
import io
import random
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

# One TLS context for every client: building one costs ~60 ms, which would put the client's own setup
# inside the window a kill is aimed at. (Each request gets a client of its own: a connection kept
# alive across a server's death would fail the next request before it is even sent.)
_TLS = ssl.create_default_context()
PIECE = 256 * 1024  # the granularity of an upload's body (and of a kill placed by bytes sent)
_BLOCKS = 8


@functools.cache
def _pool() -> list[bytes]:
    return [random.Random(f"crash-block-{i}").randbytes(1 << 20) for i in range(_BLOCKS)]


@dataclass(frozen=True)
class Content:
    """Bytes made from (seed, size); ``png``: a small image instead (the worker makes thumbnails)."""

    seed: int
    size: int
    png: bool = False

    def chunks(self) -> Iterator[bytes]:
        if self.png:
            yield _png(self.seed)
            return
        head = hashlib.sha256(f"{self.seed}:{self.size}".encode()).digest()
        pool, done, k = _pool(), 0, 0
        while done < self.size:
            block = pool[(self.seed + k) % _BLOCKS]
            n = min(len(block), self.size - done)
            data = (head + block[len(head) : n])[:n] if k == 0 else block[:n]
            for i in range(0, n, PIECE):
                yield data[i : i + PIECE]
            done += n
            k += 1

    @property
    def sha256(self) -> str:
        return _digest(self)[0]

    @property
    def length(self) -> int:
        return _digest(self)[1]

    def __str__(self) -> str:
        return f"png#{self.seed}" if self.png else f"#{self.seed}/{self.size}B"


@functools.cache
def _digest(c: Content) -> tuple[str, int]:
    h, n = hashlib.sha256(), 0
    for chunk in c.chunks():
        h.update(chunk)
        n += len(chunk)
    return h.hexdigest(), n


@functools.cache
def _png(seed: int) -> bytes:
    from PIL import Image

    rng = random.Random(seed)
    img = Image.new("RGB", (48, 48), tuple(rng.randrange(256) for _ in range(3)))  # type: ignore[arg-type]
    for _ in range(40):
        img.putpixel((rng.randrange(48), rng.randrange(48)), tuple(rng.randrange(256) for _ in range(3)))  # type: ignore[arg-type]
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


@dataclass
class Outcome:
    """What the client learnt: an answer (status, body) or none (error)."""

    status: int | None
    body: Any = None
    error: str | None = None

    @property
    def acked(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def refused(self) -> bool:
        """A definite no: nothing happened (4xx)."""
        return self.status is not None and 400 <= self.status < 500

    def __str__(self) -> str:
        if self.status is None:
            return f"no answer ({self.error})"
        return f"{self.status} {str(self.body)[:200]}"


class Api:
    def __init__(self, url: str, token: str = "") -> None:
        self.url = url
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def call(self, method: str, path: str, **kw: Any) -> Outcome:
        """One request; any transport failure (the server was killed) is an answer that never came."""
        headers = {**self._headers(), **kw.pop("headers", {})}
        try:
            with httpx.Client(timeout=httpx.Timeout(300, connect=10), verify=_TLS) as c:
                r = c.request(method, self.url + path, headers=headers, **kw)
        except httpx.HTTPError as e:
            return Outcome(None, error=f"{type(e).__name__}: {e}")
        try:
            body = r.json() if r.content else None
        except ValueError:
            body = r.text[:500]
        return Outcome(r.status_code, body)

    def must(self, method: str, path: str, **kw: Any) -> Any:
        """A request that has to succeed (the server is up and the call is valid)."""
        out = self.call(method, path, **kw)
        if not out.acked:
            raise AssertionError(f"{method} {path}: {out}")
        return out.body

    def upload(
        self,
        folder: str,
        name: str,
        content: Content,
        *,
        on_conflict: str = "replace",
        send_length: bool = True,
        send_sha: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> Outcome:
        """PUT the content, streamed; ``progress(bytes_sent_so_far)`` before each piece and at the end."""

        def body() -> Iterator[bytes]:
            sent = 0
            for chunk in content.chunks():
                if progress:
                    progress(sent)
                yield chunk
                sent += len(chunk)
            if progress:
                progress(sent)

        headers = {"Content-Type": "application/octet-stream"}
        if send_length:
            headers["Content-Length"] = str(content.length)
        if send_sha:
            headers["X-Content-SHA256"] = content.sha256
        params = {"name": name, "on_conflict": on_conflict}
        return self.call("PUT", f"/api/v1/nodes/{folder}/files", params=params, content=body(), headers=headers)

    def children(self, folder: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 1000}
            if cursor:
                params["cursor"] = cursor
            page = self.must("GET", f"/api/v1/nodes/{folder}/children", params=params)
            items += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return items

    def trash(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 1000}
            if cursor:
                params["cursor"] = cursor
            page = self.must("GET", "/api/v1/trash", params=params)
            items += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return items

    def download(self, node_id: str, version: int | None = None) -> tuple[str, int, str]:
        """(sha256 of the bytes received, their count, the ETag) of a file or one of its versions."""
        params = {"version": version} if version is not None else {}
        h, n = hashlib.sha256(), 0
        with httpx.Client(timeout=300, verify=_TLS) as c:
            with c.stream(
                "GET", f"{self.url}/api/v1/nodes/{node_id}/content", params=params, headers=self._headers()
            ) as r:
                if r.status_code != 200:
                    r.read()
                    raise AssertionError(f"download of {node_id} (version {version}): {r.status_code} {r.text[:300]}")
                for chunk in r.iter_bytes():
                    h.update(chunk)
                    n += len(chunk)
                etag = r.headers.get("etag", "").strip('"')
        return h.hexdigest(), n, etag
