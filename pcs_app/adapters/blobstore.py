"""The one storage path: every byte goes through here to an S3 API (SeaweedFS locally, Amazon S3 on AWS).

boto3 makes every request, except a small object's PUT and GET, which ``s3direct`` sends itself (a
fifth of botocore's CPU per call) and hands back to boto3 whenever anything is out of the ordinary."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.httpsession import get_cert_path

from .s3direct import DirectS3, Fallback, Signer

log = logging.getLogger(__name__)


# A read of at most this many bytes with known bounds is one direct GET (see s3direct).
DIRECT_READ = 1024 * 1024
_MISSING = {"NoSuchKey", "404", "NotFound", "NoSuchUpload"}


def _is_missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in _MISSING


def _private_channel(endpoint: str | None) -> bool:
    """Whether requests to ``endpoint`` cannot be altered on the way: TLS (AWS's default), or loopback."""
    if endpoint is None:
        return True
    u = urlsplit(endpoint)
    return u.scheme == "https" or u.hostname in ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class S3Config:
    bucket: str
    endpoint_url: str | None
    region: str
    access_key: str | None
    secret_key: str | None
    public_endpoint_url: str | None = None
    part_size: int = 16 * 1024 * 1024
    threshold: int = 8 * 1024 * 1024
    concurrency: int = 6


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    last_modified: datetime


@dataclass(frozen=True)
class MultipartInfo:
    """An S3 multipart upload that was started and neither completed nor aborted: its parts take
    space but are no object (an object listing does not show them)."""

    key: str
    upload_id: str
    initiated: datetime


class BlobStore:
    """Thin S3 wrapper. Clients are created lazily; missing objects raise FileNotFoundError."""

    def __init__(self, cfg: S3Config) -> None:
        self.cfg = cfg
        self.bucket = cfg.bucket
        self._client: Any = None
        self._presign_client: Any = None
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._cors_for: list[str] | None = None
        self._session = boto3.Session(
            aws_access_key_id=cfg.access_key, aws_secret_access_key=cfg.secret_key, region_name=cfg.region
        )

    def _make_client(self, endpoint: str | None) -> Any:
        s3: dict[str, Any] = {"addressing_style": "path"}
        if _private_channel(endpoint):
            # Our own sha256 of every byte decides what is stored; a signature over the payload
            # would hash each part a second time. Kept where the channel itself protects nothing.
            s3["payload_signing_enabled"] = False
        config = Config(
            max_pool_connections=64,
            retries={"max_attempts": 4, "mode": "standard"},
            signature_version="s3v4",
            s3=s3,  # pyright: ignore[reportArgumentType]
            # Our own sha256 covers integrity end to end; skip boto3's extra CRC pass over every byte.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        return self._session.client("s3", endpoint_url=endpoint, config=config)

    @property
    def client(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._make_client(self.cfg.endpoint_url)
        return self._client

    @functools.cached_property
    def direct(self) -> DirectS3 | None:
        """Small objects' requests without botocore (None when there are no credentials to sign with).
        Two threads meeting here first may each build one; one is kept, which is harmless."""
        creds = self._session.get_credentials()
        if creds is None:
            return None
        return DirectS3(
            str(self.client.meta.endpoint_url),
            self.bucket,
            Signer(self.cfg.region, creds),
            sign_payload=not _private_channel(self.cfg.endpoint_url),
            ca_file=get_cert_path(True),
        )

    @property
    def presign_client(self) -> Any:
        if self.cfg.public_endpoint_url is None:
            return self.client
        if self._presign_client is None:
            with self._lock:
                if self._presign_client is None:
                    self._presign_client = self._make_client(self.cfg.public_endpoint_url)
        return self._presign_client

    @property
    def pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="s3-part")
        return self._pool

    # -- bucket -----------------------------------------------------------------------------
    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist yet."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
                raise
            self.client.create_bucket(Bucket=self.bucket)

    def allow_browser_uploads(self, origins: list[str]) -> None:
        """Let pages from ``origins`` PUT parts to presigned URLs (the bucket's CORS rules), once per
        process. Rules already there are kept; without the permission to change them, it logs why."""
        if self._cors_for == origins:
            return
        try:
            try:
                rules: list[dict[str, Any]] = list(self.client.get_bucket_cors(Bucket=self.bucket)["CORSRules"])
            except ClientError as e:
                if e.response.get("Error", {}).get("Code") != "NoSuchCORSConfiguration":
                    raise
                rules = []
            covered = any(
                "PUT" in r.get("AllowedMethods", []) and set(origins) <= set(r.get("AllowedOrigins", [])) for r in rules
            )
            if not covered:
                rules.append(
                    {
                        "AllowedOrigins": origins,
                        "AllowedMethods": ["PUT", "GET", "HEAD"],
                        "AllowedHeaders": ["*"],
                        "ExposeHeaders": ["ETag"],
                        "MaxAgeSeconds": 3600,
                    }
                )
                self.client.put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": rules})
        except (ClientError, BotoCoreError) as e:
            log.warning("could not let browsers upload to bucket %s (set its CORS rules by hand): %s", self.bucket, e)
        self._cors_for = list(origins)

    def ping(self) -> bool:
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return True
        except (ClientError, BotoCoreError):
            return False

    # -- objects ----------------------------------------------------------------------------
    def put_bytes(self, key: str, data: bytes, content_type: str | None = None, *, sha256: str | None = None) -> None:
        """One object from bytes in memory; ``sha256`` (hex) if the caller already knows it."""
        if (direct := self.direct) is not None:
            try:
                return direct.put(key, data, content_type, sha256)
            except Fallback:
                pass
        extra = {"ContentType": content_type} if content_type else {}
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, **extra)

    def get_bytes(self, key: str) -> bytes:
        return b"".join(self.iter_range(key))

    def head(self, key: str) -> ObjectInfo:
        try:
            r = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as e:
            if _is_missing(e):
                raise FileNotFoundError(key) from e
            raise
        return ObjectInfo(key, r["ContentLength"], r["LastModified"])

    def iter_range(
        self, key: str, start: int = 0, end: int | None = None, chunk_size: int = 1024 * 1024
    ) -> Iterator[bytes]:
        """Yield the bytes start..end (inclusive), streamed; FileNotFoundError if the object is gone."""
        if end is not None and 0 <= end - start < DIRECT_READ and (direct := self.direct) is not None:
            try:
                yield direct.get(key, start, end)
                return
            except Fallback:
                pass
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if start or end is not None:
            kwargs["Range"] = f"bytes={start}-{'' if end is None else end}"
        try:
            body = self.client.get_object(**kwargs)["Body"]
        except ClientError as e:
            if _is_missing(e):
                raise FileNotFoundError(key) from e
            raise
        try:
            yield from body.iter_chunks(chunk_size)
        finally:
            body.close()

    def iter_ahead(self, key: str, size: int, chunk_size: int = 8 * 1024 * 1024, ahead: int = 4) -> Iterator[bytes]:
        """All ``size`` bytes of an object in order, read as ranges on ``ahead`` threads at once (a
        whole-object read that keeps up with the reader, e.g. hashing)."""
        ranges = [(start, min(start + chunk_size, size) - 1) for start in range(0, size, chunk_size)]

        def fetch(r: tuple[int, int]) -> bytes:
            return b"".join(self.iter_range(key, r[0], r[1], chunk_size=chunk_size))

        pending: list[Future[bytes]] = []
        try:
            for r in ranges:
                pending.append(self.pool.submit(fetch, r))
                if len(pending) > ahead:
                    yield pending.pop(0).result()
            while pending:
                yield pending.pop(0).result()
        finally:
            for f in pending:
                f.cancel()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def delete_many(self, keys: list[str]) -> None:
        for i in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[i : i + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    def objects(self, prefix: str) -> Iterator[ObjectInfo]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for o in page.get("Contents", []):
                yield ObjectInfo(o["Key"], o["Size"], o["LastModified"])

    # -- streamed writes -------------------------------------------------------------------
    def writer(self, key: str, content_type: str | None = None) -> StreamWriter:
        """A writer that buffers one part at a time and uploads parts in parallel."""
        return StreamWriter(self, key, content_type)

    # -- client-driven multipart (large-file sessions) -----------------------------------------
    def create_multipart(self, key: str) -> str:
        return str(self.client.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"])

    def presign_part(self, key: str, upload_id: str, part_number: int, expires: int) -> str:
        url: str = self.presign_client.generate_presigned_url(
            "upload_part",
            Params={"Bucket": self.bucket, "Key": key, "UploadId": upload_id, "PartNumber": part_number},
            ExpiresIn=expires,
        )
        return url

    def list_parts(self, key: str, upload_id: str) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        marker = 0
        while True:
            try:
                r = self.client.list_parts(Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumberMarker=marker)
            except ClientError as e:
                if _is_missing(e):
                    raise FileNotFoundError(key) from e
                raise
            parts.extend(r.get("Parts", []))
            if not r.get("IsTruncated"):
                return parts
            marker = r["NextPartNumberMarker"]

    def complete_multipart(self, key: str, upload_id: str, parts: list[dict[str, Any]]) -> None:
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in parts]},
        )

    def multipart_uploads(self, prefix: str) -> Iterator[MultipartInfo]:
        """Every unfinished multipart upload under ``prefix``."""
        paginator = self.client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for u in page.get("Uploads", []):
                yield MultipartInfo(u["Key"], u["UploadId"], u["Initiated"])

    def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as e:
            if not _is_missing(e):
                raise


