"""The usage dashboard and the audit log's cost, in-process against a real SeaweedFS.

1. Dashboard read: one account with 100,000 files in 20 top-level folders and 1,000,000 usage events
   spread over 90 days (one `live` event per file as its upload wrote it, and uploads, downloads and
   storage changes: the ledger's metrics), on SQLite and, when reachable, PostgreSQL. The anchor is what
   a dashboard without roll-ups would run: plain GROUP BY queries over the events table for the same
   figures (live bytes by type and folder, the 90-day series). Then the roll-up job folds the events,
   a minute's worth of fresh events (1,000) is left waiting, and ``usage.dashboard()`` is timed: the
   median and p95 of the server time of a whole dashboard read (every figure on the page). Goal < 200 ms.
2. Audit write overhead: small files (4 KiB) uploaded by 16 threads in rounds that alternate the ledger
   off (no audit row, no usage event, no JSON line) and on, in the same run. Goal < 5 % on the small-file
   upload benchmark, through the API (bench/audit_api.py); here, through the services without HTTP, the
   same figure for reference (the ledger's share of a cheaper upload). The JSON lines go to /dev/null
   (formatted and written, as on a server; not printed here).

``python -m bench.dashboard`` runs both with a private SeaweedFS; ``python -m bench --only dashboard``
runs them in the full benchmark.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from pcs_app.models import FILE, Node, UsageEvent, UsageSnapshot, User, new_id, utcnow
from pcs_app.services import accounts, audit, content, tree, usage
from pcs_app.services.core import Core
from pcs_app.services.usage import rollup
from pcs_app.services.usage.ledger import Ledger
from pcs_app.settings import Settings
from pcs_app.wiring import build_core

from .common import Row, Section, log, percentile
from .listing import PG_ADMIN_URL, pg_reachable

GOAL_MS = 200.0
GOAL_OVERHEAD = 0.05
FOLDERS = 20
DAYS = 90
FRESH = 1000
KINDS = (
    ("image/jpeg", "jpg"),
    ("video/mp4", "mp4"),
    ("application/pdf", "pdf"),
    ("audio/mpeg", "mp3"),
    ("application/zip", "zip"),
    ("application/octet-stream", "bin"),
    ("text/plain", "txt"),
)


def _core(data: Path, s3: Any, database_url: str | None) -> Core:
    settings = Settings(
        data_dir=data,
        database_url=database_url,
        s3_endpoint=s3.s3_endpoint if hasattr(s3, "s3_endpoint") else s3.endpoint,
        s3_access_key=s3.access_key,
        s3_secret_key=s3.secret_key,
        s3_bucket=f"bench-dash-{secrets.token_hex(4)}",
        jobs_enqueue=False,  # no worker here: thumbnails and indexing are other benchmarks' business
    )
    core = build_core(settings)
    core.blobs.ensure_bucket()
    core.db.migrate()
    return core


def quiet_json_lines() -> None:
    """Audit JSON lines go to /dev/null: formatted and written, not printed over the benchmark's output."""
    for h in list(audit.JSON_LOG.handlers):
        audit.JSON_LOG.removeHandler(h)
    handler = logging.StreamHandler(open(os.devnull, "w"))  # lives as long as the process
    handler.setFormatter(logging.Formatter("%(message)s"))
    audit.JSON_LOG.addHandler(handler)
    audit.JSON_LOG.setLevel(logging.INFO)
    audit.JSON_LOG.propagate = False


# -- 1. the dashboard ------------------------------------------------------------------------------


