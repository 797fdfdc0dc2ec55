"""The list of jobs. A job is a plain function ``fn(core, *args)`` marked with ``@job``; that is all it takes.

Arguments must be JSON values (strings, numbers): the same call travels through huey, an SQS message
or a Lambda event. Jobs must be idempotent: any call may run twice, or again after a partial run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pcs_app.settings import Settings


@dataclass(frozen=True)
class Job:
    """A registered job and its policy: ``retries`` more attempts, waits doubling from ``retry_delay`` seconds."""

    name: str
    fn: Callable[..., Any]
    retries: int = 5
    retry_delay: float = 10.0
    every: Callable[[Settings], int] | None = None  # minutes between periodic runs; 0 turns it off
    coalesce: bool = False  # a call the same as one still waiting to start is not queued again

    def interval(self, settings: Settings) -> int | None:
        """Minutes between runs of a periodic job under these settings (None: not periodic)."""
        if self.every is None:
            return None
        return self.every(settings) or None


JOBS: dict[str, Job] = {}


def job(
    name: str | None = None,
    *,
    retries: int = 5,
    retry_delay: float = 10.0,
    every: Callable[[Settings], int] | None = None,
    coalesce: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(core, *args)`` as a background job (periodic when ``every`` is given). A job that
    ``coalesce``s is one whose single run does the work of every call made before it starts (a catch-up
    such as the search index's): a call equal to one still waiting is dropped."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        key = name or fn.__name__
        if key in JOBS and JOBS[key].fn is not fn:
            raise ValueError(f"two jobs are named {key!r}")
        JOBS[key] = Job(key, fn, retries, retry_delay, every, coalesce)
        return fn

    return register
