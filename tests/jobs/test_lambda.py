"""The AWS Lambda entry point, fed real-format S3 event notifications and SQS messages, against SeaweedFS."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote_plus

import pytest
from sqlmodel import select

from backend_jobs import failures
from backend_jobs.lambda_handler import NotCommittedYet, handler
from pcs_app.models import Blob
from pcs_app.services import content
from pcs_app.services import thumbnails as thumbs
from pcs_app.services.core import Core
from pcs_app.wiring import set_core
from tests.jobs import conftest as media


@pytest.fixture
def lambda_core(core: Core) -> Iterator[Core]:
    """The handler builds its Core from the environment; here it gets the test's."""
    set_core(core)
    yield core
    set_core(None)


def s3_event(core: Core, key: str, event_name: str = "ObjectCreated:Put", bucket: str | None = None) -> dict:  # type: ignore[type-arg]
    """An S3 event notification exactly as S3 sends it (event version 2.1), for an object in SeaweedFS."""
    bucket = bucket or core.settings.s3_bucket
    try:
        head = core.blobs.client.head_object(Bucket=bucket, Key=key)
        size, etag = head["ContentLength"], head["ETag"].strip('"')
    except Exception:  # noqa: BLE001 - events may name objects that are gone by now
        size, etag = 0, "d41d8cd98f00b204e9800998ecf8427e"
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": core.settings.s3_region,
                "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "eventName": event_name,
                "userIdentity": {"principalId": "AWS:AIDAJDPLRKLG7UEXAMPLE"},
                "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                "responseElements": {
                    "x-amz-request-id": secrets.token_hex(8).upper(),
                    "x-amz-id-2": secrets.token_urlsafe(48),
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "pcs-thumbnails",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": {
                        "key": quote_plus(key, safe="/"),
                        "size": size,
                        "eTag": etag,
                        "sequencer": secrets.token_hex(9).upper(),
                    },
                },
            }
        ]
    }


def sqs_message(body: dict, receive_count: int = 1) -> dict:  # type: ignore[type-arg]
    text = json.dumps(body)
    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": secrets.token_urlsafe(40),
        "body": text,
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": "1764331200000",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": "1764331200001",
        },
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(text.encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:pcs-jobs",
        "awsRegion": "us-east-1",
    }


def blob_key(core: Core, sha: str) -> str:
    with core.db.read() as s:
        return s.exec(select(Blob.s3_key).where(Blob.sha256 == sha)).one()


def test_s3_put_event_makes_the_thumbnails(lambda_core: Core, user) -> None:  # type: ignore[no-untyped-def]
    node = content.upload(lambda_core, user, user.root_id, "beach.jpg", [media.jpeg((800, 600), color="coral")])
    out = handler(s3_event(lambda_core, blob_key(lambda_core, node.sha256)), None)
    assert out["results"] == ["ready:1"] and out["batchItemFailures"] == []
    keys = {o.key for o in lambda_core.blobs.objects(f"thumbs/{node.sha256}/")}
    assert keys == {thumbs.thumb_key(node.sha256, 256), thumbs.thumb_key(node.sha256, 1024)}
    # S3 delivers at least once: the same event again does nothing more.
    assert handler(s3_event(lambda_core, blob_key(lambda_core, node.sha256)), None)["results"] == ["done"]


def test_s3_events_that_are_not_stored_files_are_ignored(lambda_core: Core, user) -> None:  # type: ignore[no-untyped-def]
    node = content.upload(lambda_core, user, user.root_id, "x.jpg", [media.jpeg((300, 200), color="tan")])
    handler(s3_event(lambda_core, blob_key(lambda_core, node.sha256)), None)
    # Our own thumbnail writes notify too; they must not start another round.
    assert handler(s3_event(lambda_core, thumbs.thumb_key(node.sha256, 256)), None)["results"] == ["ignored"]
    assert handler(s3_event(lambda_core, "blobs/00/" + uuid.uuid4().hex), None)["results"] == ["ignored"]  # gone
    removal = s3_event(lambda_core, blob_key(lambda_core, node.sha256), "ObjectRemoved:Delete")
    assert handler(removal, None)["results"] == ["ignored"]
    other_bucket = s3_event(lambda_core, blob_key(lambda_core, node.sha256), bucket="someone-elses")
    assert handler(other_bucket, None)["results"] == ["ignored"]


def test_event_before_the_upload_commits_asks_to_be_retried(lambda_core: Core) -> None:
    key = "blobs/ff/" + uuid.uuid4().hex
    lambda_core.blobs.put_bytes(key, media.jpeg((100, 100)))  # bytes first; the commit has not happened yet
    try:
        with pytest.raises(NotCommittedYet):
            handler(s3_event(lambda_core, key), None)
    finally:
        lambda_core.blobs.delete(key)


def test_sqs_batch_reports_only_the_failed_messages(lambda_core: Core, user) -> None:  # type: ignore[no-untyped-def]
    node = content.upload(lambda_core, user, user.root_id, "sqs.jpg", [media.jpeg((400, 300), color="plum")])
    s3_via_sqs = sqs_message(s3_event(lambda_core, blob_key(lambda_core, node.sha256)))
    job_call = sqs_message({"job": "thumbnails_backfill", "args": [10, 3600]})
    broken = sqs_message({"job": "no_such_job", "args": []})
    test_event = sqs_message({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "pcs"})
    out = handler({"Records": [s3_via_sqs, job_call, broken, test_event]}, None)
    assert out["batchItemFailures"] == [{"itemIdentifier": broken["messageId"]}]
    assert thumbs.state(lambda_core, node.sha256).status == thumbs.READY  # type: ignore[union-attr]


def test_last_sqs_attempt_of_a_failing_job_is_kept_in_failed_jobs(lambda_core: Core, user) -> None:  # type: ignore[no-untyped-def]
    node = content.upload(lambda_core, user, user.root_id, "gone.jpg", [media.jpeg((300, 300), color="khaki")])
    lambda_core.blobs.delete(blob_key(lambda_core, node.sha256))  # the bytes vanished: the job cannot succeed
    message = sqs_message({"job": "thumbnails", "args": [node.sha256]}, receive_count=1)
    assert handler({"Records": [message]}, None)["results"] == [["none:missing"]]  # said once, not retried

    wrong = sqs_message({"job": "thumbnails", "args": [1, 2, 3]}, receive_count=6)  # bad call, sixth delivery
    assert handler({"Records": [wrong]}, None)["batchItemFailures"] == [{"itemIdentifier": wrong["messageId"]}]
    kept = [f for f in failures.list_failed(lambda_core, limit=1000) if f.task_id == wrong["messageId"]]
    assert len(kept) == 1 and kept[0].job == "thumbnails" and kept[0].attempts == 6


def test_scheduled_invocation_runs_a_job_by_name(lambda_core: Core) -> None:
    out = handler({"job": "collect_garbage"}, None)
    assert set(out["result"]) >= {"blobs_deleted", "orphans_deleted", "thumbnail_rows_deleted"}
