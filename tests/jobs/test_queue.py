"""The job queue itself, as a contract suite: every behaviour below runs on both stores (huey on a
SQLite file, huey on Redis): retries with backoff, failures kept and listed by `pcs jobs failed`,
queueing turned off, a second process consuming, coalescing calls; plus periodic jobs and adding a job as one function."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from backend_jobs import JOBS, build_queue, failures, load_jobs
from backend_jobs.registry import Job, job
from pcs_app import cli
from pcs_app.adapters.queue import PENDING_TTL_SECONDS, JobQueue, every
from pcs_app.services.core import Core
from pcs_app.wiring import set_core
from tests.conftest import wait_until


class Calls:
    """Records each call of a test job; fails the first ``fail`` of them."""

    def __init__(self, fail: int) -> None:
        self.fail = fail
        self.times: list[float] = []
        self.args: list[tuple[object, ...]] = []
        self.lock = threading.Lock()

    def __call__(self, _core: Core, *args: object) -> str:
        with self.lock:
            self.times.append(time.monotonic())
            self.args.append(args)
            if len(self.times) <= self.fail:
                raise RuntimeError(f"attempt {len(self.times)} fails on purpose")
        return "ok"


@pytest.fixture(params=["sqlite-file", "redis"])
def store(request: pytest.FixtureRequest) -> dict[str, object]:
    """The queue's store: settings overrides for the SQLite file (the default) or Redis."""
    return {"redis_url": request.getfixturevalue("redis_url")} if request.param == "redis" else {}


def private_queue(core: Core, jobs: list[Job], store: dict[str, object], **overrides: object) -> JobQueue:
    """A queue of its own (own name), so test jobs never meet the real ones."""
    name = f"test-{secrets.token_hex(4)}"
    settings = core.settings.model_copy(update={"jobs_queue_name": name, **store, **overrides})
    return build_queue(core, jobs, settings)


@pytest.fixture
def cli_core(core: Core) -> Iterator[Core]:
    set_core(core)
    yield core
    set_core(None)


def test_a_failing_job_is_retried_with_growing_waits_then_succeeds(core: Core, store: dict[str, object]) -> None:
    calls = Calls(fail=2)
    queue = private_queue(core, [Job("flaky", calls, retries=3, retry_delay=0.3)], store)
    running = queue.start_workers(1)
    try:
        queue.enqueue("flaky", "x")
        assert wait_until(lambda: len(calls.times) == 3, timeout=20)
    finally:
        running.stop()
        queue.close()
    first_wait, second_wait = calls.times[1] - calls.times[0], calls.times[2] - calls.times[1]
    assert first_wait >= 0.3 and second_wait >= 0.6  # 0.3 s, then doubled (the scheduler ticks each second)
    assert all(a == ("x",) for a in calls.args)
    assert not [f for f in failures.list_failed(core, limit=1000) if f.job == "flaky"]


def test_a_job_that_keeps_failing_is_kept_listed_and_can_be_retried(
    core: Core, cli_core: Core, capsys: pytest.CaptureFixture[str], store: dict[str, object]
) -> None:
    name = f"doomed_{secrets.token_hex(3)}"
    calls = Calls(fail=3)
    queue = private_queue(core, [Job(name, calls, retries=2, retry_delay=0.1)], store)
    running = queue.start_workers(1)
    try:
        queue.enqueue(name, "subject-1", 7)
        assert wait_until(lambda: any(f.job == name for f in failures.list_failed(core, limit=1000)), timeout=20)
        assert len(calls.times) == 3  # the first try and two retries, then no more
        kept = next(f for f in failures.list_failed(core, limit=1000) if f.job == name)
        assert (kept.subject, kept.args, kept.attempts) == ("subject-1", '["subject-1", 7]', 3)
        assert "attempt 3 fails on purpose" in kept.error and "RuntimeError" in kept.traceback

        cli.main(["jobs", "failed"])
        out = capsys.readouterr().out
        assert f"#{kept.id}" in out and name in out and "attempt 3 fails on purpose" in out

        # Retrying queues it again; this time it succeeds and the failure is marked resolved.
        failures.retry(core, queue, kept.id)  # type: ignore[arg-type]
        assert wait_until(lambda: len(calls.times) == 4, timeout=20)
        assert all(f.id != kept.id for f in failures.list_failed(core, limit=1000))
        assert any(f.id == kept.id and f.resolved_at for f in failures.list_failed(core, include_resolved=True))
    finally:
        running.stop()
        queue.close()


def test_jobs_status_command_counts_the_queue(cli_core: Core, capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["jobs", "status"])
    out = capsys.readouterr().out
    assert "queued:" in out and "thumbnails" in out and "collect_garbage" in out


