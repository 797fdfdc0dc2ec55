"""Command line: `python -m pcs_app.cli run|s3|web|worker|jobs|migrate|create-admin|gc`."""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from pydantic import ValidationError

from pcs_app.settings import Settings

if TYPE_CHECKING:
    from pcs_app.services.core import Core

ROOT = Path(__file__).resolve().parent.parent


def die(msg: str, code: int = 1) -> NoReturn:
    print(f"pcs: {msg}", file=sys.stderr, flush=True)
    raise SystemExit(code)


def load_settings() -> Settings:
    from pcs_app.settings import get_settings

    try:
        return get_settings()
    except ValidationError as e:
        first = e.errors()[0]
        msg = str(first["msg"]).removeprefix("Value error, ")
        if first["loc"]:
            die(f"invalid setting PCS_{'_'.join(map(str, first['loc'])).upper()}: {msg}", 2)
        die(msg, 2)


def _ports(settings: Settings) -> dict[str, int]:
    master, volume, filer, admin = (int(p) for p in settings.weed_ports.split(","))
    return {"master": master, "volume": volume, "filer": filer, "admin": admin}


def cmd_run(_args: argparse.Namespace) -> None:
    """Check ports, then start every process of the Procfile under honcho (Ctrl-C stops them all)."""
    from pcs_app.adapters.seaweed import port_free

    settings = load_settings()
    wanted = {"PCS_PORT (the app)": settings.port}
    if settings.embedded_s3:
        wanted["PCS_S3_PORT (embedded S3)"] = settings.s3_port
        for name, p in _ports(settings).items():
            wanted[f"PCS_WEED_PORTS ({name})"] = p
            wanted[f"PCS_WEED_PORTS ({name} gRPC)"] = p + 10000
    for what, port in wanted.items():
        if not port_free(port, settings.host if what.startswith("PCS_PORT") else "127.0.0.1"):
            die(f"port {port} is already in use (is PCS already running?); set {what.split(' ')[0]} to another port.")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    procs = ["s3", "web", "worker"] if settings.embedded_s3 else ["web", "worker"]
    honcho = Path(sys.executable).parent / "honcho"
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    os.chdir(ROOT)
    os.execve(str(honcho), [str(honcho), "-f", str(ROOT / "Procfile"), "start", *procs], env)


def _die_with_parent() -> None:
    """In the child: get SIGTERM if this launcher dies, so SeaweedFS is never left behind."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def cmd_s3(_args: argparse.Namespace) -> None:
    """Run the embedded SeaweedFS in the foreground; one clear line if it cannot start."""
    from pcs_app.adapters.seaweed import port_free, wait_for_port, weed_command, write_s3_config
    from pcs_app.settings import ensure_embedded_credentials

    settings = load_settings()
    if not settings.embedded_s3:
        die("PCS_S3_ENDPOINT is set: no embedded SeaweedFS to start.")
    if not port_free(settings.s3_port):
        die(f"SeaweedFS cannot start: port {settings.s3_port} is already in use; set PCS_S3_PORT to another port.")
    creds = ensure_embedded_credentials(settings)
    conf = settings.data_dir / "s3.json"
    write_s3_config(conf, creds["accessKey"], creds["secretKey"])
    log_path = settings.data_dir / "seaweedfs.log"
    try:
        cmd = weed_command(settings.data_dir / "s3", conf, settings.s3_port, **_ports(settings))
    except FileNotFoundError as e:
        die(str(e))
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)

    def stop(_sig: int, _frame: object) -> None:
        # Only forward the signal: the main thread's wait() below collects the child (a wait()
        # here would block on the lock that interrupted wait() still holds).
        proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if not wait_for_port(settings.s3_port, 30) or proc.poll() is not None:
        proc.terminate()
        die(f"SeaweedFS did not start on 127.0.0.1:{settings.s3_port}; its log is {log_path}")
    print(f"SeaweedFS S3 ready on 127.0.0.1:{settings.s3_port} (data in {settings.data_dir / 's3'})", flush=True)
    code = proc.wait()
    if code not in (0, -signal.SIGTERM, -signal.SIGINT):
        die(f"SeaweedFS stopped with code {code}; its log is {log_path}")


def prepare(settings: Settings) -> None:
    """Wait for S3, create the bucket, apply migrations."""
    from botocore.exceptions import BotoCoreError, ClientError

    from pcs_app.wiring import get_core

    core = get_core()
    deadline = time.monotonic() + 60
    while True:
        try:
            core.blobs.ensure_bucket()
            break
        except (BotoCoreError, ClientError) as e:
            if time.monotonic() > deadline:
                die(f"S3 at {settings.effective_s3_endpoint or 'AWS'} is not reachable: {e}")
            time.sleep(0.5)
    core.db.migrate()


def cmd_web(_args: argparse.Namespace) -> None:
    """Prepare storage and schema, then serve UI and API on one port (Reflex, production build)."""
    settings = load_settings()
    prepare(settings)
    env = dict(os.environ)
    env.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    tools = ROOT / ".tools" / "node_modules" / ".bin"
    env["PATH"] = f"{tools}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    reflex = Path(sys.executable).parent / "reflex"
    port = str(settings.port)
    print(f"PCS starting on http://localhost:{port} (the first build takes a few seconds)", flush=True)
    os.chdir(ROOT)
    os.execve(
        str(reflex),
        [
            str(reflex),
            "run",
            "--env",
            "prod",
            "--single-port",
            "--backend-host",
            settings.host,
            "--frontend-port",
            port,
            "--backend-port",
            port,
            "--loglevel",
            "warning",
        ],
        env,
    )


def _wait_until_ready(core: Core, timeout: float = 120.0) -> None:
    """Wait for S3 and for the schema to be at the newest migration (the web process applies them)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from pcs_app.db import alembic_config

    heads = set(ScriptDirectory.from_config(alembic_config(core.db.url)).get_heads())
    deadline = time.monotonic() + timeout
    while True:
        try:
            with core.db.engine.connect() as conn:
                current = set(MigrationContext.configure(conn).get_current_heads())
        except Exception:  # noqa: BLE001 - the database may not exist yet; keep waiting
            current = set()
        if current == heads and core.blobs.ping():
            return
        if time.monotonic() > deadline:
            die("the database schema is not up to date or S3 is not reachable; run `python -m pcs_app.cli migrate`")
        time.sleep(0.5)


