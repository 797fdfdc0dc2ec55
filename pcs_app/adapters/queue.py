"""The job queue: huey, queued in SQLite on one machine or in Redis across several (chosen by settings).

Jobs are plain functions registered here by name; huey carries the calls, retries them with
exponential backoff and runs the periodic ones. A call that fails its last attempt is handed to
``on_failure`` so it is kept somewhere visible instead of vanishing.
"""

from __future__ import annotations

import calendar
import json
import logging
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from huey import Huey, RedisHuey, SqliteHuey, signals
from huey.consumer import Consumer
from huey.exceptions import TaskLockedException

from pcs_app.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobDef:
    """One job: ``fn(*args)`` with its retry policy; ``every_minutes`` makes it periodic (no arguments)."""

    name: str
    fn: Callable[..., object]
    retries: int = 5
    retry_delay: float = 10.0
    backoff: float = 2.0
    every_minutes: int | None = None
    coalesce: bool = False  # a call like one still waiting to start is that call (see JobQueue.enqueue)


# How long a coalesced call's "waiting" mark lives at most: a mark whose call was lost (a queue flushed,
# a worker gone before starting it) stops holding new calls back after this.
PENDING_TTL_SECONDS = 600


@dataclass(frozen=True)
class Failure:
    """A job call that used up its attempts."""

    task_id: str
    job: str
    args: tuple[Any, ...]
    attempts: int
    error: str
    traceback: str


