"""Batch uploads: many files in one request, each still its own S3 object and its own result.

Files arrive one after another (``Batch.add``). Each is checked (its path, declared size and sha256)
as soon as it is whole, then stored in S3 on one of several threads while the next ones arrive.
Stored files are committed in the order they came, in groups, while the rest are still on their way
(``group.commit_jobs``: one transaction per group, each file succeeding or failing alone). A path
with folders ("photos/2024/a.jpg") finds or creates them. A file that fails leaves nothing visible
and its bytes are deleted again. A file whose name already holds the very same content answers
``unchanged`` (no new version), so a batch sent again after a broken connection only adds what
is missing: if a request breaks off, the files committed before stay (each whole and checked),
and nothing of the others is kept.
"""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlmodel import select

from pcs_app.models import Node, User

from .. import audit, mime
from ..access import Actor, Perm, check_folder
from ..core import Core
from ..errors import Conflict, IntegrityFailed, InvalidName, PCSError, QuotaExceeded, TooLarge
from ..names import validate_name
from ..quota import free_bytes
from .commit import Incoming, delete_quietly, new_blob_key
from .group import commit_jobs, finish
from .placing import Job
from .rules import check_conflict_mode, check_sha

MAX_FILES = 10_000
MAX_DEPTH = 32
MAX_PATH_CHARS = 4096
BUFFER_BYTES = 64 * 1024 * 1024  # bytes received but not yet in S3, per batch
COMMIT_GROUP = 500


class StorageFailed(PCSError):
    """Storing one file's bytes failed (the store did not answer, or refused)."""

    code, status = "storage_unavailable", 503


@dataclass(eq=False)
class BatchItem:
    """One file of a batch and what became of it: ``created``, ``updated``, ``unchanged`` or ``failed``."""

    index: int
    path: str
    dirs: tuple[str, ...] = ()
    name: str = ""
    size: int = 0
    sha256: str = ""
    mime_type: str = ""
    key: str | None = None  # its object in S3, once written
    ready: bool = False  # stored, or failed before it could be: the committer may take it
    status: str = "pending"
    node: Node | None = None
    error: PCSError | None = None

    def fail(self, error: PCSError) -> None:
        self.status, self.error, self.ready = "failed", error, True


def split_path(path: object) -> tuple[tuple[str, ...], str]:
    """'a/b/c.txt' -> (('a', 'b'), 'c.txt'), every part a valid name (NFC); InvalidName otherwise."""
    if not isinstance(path, str) or not path:
        raise InvalidName("A path is names joined by '/'.")
    if len(path) > MAX_PATH_CHARS:
        raise InvalidName(f"A path can be at most {MAX_PATH_CHARS} characters.")
    parts = path.split("/")
    if len(parts) > MAX_DEPTH:
        raise InvalidName(f"A path can hold at most {MAX_DEPTH} names.")
    if any(p == "" for p in parts):
        raise InvalidName("A path is names joined by '/': it cannot start or end with '/' or hold '//'.", path=path)
    names = tuple(validate_name(p) for p in parts)
    return names[:-1], names[-1]


