"""Small objects' PUT and GET as one signed HTTP request on a kept-alive connection.

botocore spends about 2 ms of CPU on each call (parameter validation, event hooks, serialising and
parsing models) around a request that itself costs the store well under a millisecond; for a 4 KiB
file that is most of an upload's or download's time in the app. Here the same request (AWS
Signature Version 4, path-style address) is signed by hand and sent with ``http.client``: about
0.4 ms. Only the plain cases are handled: whatever else happens (a connection that fails twice, any
answer but success or a missing key) raises ``Fallback`` and the caller makes the same request
through boto3, which retries and reports errors as usual. Requests are idempotent, so sending one
again is safe.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import logging
import re
import ssl
import time
from collections import deque
from typing import NoReturn, Protocol
from urllib.parse import quote, urlsplit

log = logging.getLogger(__name__)

UNSIGNED = "UNSIGNED-PAYLOAD"
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
MAX_IDLE = 64
_CODE = re.compile(rb"<Code>([^<]{1,64})</Code>")


class Fallback(Exception):
    """This request was not done here: make it through boto3."""


class Credentials(Protocol):
    @property
    def access_key(self) -> str | None: ...
    @property
    def secret_key(self) -> str | None: ...
    @property
    def token(self) -> str | None: ...


class CredentialSource(Protocol):
    def get_frozen_credentials(self) -> Credentials: ...


class Signer:
    """AWS Signature Version 4 for S3, headers only (the body's hash is given)."""

    def __init__(self, region: str, source: CredentialSource) -> None:
        self.region = region
        self.source = source
        self._keys: dict[tuple[str, str], bytes] = {}

    def _key(self, secret: str, day: str) -> bytes:
        found = self._keys.get((secret, day))
        if found is None:
            k = hmac.digest(("AWS4" + secret).encode(), day.encode(), "sha256")
            for part in (self.region, "s3", "aws4_request"):
                k = hmac.digest(k, part.encode(), "sha256")
            if len(self._keys) > 8:
                self._keys.clear()
            self._keys[(secret, day)] = found = k
        return found

    def headers(
        self, method: str, host: str, path: str, payload_sha256: str, now: float | None = None
    ) -> dict[str, str]:
        """The headers that sign ``method path`` (no query) for ``host``, Host included."""
        creds = self.source.get_frozen_credentials()
        if not creds.access_key or not creds.secret_key:
            raise Fallback("no credentials to sign with")
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
        day = amz_date[:8]
        signed = {"host": host, "x-amz-content-sha256": payload_sha256, "x-amz-date": amz_date}
        if creds.token:
            signed["x-amz-security-token"] = creds.token
        names = sorted(signed)
        canonical = "\n".join(
            [method, path, "", *(f"{n}:{signed[n]}" for n in names), "", ";".join(names), payload_sha256]
        )
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        signature = hmac.new(self._key(creds.secret_key, day), to_sign.encode(), "sha256").hexdigest()
        signed["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={creds.access_key}/{scope}, "
            f"SignedHeaders={';'.join(names)}, Signature={signature}"
        )
        return signed


class DirectS3:
    """PUT and GET of one object of a bucket at ``endpoint`` (path-style), on pooled connections."""

    def __init__(self, endpoint: str, bucket: str, signer: Signer, *, sign_payload: bool, ca_file: str | None) -> None:
        u = urlsplit(endpoint)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ValueError(f"not an S3 endpoint: {endpoint!r}")
        self.host = u.netloc
        self._hostname, self._port = u.hostname, u.port
        self._base = u.path.rstrip("/") + "/" + quote(bucket, safe="")
        self.signer = signer
        self.sign_payload = sign_payload
        self._ssl = ssl.create_default_context(cafile=ca_file) if u.scheme == "https" else None
        self._idle: deque[http.client.HTTPConnection] = deque()
        self._warned: set[str] = set()

    def _connect(self) -> http.client.HTTPConnection:
        if self._ssl is not None:
            return http.client.HTTPSConnection(self._hostname, self._port, timeout=CONNECT_TIMEOUT, context=self._ssl)
        return http.client.HTTPConnection(self._hostname, self._port, timeout=CONNECT_TIMEOUT)

    def _request(
        self, method: str, key: str, body: bytes | None, headers: dict[str, str], payload_sha256: str
    ) -> tuple[int, bytes]:
        """Send one request, on an idle connection or (if that one was closed meanwhile) a new one."""
        path = self._base + "/" + quote(key, safe="/~")
        all_headers = {**headers, **self.signer.headers(method, self.host, path, payload_sha256)}
        all_headers["Host"] = all_headers.pop("host")
        for attempt in (0, 1):
            idle = self._take_idle() if attempt == 0 else None  # a second try is on a new connection
            reused = idle is not None
            conn = idle if idle is not None else self._connect()
            try:
                conn.request(method, path, body=body, headers=all_headers)
                if conn.sock is not None:
                    conn.sock.settimeout(READ_TIMEOUT)
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                if reused and attempt == 0:
                    # The store closed an idle connection; the others idled as long: drop them too,
                    # and send this once more on a fresh one.
                    self.close()
                    continue
                self._fall_back(f"{method} failed", repr(e))
            if resp.will_close or len(self._idle) >= MAX_IDLE:
                conn.close()
            else:
                self._idle.append(conn)
            return resp.status, data
        raise AssertionError("unreachable")

    def _take_idle(self) -> http.client.HTTPConnection | None:
        try:
            return self._idle.pop()
        except IndexError:
            return None

    def _fall_back(self, why: str, detail: str = "") -> NoReturn:
        """Hand this request to boto3; a warning the first time each kind of reason is met, then at debug."""
        level = logging.DEBUG if why in self._warned else logging.WARNING
        if len(self._warned) < 64:
            self._warned.add(why)
        log.log(level, "direct S3 request to %s: %s %s; made through boto3 instead", self.host, why, detail)
        raise Fallback(f"{why} {detail}".strip())

    def put(self, key: str, data: bytes, content_type: str | None = None, sha256: str | None = None) -> None:
        """Store ``data`` under ``key``; ``sha256`` (hex), when the caller has it, saves hashing it again
        where the payload is signed."""
        sha = (sha256 or hashlib.sha256(data).hexdigest()) if self.sign_payload else UNSIGNED
        headers = {"Content-Type": content_type} if content_type else {}
        status, answer = self._request("PUT", key, data, headers, sha)
        if status != 200:
            self._fall_back(f"PUT answered {status} {_code(answer)}")

    def get(self, key: str, start: int, end: int) -> bytes:
        """Bytes ``start..end`` (inclusive) of an object; FileNotFoundError if there is no such key."""
        status, answer = self._request("GET", key, None, {"Range": f"bytes={start}-{end}"}, UNSIGNED)
        if status in (200, 206):
            return answer
        if status == 404 and _code(answer) == "NoSuchKey":
            raise FileNotFoundError(key)
        self._fall_back(f"GET answered {status} {_code(answer)}")

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()


def _code(answer: bytes) -> str:
    m = _CODE.search(answer[:4096])
    return m.group(1).decode(errors="replace") if m else ""