def every(minutes: int) -> Callable[[datetime], bool]:
    """A huey schedule test that is true once every ``minutes`` minutes (counted from the epoch, UTC)."""

    def due(ts: datetime) -> bool:
        return (calendar.timegm(ts.timetuple()) // 60) % minutes == 0

    return due


class JobQueue:
    """Enqueue jobs by name; run them with ``consumer()`` (a process) or ``start_workers()`` (threads)."""

    def __init__(
        self,
        huey: Huey,
        jobs: Iterable[JobDef],
        on_failure: Callable[[Failure], None] | None = None,
        *,
        enabled: bool = True,
        poll_seconds: float = 0.5,
    ) -> None:
        self.huey = huey
        self.enabled = enabled
        self.poll_seconds = poll_seconds
        self._on_failure = on_failure
        self._defs: dict[str, JobDef] = {}
        self._tasks: dict[str, Any] = {}
        for job in jobs:
            self._register(job)
        huey.post_execute(name="pcs_failures")(self._after)
        huey.signal(signals.SIGNAL_INTERRUPTED)(self._interrupted)

    @classmethod
    def from_settings(
        cls, settings: Settings, jobs: Iterable[JobDef], on_failure: Callable[[Failure], None] | None = None
    ) -> JobQueue:
        """SQLite queue file by default; Redis when PCS_REDIS_URL is set."""
        # results=False: nobody waits on return values, and stored results would pile up forever.
        huey: Huey
        if settings.redis_url:
            huey = RedisHuey(settings.jobs_queue_name, results=False, url=settings.redis_url)
        else:
            path = settings.effective_jobs_db
            path.parent.mkdir(parents=True, exist_ok=True)
            huey = SqliteHuey(settings.jobs_queue_name, results=False, filename=str(path), timeout=30)
        return cls(huey, jobs, on_failure, enabled=settings.jobs_enqueue, poll_seconds=settings.jobs_poll_seconds)

    @staticmethod
    def _pending_key(name: str, args: tuple[Any, ...]) -> str:
        return "pcs-pending:" + name + ":" + json.dumps(args, separators=(",", ":"), default=str)

    def _register(self, job: JobDef) -> None:
        def run(*args: Any) -> object:
            if job.coalesce:
                # Started: a change committed from now on needs a call of its own.
                self.huey.delete(self._pending_key(job.name, args))
            return job.fn(*args)

        run.__module__ = "pcs.jobs"  # a stable task identifier, whichever module defines the job
        options: dict[str, Any] = {
            "retries": job.retries,
            "retry_delay": job.retry_delay,
            "retry_backoff": job.backoff,
            "name": job.name,
        }
        if job.every_minutes:
            task = self.huey.periodic_task(every(job.every_minutes), **options)(run)
        else:
            task = self.huey.task(**options)(run)
        self._defs[job.name] = job
        self._tasks[job.name] = task

    @property
    def names(self) -> list[str]:
        return sorted(self._defs)

    @property
    def periodic(self) -> dict[str, int]:
        """Periodic jobs and their interval in minutes."""
        return {n: d.every_minutes for n, d in self._defs.items() if d.every_minutes}

    def definition(self, name: str) -> JobDef:
        """The registered job called ``name`` (KeyError if none)."""
        return self._defs[name]

    def enqueue(self, name: str, *args: Any) -> str | None:
        """Queue one call of job ``name``; returns its task id (None when this app does not queue jobs, or
        when the job coalesces and the same call is already waiting to start: that one will do)."""
        if name not in self._tasks:
            raise KeyError(f"no job named {name!r}; known: {', '.join(self.names)}")
        if not self.enabled:
            return None
        if self._defs[name].coalesce and not self._mark_waiting(self._pending_key(name, args)):
            return None
        task = self._tasks[name].s(*args)
        self.huey.enqueue(task)
        return str(task.id)

    def _mark_waiting(self, key: str) -> bool:
        """Mark a coalescing call as waiting; False if an equal call already is (and its mark is fresh).
        A plain put-if-empty with the time as value: the SQLite store keeps no expiry."""
        now = time.time()
        if self.huey.put_if_empty(key, now):
            return True
        at = self.huey.get(key, peek=True)
        if isinstance(at, (int, float)) and now - at < PENDING_TTL_SECONDS:
            return False
        self.huey.put(key, now)  # a mark left by a lost call: this call takes its place
        return True

    def pending_count(self, name: str | None = None) -> int:
        """Calls waiting to run (only those of job ``name`` when given)."""
        if name is None:
            return cast(int, self.huey.pending_count())
        return sum(1 for t in self.huey.pending() if t.name == name)

    def scheduled_count(self) -> int:
        """Calls waiting for a later time: retries in their backoff."""
        return cast(int, self.huey.scheduled_count())

    def _after(self, task: Any, _value: object, exc: BaseException | None) -> None:
        # Runs after every attempt; only the last failed one (no retries left) is a failure to keep.
        if exc is None or task.retries or isinstance(exc, TaskLockedException):
            return
        job = self._defs.get(task.name)
        failure = Failure(
            task_id=task.id,
            job=task.name,
            args=tuple(task.args),
            attempts=(job.retries if job else 0) + 1,
            error=f"{type(exc).__name__}: {exc}",
            traceback="".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
        )
        log.error("job %s%r failed for good after %d attempts: %s", task.name, failure.args, failure.attempts, exc)
        if self._on_failure is not None:
            try:
                self._on_failure(failure)
            except Exception:  # the log line above still tells of the failure
                log.exception("could not record the failure of job %s", task.name)

    def _interrupted(self, _signal: str, task: Any) -> None:
        # A worker stopped while running this call: put it back so it runs again (jobs are idempotent).
        try:
            self.huey.enqueue(task)
        except Exception:  # shutting down; the periodic backfill catches what is lost
            log.exception("could not requeue interrupted job %s", task)

    def consumer(self, workers: int, *, periodic: bool = True, shutdown_timeout: float = 4.0) -> Consumer:
        """A huey consumer with ``workers`` threads; SIGTERM lets running jobs finish (up to the timeout)."""
        return self.huey.create_consumer(
            workers=workers,
            worker_type="thread",
            periodic=periodic,
            initial_delay=0.05,
            max_delay=self.poll_seconds,
            scheduler_interval=1,
            check_worker_health=True,
            shutdown_timeout=shutdown_timeout,
            graceful_signal="TERM",
        )

    def start_workers(self, workers: int, *, periodic: bool = False) -> RunningWorkers:
        """Run a consumer's threads inside this process (tests, benchmarks); stop them with ``stop()``."""
        consumer = self.consumer(workers, periodic=periodic)
        # Consumer.start() would also take over the process's signal handlers: start the threads only.
        consumer.scheduler.start()
        for _worker, thread in consumer.worker_threads:
            thread.start()
        return RunningWorkers(consumer)

    def close(self) -> None:
        self.huey.storage.close()


class RunningWorkers:
    """Worker threads started by ``JobQueue.start_workers``."""

    def __init__(self, consumer: Consumer) -> None:
        self.consumer = consumer

    def stop(self) -> None:
        """Let running jobs finish, then end the threads."""
        self.consumer.stop(graceful=True)