def _fill(core: Core, user: User, files: int, events: int) -> dict[str, float]:
    """100,000 file rows under 20 top-level folders, then the events: bulk inserts."""
    rnd = random.Random(12)
    tops = [tree.create_folder(core, user, user.root_id, f"Folder {i:02d}").id for i in range(FOLDERS)]
    now = utcnow()
    rows: list[dict[str, Any]] = []
    live: list[dict[str, Any]] = []
    today = now.date()
    for i in range(files):
        mime, ext = KINDS[i % len(KINDS)]
        top, size = tops[i % FOLDERS], rnd.randint(1, 50_000_000)
        name = f"file-{i:06d}.{ext}"
        rows.append(
            {
                "id": new_id(),
                "owner_id": user.id,
                "parent_id": top,
                "name": name,
                "name_key": name,
                "kind": FILE,
                "size": size,
                "mime_type": mime,
                "created_at": now,
                "modified_at": now,
                "trash_root": False,
            }
        )
        day = today - timedelta(days=rnd.randrange(DAYS))
        item = f"{usage.category(mime, name)}/{top}"
        live.append({"user_id": user.id, "day": day, "metric": "live", "item": item, "n": 1, "bytes": size})
    t0 = time.perf_counter()
    with core.db.engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            conn.execute(sa.insert(Node), rows[i : i + 5000])
    node_s = time.perf_counter() - t0
    other = []
    for _ in range(events - len(live)):
        metric = rnd.choice(("upload", "stored", "download"))
        day = today - timedelta(days=rnd.randrange(DAYS))
        size = rnd.randint(1, 10_000_000)
        other.append(
            {
                "user_id": user.id,
                "day": day,
                "metric": metric,
                "item": "",
                "n": 0 if metric == "stored" else 1,
                "bytes": size,
            }
        )
    t0 = time.perf_counter()
    with core.db.engine.begin() as conn:
        batch = live + other
        for i in range(0, len(batch), 10_000):
            conn.execute(sa.insert(UsageEvent), batch[i : i + 10_000])
        conn.execute(
            sa.update(User)
            .where(User.id == user.id)
            .values(used_bytes=sum(r["size"] for r in rows), created_at=now - timedelta(days=DAYS + 5))
        )
        # The account's live counters are its events (no recount from the files needed).
        conn.execute(
            sa.insert(UsageSnapshot).values(
                user_id=user.id, baseline_at=now, logical_bytes=0, stored_bytes=0, dirty=False
            )
        )
    if core.db.is_sqlite:
        with core.db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with core.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    return {"node_s": node_s, "event_s": time.perf_counter() - t0}


NAIVE = (
    # Live bytes and files by type and folder (the items), then the 90-day series: straight from the events.
    "SELECT item, SUM(n), SUM(bytes) FROM usage_event WHERE user_id = :u AND metric = 'live' GROUP BY item",
    "SELECT day, metric, SUM(n), SUM(bytes) FROM usage_event WHERE user_id = :u "
    "AND metric IN ('upload', 'download', 'stored') AND day >= :since GROUP BY day, metric",
)


def _naive(core: Core, user_id: int) -> None:
    since = utcnow().date() - timedelta(days=DAYS - 1)
    with core.db.engine.connect() as conn:
        for sql in NAIVE:
            conn.execute(sa.text(sql), {"u": user_id, "since": since}).all()


