"""AWS Lambda entry point: the same job functions, fed by S3 event notifications, SQS messages or a schedule.

Events understood:
- S3 ``ObjectCreated:*`` notifications (direct, or delivered through SQS) for ``blobs/`` keys: thumbnails.
- SQS messages whose body is ``{"job": NAME, "args": [...]}``: that job.
- A direct or EventBridge invocation ``{"job": NAME, "args": [...]}`` (e.g. the periodic garbage collection).

For SQS the answer lists only the failed messages (``ReportBatchItemFailures``), so SQS redelivers
those alone after the visibility timeout; a message seen more times than its job allows retries is
recorded in ``job_failure`` (``pcs jobs failed``) before the redrive policy moves it to the DLQ.
"""

from __future__ import annotations

import json
import logging
import traceback
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import unquote_plus

from sqlmodel import select

from pcs_app.adapters.queue import Failure
from pcs_app.models import Blob, utcnow
from pcs_app.services import thumbnails as thumbs
from pcs_app.services.core import Core
from pcs_app.wiring import get_core

from . import failures, load_jobs, run_job

log = logging.getLogger(__name__)
BLOB_PREFIX = "blobs/"


class NotCommittedYet(RuntimeError):
    """S3 told of an object before the upload's database commit made it a blob: try again shortly."""


def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    """Lambda handler (configure as ``backend_jobs.lambda_handler.handler``)."""
    core = get_core()
    records = event.get("Records")
    if records is None:
        if "job" not in event:
            raise ValueError("expected S3/SQS records or {'job': name, 'args': [...]}")
        return {"result": _jsonable(run_job(core, event["job"], *event.get("args", [])))}
    failed: list[dict[str, str]] = []
    results: list[Any] = []
    for record in records:
        source = record.get("eventSource")
        if source == "aws:s3":
            # Raising makes Lambda retry the whole (single-record) S3 invocation, with its own backoff.
            results.append(handle_s3_record(core, record))
        elif source == "aws:sqs":
            try:
                results.append(handle_sqs_record(core, record))
            except Exception:  # reported to SQS as this message's failure, logged below
                log.exception("SQS message %s failed", record.get("messageId"))
                failed.append({"itemIdentifier": record["messageId"]})
        else:
            log.warning("ignoring a record from %r", source)
    return {"batchItemFailures": failed, "results": _jsonable(results)}


def handle_s3_record(core: Core, record: dict[str, Any]) -> str:
    """Make the thumbnails of a newly stored object (other buckets, prefixes and events are ignored)."""
    sha = blob_sha(core, record)
    if sha is None:
        return "ignored"
    return str(run_job(core, thumbs.JOB, sha))


def blob_sha(core: Core, record: dict[str, Any]) -> str | None:
    """The content an S3 notification is about; None when it is not a stored file's bytes."""
    if not str(record.get("eventName", "")).startswith("ObjectCreated:"):
        return None
    s3 = record.get("s3", {})
    bucket = s3.get("bucket", {}).get("name")
    key = unquote_plus(s3.get("object", {}).get("key", ""))
    if bucket != core.settings.s3_bucket or not key.startswith(BLOB_PREFIX):
        return None  # our own thumbs/ writes notify too: ignoring them avoids a loop
    with core.db.read() as s:
        sha = s.exec(select(Blob.sha256).where(Blob.s3_key == key)).first()
    if sha is not None:
        return sha
    try:
        info = core.blobs.head(key)
    except FileNotFoundError:
        return None  # identical content was already stored, so the upload deleted its copy
    if info.last_modified > utcnow() - timedelta(seconds=core.settings.gc_grace_seconds):
        raise NotCommittedYet(f"{key} has no blob row yet")
    return None  # an orphan from a failed upload: garbage collection reclaims it


def handle_sqs_record(core: Core, record: dict[str, Any]) -> list[Any]:
    """One SQS message (a job call or S3 notifications); the failure of its last allowed attempt is recorded."""
    body = json.loads(record.get("body") or "{}")
    attempt = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
    jobs = load_jobs()
    calls: list[tuple[str, list[Any]]] = []
    if "job" in body:
        calls.append((str(body["job"]), list(body.get("args", []))))
    elif body.get("Event") != "s3:TestEvent":
        for r in body.get("Records", []):
            try:
                sha = blob_sha(core, r)
            except NotCommittedYet:
                if attempt > jobs[thumbs.JOB].retries:
                    continue  # never committed: an orphan, not a failure
                raise
            if sha is not None:
                calls.append((thumbs.JOB, [sha]))
    results: list[Any] = []
    for name, args in calls:
        try:
            results.append(run_job(core, name, *args))
        except Exception as e:
            job = jobs.get(name)
            if job is None or attempt > job.retries:
                failures.record(
                    core,
                    Failure(
                        task_id=str(record.get("messageId") or uuid.uuid4()),
                        job=name,
                        args=tuple(args),
                        attempts=attempt,
                        error=f"{type(e).__name__}: {e}",
                        traceback=traceback.format_exc(),
                    ),
                )
            raise
    return results


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
