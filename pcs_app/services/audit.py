"""The audit log: who did what to what, from where, and how it ended. Appended, never changed.

Events are written three ways:
- tree changes by the write transaction that makes them (services/tx.py hands each recorded change to
  usage/ledger.py), so a change and its audit row commit or vanish together;
- ``record_now``: sign-ins, tokens, passwords, quotas, accounts: a small transaction of their own;
- ``record``: reads (downloads, link access, permission denials): a per-process buffer that a thread
  writes every quarter second, so reading a file costs no database write of its own.

Who and from where: each door binds a ``Context`` per request (``bind``: the client's address and user
agent, then ``as_user`` / ``as_link`` once it knows who calls); services read it here instead of
taking more arguments. An event whose actor is not the context's (a group commit writes uploads of
several requests in one transaction) gets the actor without an address rather than a wrong one.

Every event also goes to stdout as one JSON line (logger ``pcs.audit``), ready for CloudWatch Logs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import threading
import weakref
from collections.abc import Generator, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from pcs_app.db import insert_rows
from pcs_app.models import AuditEvent, Node, ShareLink, UsageEvent, User, utcnow

from .core import Core
from .errors import Forbidden, InvalidInput

log = logging.getLogger(__name__)
JSON_LOG = logging.getLogger("pcs.audit")
SYSTEM = "system"  # the actor of what no request asked for (jobs, the command line)
FLUSH_SECONDS = 0.25
BUFFER_MAX = 100_000  # rows kept while the database refuses them; beyond, the oldest go (stdout has them)
PAGE_MAX = 200

# What the Activity page filters by: a group of actions (or pass one action itself).
KINDS: dict[str, tuple[str, ...]] = {
    "sign_in": ("auth.sign_in", "auth.sign_up"),
    "account": (
        "token.issue",
        "token.revoke",
        "password.change",
        "password.reset_request",
        "password.reset",
        "account.delete",
        "notify.preferences",
    ),
    "links": ("link.create", "link.update", "link.revoke", "link.access", "link.unlock"),
    "grants": ("grant.create", "grant.update", "grant.remove"),
    "downloads": ("file.download", "archive.download"),
    "uploads": ("file.upload", "folder.create", "node.copy"),
    "changes": (
        "node.rename",
        "node.move",
        "node.trash",
        "node.restore",
        "node.delete",
        "version.restore",
        "version.change",
    ),
    "quota": ("quota.change",),
    "denied": ("access.denied",),
}
ACTIONS = frozenset(a for group in KINDS.values() for a in group)


# -- who is asking ---------------------------------------------------------------------------------


@dataclass
class Context:
    """One request's origin, bound by the door that received it."""

    core: Core | None = None
    address: str | None = None
    user_agent: str | None = None
    actor_id: int | None = None
    actor: str = ""
    link_id: str | None = None


_context: ContextVar[Context | None] = ContextVar("pcs_request", default=None)


def bind(core: Core | None, address: str | None, user_agent: str | None) -> Context:
    """Start a request's context (the API's request dependency and the UI's states call this)."""
    ctx = Context(core, (address or None) and address[:64], (user_agent or None) and user_agent[:400])
    _context.set(ctx)
    return ctx


def current() -> Context | None:
    return _context.get()


def as_user(user: User) -> None:
    """The request turned out to be this account's."""
    ctx = _context.get()
    if ctx is not None:
        ctx.actor_id, ctx.actor, ctx.link_id = user.id, user.email, None


def as_link(link: ShareLink) -> None:
    """The request comes through this share link (no account)."""
    ctx = _context.get()
    if ctx is not None and ctx.actor_id is None:
        ctx.link_id, ctx.actor = link.id, f"link:{link.id}"


@contextlib.contextmanager
def scope(
    core: Core | None = None, address: str | None = None, user_agent: str | None = None, user: User | None = None
) -> Generator[Context]:
    """A context for the duration of a block (tests, the command line)."""
    token = _context.set(None)
    try:
        ctx = bind(core, address, user_agent)
        if user is not None:
            as_user(user)
        yield ctx
    finally:
        _context.reset(token)


@contextlib.contextmanager
def acting(ctx: Context | None) -> Generator[None]:
    """Work done on another request's behalf (a group commit, a batch's committer thread) is that
    request's: its actor, address and user agent for the duration of a block."""
    token = _context.set(ctx)
    try:
        yield
    finally:
        _context.reset(token)


@dataclass(frozen=True)
class Who:
    actor_id: int | None
    actor: str
    address: str | None = None
    user_agent: str | None = None