class Batch:
    """A batch upload in progress (see the module's docstring). Not thread-safe for ``add``: one
    request feeds it; storing and committing run on threads of its own."""

    def __init__(self, core: Core, actor: Actor, folder: Node, on_conflict: str, free: int | None) -> None:
        self.core, self.actor, self.folder, self.on_conflict = core, actor, folder, on_conflict
        self.context = audit.current()  # the request's, for the uploads the committer thread records
        self.items: list[BatchItem] = []
        self.free = free  # bytes the owner had free at the start (None: no quota), less what was accepted
        self.cond = threading.Condition()
        self.buffered = 0
        self.closed = False
        self.aborted = False
        self.next = 0  # the first item not yet taken by the committer
        self.pool = ThreadPoolExecutor(max_workers=core.settings.batch_concurrency, thread_name_prefix="batch-put")
        self.committer = threading.Thread(target=self._commit_loop, name="batch-commit", daemon=True)
        self.committer.start()

    # -- files arriving ----------------------------------------------------------------------------
    def add(self, path: object, data: bytes, *, size: object = None, sha256: object = None) -> BatchItem:
        """A whole file has arrived: check it, then store it in the background."""
        item = self._new_item(path)
        if item.error is not None:
            return item
        try:
            if size is not None and size != len(data):
                raise IntegrityFailed(f"Expected {size} bytes, received {len(data)}; nothing was saved.")
            digest = hashlib.sha256(data).hexdigest()
            if sha256 is not None and check_sha(sha256) != digest:
                raise IntegrityFailed("The content does not match the declared sha256; nothing was saved.")
            limit = self.core.settings.batch_max_file_size
            if len(data) > limit:
                raise TooLarge(f"Files in a batch can be at most {limit} bytes; send this one on its own.")
            self._reserve(len(data))
        except PCSError as e:
            self._settle(item, error=e)
            return item
        item.size, item.sha256 = len(data), digest
        item.mime_type = mime.detect(item.name, data[: mime.SNIFF_BYTES])
        item.key = new_blob_key()
        with self.cond:
            self.buffered += len(data)
        self.pool.submit(self._store, item, data)
        return item

    def _reserve(self, n: int) -> None:
        """Refuse, before any byte is sent to S3, a file the quota cannot hold (the commit checks again)."""
        with self.cond:
            if self.free is None:
                return
            if n > self.free:
                raise QuotaExceeded(
                    f"Not enough space: this needs {n} bytes and {self.free} are free.", needed=n, free=self.free
                )
            self.free -= n

    def _release(self, n: int) -> None:
        with self.cond:
            if self.free is not None:
                self.free += n

    def reject(self, path: object, error: PCSError) -> BatchItem:
        """A file that cannot be taken at all (too large to receive, a malformed part)."""
        item = self._new_item(path)
        if item.error is None:
            self._settle(item, error=error)
        return item

    def _new_item(self, path: object) -> BatchItem:
        item = BatchItem(len(self.items), path if isinstance(path, str) else "")
        with self.cond:
            self.items.append(item)
        try:
            if len(self.items) > MAX_FILES:
                raise TooLarge(f"A batch holds at most {MAX_FILES} files; send the rest in another.")
            item.dirs, item.name = split_path(path)
        except PCSError as e:
            self._settle(item, error=e)
        return item

    def has_room(self) -> bool:
        """Whether more bytes may be received now (those not yet stored stay within a bound)."""
        return self.buffered < BUFFER_BYTES

    def wait_room(self) -> None:
        with self.cond:
            self.cond.wait_for(lambda: self.buffered < BUFFER_BYTES or self.aborted)

    # -- storing and committing ----------------------------------------------------------------------
    def _store(self, item: BatchItem, data: bytes) -> None:
        error: PCSError | None = None
        if not self.aborted:
            try:
                self.core.blobs.put_bytes(item.key or "", data, sha256=item.sha256 or None)
            except Exception as e:  # noqa: BLE001 - this file fails with it; the others go on
                error = StorageFailed(f"Storing the file failed ({type(e).__name__}); try again.")
                item.key = None
                self._release(len(data))
        with self.cond:
            self.buffered -= len(data)
        self._settle(item, error=error)

    def _settle(self, item: BatchItem, error: PCSError | None = None) -> None:
        with self.cond:
            if error is not None:
                item.fail(error)
            item.ready = True
            self.cond.notify_all()

    def _commit_loop(self) -> None:
        while True:
            with self.cond:
                self.cond.wait_for(self._can_take)
                if self.aborted or (self.closed and self.next == len(self.items)):
                    return
                end = self.next
                while end < len(self.items) and end - self.next < COMMIT_GROUP and self.items[end].ready:
                    end += 1
                taken, self.next = self.items[self.next : end], end
            self._commit(taken)

    def _can_take(self) -> bool:
        return (
            self.aborted
            or (self.next < len(self.items) and self.items[self.next].ready)
            or (self.closed and self.next == len(self.items))
        )

    def _commit(self, items: list[BatchItem]) -> None:
        pairs: list[tuple[BatchItem, Job]] = []
        for it in items:
            if it.error is None:
                incoming = Incoming(it.name, self.on_conflict, it.sha256, it.size, it.mime_type, it.key)
                job = Job(self.actor, self.folder.id, incoming, it.dirs, self.folder.owner_id, keep_same=True)
                job.context = self.context
                pairs.append((it, job))
        try:
            commit_jobs(self.core, [job for _, job in pairs])
        except Exception as e:  # noqa: BLE001 - a job without a result fails with it
            for _, job in pairs:
                if job.node is None and job.error is None:
                    job.error = e
        for it, job in pairs:
            finish(self.core, job)
            if job.error is None and job.node is not None:
                it.status, it.node = job.kind, job.node
                continue
            err = job.error
            if not isinstance(err, PCSError):
                err = StorageFailed(f"Saving the file failed ({type(err).__name__}); try again.")
            it.status, it.error = "failed", err
            self._release(it.size)
            if it.key:
                delete_quietly(self.core, it.key)

    # -- the end -----------------------------------------------------------------------------------------
    def finish(self) -> list[BatchItem]:
        """Every file has arrived: wait until each is committed or failed; the results in order."""
        with self.cond:
            self.closed = True
            self.cond.notify_all()
        self.pool.shutdown(wait=True)
        self.committer.join()
        return self.items

    def abort(self) -> None:
        """The request broke off: keep what is committed, drop (and delete) everything else."""
        with self.cond:
            self.closed = self.aborted = True
            self.cond.notify_all()
        self.pool.shutdown(wait=True)
        self.committer.join()  # a group being committed finishes: its files are whole and checked
        for item in self.items:
            if item.status == "pending":
                item.status = "failed"
                item.error = Conflict("The request broke off before this file was saved.")
                if item.key:
                    delete_quietly(self.core, item.key)


def start_batch(core: Core, actor: Actor, parent_id: object, on_conflict: str = "replace") -> Batch:
    """Open a batch upload into folder ``parent_id`` (the caller feeds it files, then finishes it)."""
    mode = check_conflict_mode(on_conflict)
    with core.db.read() as s:
        folder = check_folder(s, actor, parent_id, Perm.WRITE)
        used, limit = s.exec(select(User.used_bytes, User.quota_bytes).where(User.id == folder.owner_id)).one()
    return Batch(core, actor, folder, mode, free_bytes(used, limit))
