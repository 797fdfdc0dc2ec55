"""Group commit: uploads that finish at the same moment share one write transaction per owner.

Each upload stores its bytes first, then hands its metadata here and waits. The first to arrive
while no group is being committed leads: it takes everything waiting (its own item first), commits
it in one transaction per owner (``placing.place_all``) and then hands the lead to the oldest
upload still waiting, so every thread commits at most one group and no thread is kept for it.
The crash order holds (every item's bytes are stored before its group's transaction), each item
succeeds or fails alone, quota is charged item by item under the owner's lock, and the feed numbers
the group's changes in order. A group whose transaction fails as a whole is retried item by item.
"""

from __future__ import annotations

import threading
import weakref
from itertools import groupby

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from pcs_app.models import Node, looks_like_id

from .. import thumbnails
from ..access import Actor
from ..core import Core
from ..errors import Conflict, NotFound
from ..tx import write_tx
from .commit import Incoming, delete_quietly
from .placing import Job, OwnerChanged, place_all

MAX_GROUP = 500
ATTEMPTS = 3


class _Ticket:
    """One caller waiting for its jobs: woken when some are done, or when it is to lead."""

    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs
        self.wake = threading.Event()
        self.lead = False


class _Queue:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting: list[tuple[Job, _Ticket]] = []
        self.busy = False


_queues: dict[int, tuple[weakref.ref[Core], _Queue]] = {}
_queues_lock = threading.Lock()


def _queue_of(core: Core) -> _Queue:
    with _queues_lock:
        found = _queues.get(id(core))
        if found is not None and found[0]() is core:
            return found[1]
        for key in [k for k, (ref, _) in _queues.items() if ref() is None]:
            del _queues[key]
        q = _Queue()
        _queues[id(core)] = (weakref.ref(core), q)
        return q


def commit_jobs(core: Core, jobs: list[Job]) -> None:
    """Commit ``jobs`` together with whatever else is waiting; returns when each is done (has its
    node or its error)."""
    if not jobs:
        return
    q = _queue_of(core)
    me = _Ticket(jobs)
    with q.lock:
        q.waiting.extend((job, me) for job in jobs)
        lead = not q.busy
        q.busy = True
    while True:
        if lead:
            _lead(core, q)
        if all(job.done for job in jobs):
            return
        me.wake.wait()
        me.wake.clear()  # states are written before a wake and read after this clear: none is lost
        with q.lock:
            lead, me.lead = me.lead, False


def _lead(core: Core, q: _Queue) -> None:
    """Commit one group (the oldest waiting jobs), then pass the lead to the next waiting caller."""
    with q.lock:
        taken, q.waiting = q.waiting[:MAX_GROUP], q.waiting[MAX_GROUP:]
    failure: BaseException | None = None
    try:
        _commit_group(core, [job for job, _ in taken])
    except BaseException as e:  # noqa: BLE001 - every waiting job hears of it; the lead moves on
        failure = e
        for job, _ in taken:
            if job.node is None and job.error is None:
                job.error = e
    with q.lock:
        for job, _ in taken:
            job.done = True
        for ticket in {id(t): t for _, t in taken}.values():
            ticket.wake.set()
        if q.waiting:
            nxt = q.waiting[0][1]
            nxt.lead = True
            nxt.wake.set()
        else:
            q.busy = False
    if failure is not None and not isinstance(failure, Exception):
        raise failure


_owner_cache: dict[str, int] = {}
OWNER_CACHE = 4096


def _owners(core: Core, group: list[Job]) -> None:
    """Fill in each job's folder owner, only to know which account's lock to take: the access check
    and the owner itself are checked again inside the transaction (``OwnerChanged``), so a stale
    entry of the cache costs a retry, never a wrong commit."""
    found = {j.parent_id: o for j in group if (o := _owner_cache.get(j.parent_id)) is not None}
    unknown = sorted({j.parent_id for j in group if j.owner is None and j.parent_id not in found})
    unknown = [i for i in unknown if looks_like_id(i)]
    if unknown:
        with core.db.read() as s:
            rows = dict(s.exec(select(Node.id, Node.owner_id).where(col(Node.id).in_(unknown))).all())
        if len(_owner_cache) + len(rows) > OWNER_CACHE:
            _owner_cache.clear()
        _owner_cache.update(rows)
        found.update(rows)
    for job in group:
        if job.owner is None:
            owner = found.get(job.parent_id)
            if owner is None:
                job.error = NotFound("No such file or folder.")
            job.owner = owner


def _commit_group(core: Core, group: list[Job]) -> None:
    _owners(core, group)
    live = sorted((j for j in group if j.error is None), key=lambda j: j.owner or 0)
    for owner, part in groupby(live, key=lambda j: j.owner or 0):
        jobs = list(part)
        try:
            with write_tx(core, owner) as tx:
                place_all(tx, jobs)
        except Exception:  # noqa: BLE001 - the transaction as a whole failed: nothing of it happened
            for job in jobs:
                job.reset()
                _commit_alone(core, job)
            continue
        for job in jobs:
            if isinstance(job.error, (OwnerChanged, IntegrityError)):
                if isinstance(job.error, OwnerChanged):
                    job.owner = _owner_cache[job.parent_id] = job.error.owner
                job.reset()
                _commit_alone(core, job)


def _commit_alone(core: Core, job: Job) -> None:
    """One job in a transaction of its own, following a change of owner or a lost race."""
    for _ in range(ATTEMPTS):
        if job.owner is None:
            job.error = NotFound("No such file or folder.")
            return
        try:
            with write_tx(core, job.owner) as tx:
                place_all(tx, [job])
        except IntegrityError:
            job.reset()
            continue
        except Exception as e:  # noqa: BLE001 - rolled back: the job fails with it
            job.reset()
            job.error = e
            return
        if isinstance(job.error, OwnerChanged):
            job.owner = job.error.owner
        elif not isinstance(job.error, IntegrityError):
            return
        job.reset()
    job.error = Conflict("Another upload of that name or content was committed at the same moment; try again.")


def finish(core: Core, job: Job) -> None:
    """After a job is done: drop what it did not need, queue its thumbnails."""
    if job.dropped:
        delete_quietly(core, job.dropped)
    if job.error is None and job.kind != "unchanged":
        thumbnails.after_upload(core, job.item.sha256, job.item.mime_type)  # never fails the upload


def commit_content(core: Core, actor: Actor, parent_id: object, item: Incoming, owner: int | None = None) -> Node:
    """Make ``item`` visible in ``parent_id``; an existing file of that name gets a new version.

    Committed in a group with the uploads finishing at the same moment (one transaction per owner).
    """
    job = Job(actor, parent_id if isinstance(parent_id, str) else "", item, owner=owner)
    commit_jobs(core, [job])
    finish(core, job)
    if job.error is not None:
        raise job.error
    if job.node is None:
        raise NotFound("The file was not stored.")
    return job.node
