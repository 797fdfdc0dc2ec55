"""Small objects' direct S3 requests (adapters/s3direct) against a real SeaweedFS, and their fallback to boto3."""

from __future__ import annotations

import calendar
import hashlib
import os
import secrets
import time
from collections.abc import Iterator

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from pcs_app.adapters.blobstore import BlobStore, S3Config
from pcs_app.adapters.s3direct import DirectS3, Fallback, Signer
from pcs_app.adapters.seaweed import PrivateS3


@pytest.fixture
def store(weed: PrivateS3) -> Iterator[BlobStore]:
    s = BlobStore(
        S3Config(f"direct-{secrets.token_hex(4)}", weed.endpoint, "us-east-1", weed.access_key, weed.secret_key)
    )
    s.ensure_bucket()
    yield s
    if s.direct is not None:
        s.direct.close()


@pytest.mark.parametrize("token", [None, "session-token/with+chars=="])
def test_the_signature_is_botocores(token: str | None) -> None:
    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    url = "http://127.0.0.1:8333/bucket/blobs/ab/k%C3%A9y%20x"
    ref = AWSRequest(method="PUT", url=url, data=b"x")
    S3SigV4Auth(creds, "s3", "eu-west-3").add_auth(ref)  # over http, botocore signs the body's hash
    now = calendar.timegm(time.strptime(ref.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ"))
    sha = hashlib.sha256(b"x").hexdigest()
    mine = Signer("eu-west-3", creds).headers("PUT", "127.0.0.1:8333", "/bucket/blobs/ab/k%C3%A9y%20x", sha, now)
    assert mine["authorization"] == ref.headers["Authorization"]
    assert mine.get("x-amz-security-token") == token


def test_direct_put_and_get_agree_with_boto3(store: BlobStore) -> None:
    direct = store.direct
    assert direct is not None
    data = os.urandom(5000)
    direct.put("blobs/aa/one", data, "text/plain")
    got = store.client.get_object(Bucket=store.bucket, Key="blobs/aa/one")
    assert got["Body"].read() == data and got["ContentType"] == "text/plain"
    store.client.put_object(Bucket=store.bucket, Key="blobs/aa/two é+x", Body=data)
    assert direct.get("blobs/aa/two é+x", 10, 19) == data[10:20]
    assert b"".join(store.iter_range("blobs/aa/one", 0, len(data) - 1)) == data
    store.put_bytes("blobs/aa/three", b"")
    assert store.head("blobs/aa/three").size == 0


def test_a_missing_key_is_file_not_found(store: BlobStore) -> None:
    with pytest.raises(FileNotFoundError):
        b"".join(store.iter_range("blobs/no/such", 0, 99))
    assert store.direct is not None
    with pytest.raises(FileNotFoundError):
        store.direct.get("blobs/no/such", 0, 99)


def test_a_connection_closed_while_idle_is_replaced(store: BlobStore) -> None:
    direct = store.direct
    assert direct is not None
    direct.put("blobs/bb/k", b"first")
    idle = list(direct._idle)
    assert idle and all(c.sock is not None for c in idle)
    for c in idle:
        assert c.sock is not None
        c.sock.close()  # as if the store had closed it
    direct.put("blobs/bb/k", b"second")
    assert direct.get("blobs/bb/k", 0, 5) == b"second"


def test_several_stale_connections_cost_one_retry(store: BlobStore) -> None:
    direct = store.direct
    assert direct is not None
    stale = [direct._connect() for _ in range(4)]
    for c in stale:
        c.connect()
        assert c.sock is not None
        c.sock.close()  # all idled as long, all closed by the store
    direct._idle.extend(stale)
    direct.put("blobs/bb/many", b"on a fresh connection")  # no Fallback: the retry does not take another stale one
    assert direct.get("blobs/bb/many", 0, 1) == b"on"
    assert len(direct._idle) == 1  # the stale ones are gone, the fresh one kept


@pytest.fixture
def wrong(store: BlobStore, weed: PrivateS3) -> Iterator[DirectS3]:
    """A direct client with the wrong secret: the store refuses every request it signs."""
    client = DirectS3(
        weed.endpoint,
        store.bucket,
        Signer("us-east-1", Credentials(weed.access_key, "not-the-secret")),
        sign_payload=False,
        ca_file=None,
    )
    yield client
    client.close()


def test_anything_unusual_goes_through_boto3(store: BlobStore, wrong: DirectS3) -> None:
    with pytest.raises(Fallback):
        wrong.put("blobs/cc/k", b"data")
    with pytest.raises(Fallback):
        wrong.get("blobs/cc/k", 0, 3)
    store.direct = wrong  # a direct path that always fails: every call still succeeds through boto3
    store.put_bytes("blobs/cc/k", b"data")
    assert b"".join(store.iter_range("blobs/cc/k", 0, 3)) == b"data"
    with pytest.raises(FileNotFoundError):
        b"".join(store.iter_range("blobs/cc/missing", 0, 3))
    closed = DirectS3("http://127.0.0.1:9", store.bucket, wrong.signer, sign_payload=False, ca_file=None)
    store.direct = closed  # nobody listens there
    store.put_bytes("blobs/cc/k2", b"more")
    assert store.get_bytes("blobs/cc/k2") == b"more"


class _Recording(Signer):
    def __init__(self, region: str, source: Credentials) -> None:
        super().__init__(region, source)
        self.payloads: list[str] = []

    def headers(
        self, method: str, host: str, path: str, payload_sha256: str, now: float | None = None
    ) -> dict[str, str]:
        self.payloads.append(payload_sha256)
        return super().headers(method, host, path, payload_sha256, now)


def test_a_signed_payload_is_hashed_once(store: BlobStore, weed: PrivateS3) -> None:
    signer = _Recording("us-east-1", Credentials(weed.access_key, weed.secret_key))
    # As on a plain-http endpoint that is not loopback: the body's sha256 is signed.
    signed = DirectS3(weed.endpoint, store.bucket, signer, sign_payload=True, ca_file=None)
    data = b"signed body"
    sha = hashlib.sha256(data).hexdigest()
    signed.put("blobs/dd/given", data, sha256=sha)  # the hash the upload already has
    signed.put("blobs/dd/own", data)  # none given: hashed here
    assert signer.payloads == [sha, sha]
    assert signed.get("blobs/dd/given", 0, len(data) - 1) == data
    signed.close()


def test_each_kind_of_fallback_is_a_warning_once(wrong: DirectS3, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("DEBUG", logger="pcs_app.adapters.s3direct"):
        for _ in range(2):
            for call in (lambda: wrong.put("blobs/ee/k", b"x"), lambda: wrong.get("blobs/ee/k", 0, 0)):
                with pytest.raises(Fallback):
                    call()
    levels = [r.levelname for r in caplog.records if r.name == "pcs_app.adapters.s3direct"]
    assert levels == ["WARNING", "WARNING", "DEBUG", "DEBUG"]