def test_periodic_jobs_are_scheduled_from_settings(core: Core) -> None:
    jobs = load_jobs()
    assert jobs["collect_garbage"].interval(core.settings) == core.settings.gc_interval_minutes
    assert jobs["collect_garbage"].interval(core.settings.model_copy(update={"gc_interval_minutes": 0})) is None
    assert core.jobs.periodic == {
        "collect_garbage": core.settings.gc_interval_minutes,
        "sweep_orphans": 24 * 60,
        "apply_retention": core.settings.retention_interval_minutes,
        "thumbnails_backfill": 15,
        "search_sweep": core.settings.search_sweep_minutes,
        "usage_rollup": core.settings.usage_rollup_minutes,
        "account_deletions": 10,
        "mail_sweep": 1,
    }
    hourly = every(60)
    assert hourly(datetime(2026, 1, 1, 5, 0)) and not hourly(datetime(2026, 1, 1, 5, 1))


def test_adding_a_job_is_one_decorated_function(core: Core, store: dict[str, object]) -> None:
    name = f"one_function_{secrets.token_hex(3)}"
    seen: list[object] = []

    @job(name, retries=0)
    def new_job(_core: Core, value: int) -> None:
        seen.append(value)

    try:
        queue = private_queue(core, [JOBS[name]], store)
        running = queue.start_workers(1)
        try:
            queue.enqueue(name, 41)
            assert wait_until(lambda: seen == [41], timeout=10)
        finally:
            running.stop()
            queue.close()
    finally:
        del JOBS[name]


def test_unknown_job_names_are_refused_at_once(core: Core) -> None:
    with pytest.raises(KeyError):
        core.jobs.enqueue("no_such_job")


def test_a_second_queue_object_consumes_what_the_first_enqueues(core: Core, store: dict[str, object]) -> None:
    calls = Calls(fail=0)
    producer = private_queue(core, [Job("over_redis", calls, retries=0)], store)
    expected = "RedisStorage" if store else "SqliteStorage"
    assert type(producer.huey.storage).__name__ == expected
    # A second queue object with the same settings stands for a worker in another process (or, with
    # Redis, on another machine).
    same = core.settings.model_copy(update={"jobs_queue_name": producer.huey.name, **store})
    consumer = build_queue(core, [Job("over_redis", calls, retries=0)], same)
    running = consumer.start_workers(1)
    try:
        producer.enqueue("over_redis", "hello")
        assert wait_until(lambda: calls.args == [("hello",)], timeout=10)
    finally:
        running.stop()
        producer.huey.flush()
        producer.close()
        consumer.close()


def test_queueing_can_be_turned_off_for_lambda_deployments(core: Core, store: dict[str, object]) -> None:
    queue = private_queue(core, [Job("quiet", Calls(0))], store, jobs_enqueue=False)
    try:
        assert queue.enqueue("quiet") is None and queue.pending_count() == 0
    finally:
        queue.close()


def test_a_coalescing_job_is_queued_once_while_waiting_and_again_once_started(
    core: Core, store: dict[str, object]
) -> None:
    """The search index's catch-up: every commit asks for it; a call equal to one still waiting is that call,
    and once a call has started, the next ask queues a new one (it may come after the run has read)."""
    calls = Calls(fail=0)
    queue = private_queue(core, [Job("catch_up", calls, retries=0, coalesce=True), Job("plain", calls)], store)
    try:
        first = queue.enqueue("catch_up", 7)
        assert first is not None
        assert [queue.enqueue("catch_up", 7) for _ in range(5)] == [None] * 5
        assert queue.enqueue("catch_up", 8) is not None  # another account: its own call
        assert queue.pending_count("catch_up") == 2
        assert queue.enqueue("plain", 7) and queue.enqueue("plain", 7)  # not coalescing: each call queued
        assert queue.pending_count("plain") == 2
        running = queue.start_workers(1)
        try:
            assert wait_until(lambda: len(calls.args) == 4, timeout=10)
            assert sorted(calls.args, key=str) == [(7,), (7,), (7,), (8,)]
            assert queue.enqueue("catch_up", 7) is not None  # started and done: a new ask is a new call
            assert wait_until(lambda: len(calls.args) == 5, timeout=10)
        finally:
            running.stop()
    finally:
        queue.huey.flush()
        queue.close()


def test_a_waiting_mark_left_by_a_lost_call_stops_holding_calls_back(core: Core, store: dict[str, object]) -> None:
    queue = private_queue(core, [Job("catch_up", Calls(0), retries=0, coalesce=True)], store)
    try:
        assert queue.enqueue("catch_up", 1) is not None
        queue.huey.storage.flush_queue()  # the call is lost (a queue flushed), its mark is not
        assert queue.pending_count() == 0 and queue.enqueue("catch_up", 1) is None  # the mark still holds
        queue.huey.put(queue._pending_key("catch_up", (1,)), time.time() - PENDING_TTL_SECONDS - 1)
        assert queue.enqueue("catch_up", 1) is not None and queue.pending_count() == 1
    finally:
        queue.huey.flush()
        queue.close()