def cmd_worker(args: argparse.Namespace) -> None:
    """Run the job consumer (huey) in the foreground: worker threads plus the periodic scheduler."""
    import logging

    from pcs_app.wiring import get_core

    settings = load_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    core = get_core()
    _wait_until_ready(core)
    queue = core.jobs
    where = "Redis" if settings.redis_url else str(settings.effective_jobs_db)
    workers = args.workers or settings.jobs_workers
    print(f"PCS worker: {workers} threads, queue in {where}, jobs: {', '.join(queue.names)}", flush=True)
    queue.consumer(workers, periodic=not args.no_periodic).run()


def cmd_jobs(args: argparse.Namespace) -> None:
    """Inspect and steer background jobs: failed, retry, status, run."""
    from backend_jobs import failures, run_job
    from pcs_app.wiring import get_core

    load_settings()
    core = get_core()
    if args.action == "failed":
        rows = failures.list_failed(core, include_resolved=args.all, limit=args.limit)
        if not rows:
            print("no failed jobs")
        for f in rows:
            state = f" (retried {f.resolved_at:%Y-%m-%d %H:%M})" if f.resolved_at else ""
            print(f"#{f.id}  {f.failed_at:%Y-%m-%d %H:%M:%S}  {f.job}{f.args}  {f.attempts} attempts{state}")
            print(f"      {f.error}")
            if args.verbose:
                print("      " + f.traceback.replace("\n", "\n      "))
    elif args.action == "retry":
        ids = [f.id for f in failures.list_failed(core, limit=10_000)] if args.ids == ["all"] else args.ids
        for i in ids:
            try:
                task = failures.retry(core, core.jobs, int(str(i)))
            except (LookupError, ValueError) as e:
                die(str(e))
            print(f"#{i} queued again (task {task})")
    elif args.action == "status":
        q = core.jobs
        print(
            f"queued: {q.pending_count()}  waiting to retry: {q.scheduled_count()}  "
            f"failed: {len(failures.list_failed(core, limit=10_000))}"
        )
        print(f"jobs: {', '.join(q.names)}")
    elif args.action == "run":
        print(run_job(core, args.ids[0], *args.ids[1:]))
    elif args.action == "enqueue":
        print(core.jobs.enqueue(args.ids[0], *args.ids[1:]))


def cmd_migrate(_args: argparse.Namespace) -> None:
    from pcs_app.wiring import get_core

    load_settings()
    get_core().db.migrate()
    print("database schema is up to date")


def cmd_create_admin(args: argparse.Namespace) -> None:
    """Create an administrator account (works even when sign-up is closed)."""
    from pcs_app.services import accounts
    from pcs_app.services.errors import PCSError
    from pcs_app.wiring import get_core

    load_settings()
    core = get_core()
    core.db.migrate()
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    try:
        user = accounts.create_user(core, args.email.strip(), password, is_admin=True, via_admin=True)
    except PCSError as e:
        die(e.message)
    print(f"administrator {user.email} created")


def cmd_gc(_args: argparse.Namespace) -> None:
    from pcs_app.services.gc import collect_garbage
    from pcs_app.wiring import get_core

    load_settings()
    print(collect_garbage(get_core()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pcs", description="PCS personal cloud storage")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("run", help="start everything (embedded S3 + app)").set_defaults(fn=cmd_run)
    sub.add_parser("s3", help="run the embedded SeaweedFS").set_defaults(fn=cmd_s3)
    sub.add_parser("web", help="run the web app (UI + API)").set_defaults(fn=cmd_web)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(fn=cmd_migrate)
    p = sub.add_parser("create-admin", help="create an administrator account")
    p.add_argument("--email", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(fn=cmd_create_admin)
    sub.add_parser("gc", help="reclaim unreferenced stored bytes").set_defaults(fn=cmd_gc)
    p = sub.add_parser("worker", help="run background jobs (thumbnails, garbage collection)")
    p.add_argument("--workers", type=int, default=0, help="threads (default PCS_JOBS_WORKERS)")
    p.add_argument("--no-periodic", action="store_true", help="leave periodic jobs to another worker")
    p.set_defaults(fn=cmd_worker)
    p = sub.add_parser("jobs", help="background jobs: failed | retry ID...|all | status | run|enqueue NAME [ARG...]")
    p.add_argument("action", choices=["failed", "retry", "status", "run", "enqueue"])
    p.add_argument("ids", nargs="*", help="failure ids for retry ('all' for every one); job name and arguments")
    p.add_argument("--all", action="store_true", help="failed: include failures already retried")
    p.add_argument("--limit", type=int, default=100, help="failed: how many to show")
    p.add_argument("-v", "--verbose", action="store_true", help="failed: show tracebacks")
    p.set_defaults(fn=cmd_jobs)
    args = parser.parse_args(argv)
    args.fn(args)


if __name__ == "__main__":
    main()