class StreamWriter:
    """Writes an object of unknown length: one PUT when small, parallel multipart parts when large.

    Memory stays bounded by (concurrency + 1) parts: ``write`` blocks while that many are in flight.
    """

    def __init__(self, store: BlobStore, key: str, content_type: str | None) -> None:
        self.store = store
        self.key = key
        self.content_type = content_type
        self.part_size = store.cfg.part_size
        self.threshold = max(store.cfg.threshold, 1)
        self._buf = bytearray()
        self._upload_id: str | None = None
        self._futures: list[Future[dict[str, Any]]] = []
        self._slots = threading.BoundedSemaphore(store.cfg.concurrency)
        self._next_part = 1
        self.size = 0

    def write(self, data: bytes) -> None:
        self._buf += data
        self.size += len(data)
        limit = self.part_size if self._upload_id else max(self.threshold, self.part_size)
        if len(self._buf) >= limit:
            while len(self._buf) >= self.part_size:
                part = bytes(memoryview(self._buf)[: self.part_size])
                del self._buf[: self.part_size]
                self._submit(part)

    def _submit(self, data: bytes) -> None:
        client = self.store.client
        if self._upload_id is None:
            extra = {"ContentType": self.content_type} if self.content_type else {}
            self._upload_id = client.create_multipart_upload(Bucket=self.store.bucket, Key=self.key, **extra)[
                "UploadId"
            ]
        for f in self._futures:
            if f.done() and (err := f.exception()) is not None:
                raise err
        number = self._next_part
        self._next_part += 1
        self._slots.acquire()
        upload_id = self._upload_id

        def send() -> dict[str, Any]:
            try:
                r = client.upload_part(
                    Bucket=self.store.bucket, Key=self.key, UploadId=upload_id, PartNumber=number, Body=data
                )
                return {"PartNumber": number, "ETag": r["ETag"]}
            finally:
                self._slots.release()

        self._futures.append(self.store.pool.submit(send))

    def commit(self) -> int:
        """Finish the object; returns its size."""
        try:
            if self._upload_id is None:
                self.store.put_bytes(self.key, bytes(self._buf), self.content_type)
            else:
                if self._buf:
                    self._submit(bytes(self._buf))
                    self._buf = bytearray()
                parts = [f.result() for f in self._futures]
                self.store.complete_multipart(self.key, self._upload_id, parts)
        except BaseException:
            self.abort()
            raise
        return self.size

    def abort(self) -> None:
        """Drop whatever was sent; safe to call more than once."""
        self._buf = bytearray()
        for f in self._futures:
            f.cancel()
        for f in self._futures:
            try:
                f.result()
            except BaseException:  # noqa: BLE001 - the part's own failure is already being reported
                pass
        if self._upload_id is not None:
            upload_id, self._upload_id = self._upload_id, None
            try:
                self.store.abort_multipart(self.key, upload_id)
            except (ClientError, BotoCoreError) as e:
                # Left for garbage collection (and the bucket's abort-incomplete-multipart rule).
                log.warning("could not abort multipart upload of %s: %s", self.key, e)
