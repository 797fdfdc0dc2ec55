"""Background jobs: one plain function per job, run by the huey worker (``pcs worker``) or by the
AWS Lambda entry point (``backend_jobs.lambda_handler.handler``).

To add a job, write ``@job() def my_job(core, arg): ...`` in any module of this package whose name
does not start with ``_``; it is found, queued by name (``core.jobs.enqueue("my_job", arg)``),
retried with backoff, and kept in ``pcs jobs failed`` if it never succeeds.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .registry import JOBS, Job, job

if TYPE_CHECKING:
    from pcs_app.adapters.queue import JobQueue
    from pcs_app.services.core import Core
    from pcs_app.settings import Settings

# Modules that start a process (they build the Core through pcs_app.wiring) rather than define jobs.
ENTRY_POINTS = frozenset({"lambda_handler"})

__all__ = ["JOBS", "Job", "build_queue", "job", "load_jobs", "run_job"]


@functools.cache
def load_jobs() -> dict[str, Job]:
    """Import every job module of this package (once) and return the registry."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name not in ENTRY_POINTS:
            importlib.import_module(f"{__name__}.{info.name}")
    return JOBS


def build_queue(core: Core, jobs: Iterable[Job] | None = None, settings: Settings | None = None) -> JobQueue:
    """A job queue whose jobs run against ``core``; final failures are kept in the database.

    ``jobs`` and ``settings`` default to every registered job and ``core.settings``.
    """
    from pcs_app.adapters.queue import Failure, JobDef, JobQueue

    from .failures import record

    settings = settings or core.settings
    chosen = list(load_jobs().values()) if jobs is None else list(jobs)
    defs = [
        JobDef(
            name=j.name,
            fn=functools.partial(j.fn, core),
            retries=j.retries,
            retry_delay=j.retry_delay,
            every_minutes=j.interval(settings),
            coalesce=j.coalesce,
        )
        for j in chosen
    ]

    def keep(failure: Failure) -> None:
        record(core, failure)

    return JobQueue.from_settings(settings, defs, on_failure=keep)


def run_job(core: Core, name: str, *args: Any) -> Any:
    """Run one job now, in this thread (the Lambda entry point and ``pcs jobs run`` use this)."""
    jobs = load_jobs()
    if name not in jobs:
        raise KeyError(f"no job named {name!r}; known: {', '.join(sorted(jobs))}")
    return jobs[name].fn(core, *args)