def who(actor: object = ..., *, label: str | None = None) -> Who:
    """The actor of an event: the context's (``...``), an account, a link visitor (anything with a
    ``link``), or None for the system. The address comes with it only when it is the context's actor."""
    ctx = _context.get()
    if actor is ...:
        if ctx is None:
            return Who(None, SYSTEM)
        return Who(ctx.actor_id, ctx.actor or "anonymous", ctx.address, ctx.user_agent)
    if isinstance(actor, User):
        mine = ctx is not None and ctx.actor_id is not None and ctx.actor_id == actor.id
        return Who(actor.id, label or actor.email, *((ctx.address, ctx.user_agent) if ctx and mine else (None, None)))
    link = getattr(actor, "link", None)
    if isinstance(link, ShareLink):
        mine = ctx is not None and ctx.actor_id is None and ctx.link_id == link.id
        return Who(None, f"link:{link.id}", *((ctx.address, ctx.user_agent) if ctx and mine else (None, None)))
    return Who(None, label or SYSTEM)


def row(
    action: str,
    by: Who,
    *,
    outcome: str = "ok",
    target_type: str = "",
    target_id: str | None = None,
    target: str = "",
    owner_id: int | None = None,
    detail: Mapping[str, object] | None = None,
) -> dict[str, Any]:
    """One audit row, as the insert and the JSON line take it."""
    return {
        "at": utcnow(),
        "actor_id": by.actor_id,
        "actor": by.actor[:320],
        "action": action,
        "outcome": outcome,
        "target_type": target_type,
        "target_id": target_id[:64] if target_id else None,
        "target": target[:1024],
        "owner_id": owner_id,
        "address": by.address,
        "user_agent": by.user_agent,
        "detail": json.dumps(detail, default=str, separators=(",", ":"))[:2000] if detail else "",
    }


def node_row(action: str, by: Who, node: Node, **more: Any) -> dict[str, Any]:
    return row(action, by, target_type="node", target_id=node.id, target=node.name, owner_id=node.owner_id, **more)


# -- writing ---------------------------------------------------------------------------------------


class _Stdout(logging.StreamHandler[Any]):
    """Writes to whatever sys.stdout is at the time (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


_log_ready = threading.Lock()


def emit(core: Core, rows: Iterable[Mapping[str, Any]]) -> None:
    """The events as JSON lines on stdout (logger ``pcs.audit``), if the settings ask for it."""
    if not core.settings.audit_stdout:
        return
    with _log_ready:
        if not JSON_LOG.handlers:
            handler = _Stdout()
            handler.setFormatter(logging.Formatter("%(message)s"))
            JSON_LOG.addHandler(handler)
            JSON_LOG.setLevel(logging.INFO)
            JSON_LOG.propagate = False
    for r in rows:
        line = {"log": "audit", **r, "at": r["at"].isoformat()}
        if line["detail"]:
            line["detail"] = json.loads(line["detail"])
        JSON_LOG.info(json.dumps(line, separators=(",", ":")))


def write(s: Session, audit_rows: list[dict[str, Any]], usage_rows: list[dict[str, Any]] | None = None) -> None:
    """Insert rows in an open transaction (one statement per table)."""
    conn = s.connection()
    if audit_rows:
        insert_rows(conn, SQLModel.metadata.tables[AuditEvent.__tablename__], audit_rows)
    if usage_rows:
        insert_rows(conn, SQLModel.metadata.tables[UsageEvent.__tablename__], usage_rows)


def record_now(core: Core, action: str, actor: object = ..., **fields: Any) -> None:
    """Write one event at once, in a transaction of its own."""
    r = row(action, who(actor), **fields)
    with core.db.write() as s:
        write(s, [r])
    emit(core, [r])


def record(core: Core, action: str, actor: object = ..., usage: Iterable[dict[str, Any]] = (), **fields: Any) -> None:
    """Keep one event (and usage rows) for the buffer's next write (within a quarter second)."""
    r = row(action, who(actor), **fields)
    emit(core, [r])
    buffer_of(core).add([r], list(usage))


def buffer_usage(core: Core, usage: Iterable[dict[str, Any]]) -> None:
    """Usage rows for the buffer's next write (no audit event)."""
    buffer_of(core).add([], list(usage))