def _time(fn: Callable[[], object], reps: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def run_dashboard(s3: Any, work: Path, files: int, events: int, reps: int, database: str, pg_url: str) -> Section:
    sec = Section(
        f"dashboard: {files:,} files, {events:,} usage events over {DAYS} days, {database}",
        "a naive GROUP BY over the events table for the same figures, same database, same run",
    )
    url: str | None = None
    admin: sa.Engine | None = None
    name = f"pcs_bench_dash_{secrets.token_hex(4)}"
    if database == "postgresql":
        why = pg_reachable(pg_url)
        if why is not None:
            sec.notes.append(f"skipped: PostgreSQL at {pg_url} is not reachable ({why})")
            return sec
        admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.engine.make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    core = _core(work / f"dash-{database}", s3, url)
    try:
        user = accounts.create_user(core, f"dash-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(16))
        took = _fill(core, user, files, events)
        log(f"{database}: {files:,} nodes in {took['node_s']:.1f} s, {events:,} events in {took['event_s']:.1f} s")
        naive = _time(lambda: _naive(core, user.id or 0), max(3, reps // 5))
        before = _time(lambda: usage.dashboard(core, user), 3)
        t0 = time.perf_counter()
        report = rollup.roll_up(core)
        fold_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        rollup.rebuild(core, user.id or 0)  # what a baseline costs: a recount of every file
        rebuild_s = time.perf_counter() - t0
        for i in range(FRESH):  # a minute of activity the roll-up has not seen yet
            content_event = {
                "user_id": user.id,
                "day": utcnow().date(),
                "metric": "upload",
                "item": "",
                "n": 1,
                "bytes": 4096 + i,
            }
            with core.db.engine.begin() as conn:
                conn.execute(sa.insert(UsageEvent), [content_event, {**content_event, "metric": "stored", "n": 0}])
        dash = _time(lambda: usage.dashboard(core, user), reps)
        d = usage.dashboard(core, user)
        assert d.files == files and len(d.daily) == DAYS and len(d.largest_files) == 10, "the dashboard is wrong"
        med, p95, anchor = statistics.median(dash), percentile(dash, 95), statistics.median(naive)
        sec.rows.append(Row(sec.name, "dashboard read (median)", "ms", med, anchor, f"<{GOAL_MS:g} ms", med < GOAL_MS))
        sec.rows.append(
            Row(sec.name, "dashboard read (p95)", "ms", p95, percentile(naive, 95), f"<{GOAL_MS:g} ms", p95 < GOAL_MS)
        )
        sec.rows.append(Row(sec.name, "dashboard before any roll-up (median)", "ms", statistics.median(before), anchor))
        sec.rows.append(Row(sec.name, f"roll-up of {report.events:,} events", "s", fold_s, None))
        sec.rows.append(Row(sec.name, f"baseline recount of {files:,} files", "s", rebuild_s, None))
        sec.notes.append(
            f"dashboard read = usage.dashboard(): account row, live counters by type and folder, {DAYS}-day series, "
            f"ten largest files (index), links, snapshot; {FRESH * 2:,} events still waiting for the roll-up. "
            f"Anchor = {len(NAIVE)} GROUP BY queries over usage_event only (no largest files, no links)."
        )
        sec.samples = {"dashboard_ms": dash, "naive_ms": naive, "before_rollup_ms": before}
    finally:
        core.close()
        if admin is not None:
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    return sec


# -- 2. the audit log's cost on small uploads -------------------------------------------------------


def ledger_round(on: bool, put: Callable[[int], None], n: int, threads: int, cpu: list[float] | None = None) -> float:
    """``n`` uploads (``put(i)``) from ``threads`` threads with the ledger on or off: files/s (and, into
    ``cpu``, this process's CPU ms per file)."""
    Ledger.enabled = on
    try:
        with ThreadPoolExecutor(threads) as pool:
            t0, c0 = time.perf_counter(), time.process_time()
            list(pool.map(put, range(n)))
            if cpu is not None:
                cpu.append((time.process_time() - c0) / n * 1000)
            return n / (time.perf_counter() - t0)
    finally:
        Ledger.enabled = True


def alternating(
    one_round: Callable[[bool, int, str], float], files: int, rounds: int, label: str
) -> tuple[list[float], list[float], list[float]]:
    """``rounds`` pairs of rounds, off/on then on/off: the rates on, off, and each pair's ``1 - on/off``."""
    on_rates, off_rates, pairs = [], [], []
    for r in range(rounds):
        got: dict[bool, float] = {}
        for on in (False, True) if r % 2 == 0 else (True, False):
            got[on] = one_round(on, files, f"{r}-{on}")
            log(f"{label} {'on ' if on else 'off'} round {r}: {got[on]:.0f} files/s")
        on_rates.append(got[True])
        off_rates.append(got[False])
        pairs.append(1 - got[True] / got[False])
    return on_rates, off_rates, pairs


def run_audit_overhead(s3: Any, work: Path, files: int, size: int, threads: int, rounds: int) -> Section:
    sec = Section(
        f"audit overhead without HTTP: small uploads through the services, {files:,} x {size / 1024:g} KiB per round, "
        f"{threads} threads",
        "the same uploads with the ledger off (no audit row, no usage event), alternating rounds, same run",
    )
    core = _core(work / "audit", s3, None)
    try:
        user = accounts.create_user(core, f"audit-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(16))

        def one_round(on: bool, n: int, tag: str) -> float:
            folder = tree.create_folder(core, user, user.root_id, f"round-{tag}").id
            data = [os.urandom(size) for _ in range(n)]

            def put(i: int) -> None:
                with audit.scope(core, "192.0.2.1", "bench/1.0", user=user):
                    content.upload(core, user, folder, f"f{i:05d}.bin", [data[i]])

            return ledger_round(on, put, n, threads)

        one_round(True, max(32, files // 10), "warm-up")
        on_rates, off_rates, _pairs = alternating(one_round, files, rounds, "audit")
        on_med, off_med = statistics.median(on_rates), statistics.median(off_rates)
        overhead = 1 - on_med / off_med
        # The goal is judged through the API (bench/audit_api.py); here, without HTTP, the ledger's share is larger.
        sec.rows.append(
            Row(sec.name, "uploads with audit + usage", "files/s", on_med, off_med, "(for reference)", None)
        )
        sec.rows.append(Row(sec.name, "overhead", "%", overhead * 100, None, "(for reference)", None))
        with core.db.read() as s:
            rows = s.exec(sa.select(sa.func.count()).select_from(sa.table("audit_event"))).one()[0]
        sec.notes.append(
            f"medians of {rounds} rounds each way (order alternating); per round rates on: "
            f"{', '.join(f'{x:.0f}' for x in on_rates)}; off: {', '.join(f'{x:.0f}' for x in off_rates)}; "
            f"{rows:,} audit rows written"
        )
        sec.samples = {"on": on_rates, "off": off_rates}
    finally:
        core.close()
    return sec


def run(s3: Any, work: Path, args: argparse.Namespace) -> list[Section]:
    quiet_json_lines()
    out = []
    for database in [d.strip() for d in args.dashboard_databases.split(",") if d.strip()]:
        out.append(
            run_dashboard(
                s3, work, args.dashboard_files, args.dashboard_events, args.dashboard_reps, database, args.pg_url
            )
        )
    out.append(
        run_audit_overhead(s3, work, args.audit_files, args.audit_kib * 1024, args.audit_threads, args.audit_rounds)
    )
    from .audit_api import run as run_through_api

    out.append(
        run_through_api(s3, work, args.audit_files, args.audit_kib * 1024, args.audit_threads, args.audit_rounds)
    )
    return out


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dashboard-files", type=int, default=100_000, help="files of the dashboard's account")
    p.add_argument("--dashboard-events", type=int, default=1_000_000, help="usage events of the dashboard's account")
    p.add_argument("--dashboard-reps", type=int, default=30, help="timed dashboard reads")
    p.add_argument("--dashboard-databases", default="sqlite,postgresql", help="databases of the dashboard benchmark")
    p.add_argument("--audit-files", type=int, default=400, help="small files per round (audit overhead)")
    p.add_argument("--audit-kib", type=int, default=4, help="size of each small file (KiB)")
    p.add_argument("--audit-threads", type=int, default=16, help="uploading threads (audit overhead)")
    p.add_argument("--audit-rounds", type=int, default=8, help="rounds each way (audit overhead)")


def main() -> None:
    from pcs_app.adapters.seaweed import private_seaweed

    from .common import render_table

    p = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__)
    p.add_argument("--pg-url", default=PG_ADMIN_URL)
    add_arguments(p)
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pcs-bench-dashboard-"))
    with private_seaweed(work / "s3") as s3:
        sections = run(s3, work, args)
    print(render_table(sections))


if __name__ == "__main__":
    main()