class Buffer:
    """Rows waiting for their write; a daemon thread writes them every FLUSH_SECONDS."""

    def __init__(self, core: Core) -> None:
        self.core = weakref.ref(core)
        self.lock = threading.Lock()
        self.writing = threading.Lock()
        self.audit: list[dict[str, Any]] = []
        self.usage: list[dict[str, Any]] = []
        self.wake = threading.Event()
        self.closed = False
        self.thread: threading.Thread | None = None

    def add(self, audit_rows: list[dict[str, Any]], usage_rows: list[dict[str, Any]]) -> None:
        with self.lock:
            self.audit += audit_rows
            self.usage += usage_rows
            if self.thread is None and not self.closed:
                self.thread = threading.Thread(target=self._run, name="pcs-audit-buffer", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        while not self.closed:
            self.wake.wait(FLUSH_SECONDS)
            self.wake.clear()
            self.flush()

    def flush(self) -> None:
        """Write what is waiting now (a failed write keeps the rows for the next try)."""
        with self.writing:
            with self.lock:
                audit_rows, usage_rows, self.audit, self.usage = self.audit, self.usage, [], []
            core = self.core()
            if core is None or not (audit_rows or usage_rows):
                return
            try:
                with core.db.write() as s:
                    write(s, audit_rows, usage_rows)
            except Exception:  # kept and retried; the JSON lines already went out
                log.exception("could not write %d audit and %d usage rows; retrying", len(audit_rows), len(usage_rows))
                with self.lock:
                    self.audit = (audit_rows + self.audit)[-BUFFER_MAX:]
                    self.usage = (usage_rows + self.usage)[-BUFFER_MAX:]

    def close(self) -> None:
        self.closed = True
        self.wake.set()
        self.flush()


_buffers: dict[int, tuple[weakref.ref[Core], Buffer]] = {}
_buffers_lock = threading.Lock()


def buffer_of(core: Core) -> Buffer:
    with _buffers_lock:
        found = _buffers.get(id(core))
        if found is not None and found[0]() is core:
            return found[1]
        for key in [k for k, (ref, _) in _buffers.items() if ref() is None]:
            del _buffers[key]
        buf = Buffer(core)
        _buffers[id(core)] = (weakref.ref(core), buf)
        core.on_close(buf.close)
        return buf


def flush(core: Core) -> None:
    """Write the buffered rows now (tests, and before reading what was just recorded)."""
    buffer_of(core).flush()


def denied(s: Session, actor: object, node: Node, need: str) -> None:
    """A permission denial at the gate: the actor may see the node, not do ``need`` to it. Never raises."""
    ctx = _context.get()
    try:
        r = node_row("access.denied", who(actor), node, outcome="denied", detail={"need": need})
        if ctx is not None and ctx.core is not None:
            emit(ctx.core, [r])
            buffer_of(ctx.core).add([r], [])
    except Exception:  # the denial itself must stand whatever happens here
        log.exception("could not record a permission denial")


# -- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityPage:
    items: list[AuditEvent]
    next_cursor: str | None  # pass back as ``cursor`` for the next (older) page


def _actions(kind: object) -> tuple[str, ...] | None:
    if kind is None or kind == "":
        return None
    if isinstance(kind, str) and kind in KINDS:
        return KINDS[kind]
    if isinstance(kind, str) and kind in ACTIONS:
        return (kind,)
    raise InvalidInput(f"kind must be one of {', '.join(KINDS)}, or an action such as file.upload.")


def _before(cursor: object) -> int | None:
    if cursor is None or cursor == "":
        return None
    if not isinstance(cursor, str) or not cursor.isdigit() or len(cursor) > 19:
        raise InvalidInput("That page cursor is not valid; start again without it.")
    return int(cursor)


def _limit(limit: object) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= PAGE_MAX:
        raise InvalidInput(f"limit must be between 1 and {PAGE_MAX}.")
    return limit


def _page(core: Core, user_id: int | None, actions: tuple[str, ...] | None, before: int | None, n: int) -> ActivityPage:
    found: dict[int, AuditEvent] = {}
    columns = [None] if user_id is None else [AuditEvent.actor_id, AuditEvent.owner_id]
    with core.db.read() as s:
        # One index range per column (actor, owner), merged: a page costs the same at any depth.
        for column in columns:
            q = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(n + 1)
            if column is not None:
                q = q.where(col(column) == user_id)
            if actions is not None:
                q = q.where(col(AuditEvent.action).in_(actions))
            if before is not None:
                q = q.where(col(AuditEvent.id) < before)
            found.update((e.id or 0, e) for e in s.exec(q).all())
    rows = sorted(found.values(), key=lambda e: -(e.id or 0))[: n + 1]
    more = len(rows) > n
    rows = rows[:n]
    return ActivityPage(rows, str(rows[-1].id) if more and rows else None)


def activity(
    core: Core, actor: object, *, kind: object = None, cursor: object = None, limit: object = 50
) -> ActivityPage:
    """The actor's own activity, newest first: what they did, and what happened to their data."""
    if not isinstance(actor, User) or actor.id is None:
        raise Forbidden("This needs an account: sign in first.")
    flush(core)  # what this process still holds (other processes write theirs within FLUSH_SECONDS)
    return _page(core, actor.id, _actions(kind), _before(cursor), _limit(limit))


def audit_log(
    core: Core, actor: object, *, user: object = None, kind: object = None, cursor: object = None, limit: object = 50
) -> ActivityPage:
    """Everyone's activity (administrators only); ``user``: one account's (as actor or as owner)."""
    if not isinstance(actor, User) or not actor.is_admin:
        raise Forbidden("Only administrators may do that.")
    if user is not None and (not isinstance(user, int) or isinstance(user, bool) or user < 1):
        raise InvalidInput("user must be an account id.")
    flush(core)
    return _page(core, user, _actions(kind), _before(cursor), _limit(limit))
