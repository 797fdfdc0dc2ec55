"""Starting PCS: the launcher (`run`), the embedded SeaweedFS (`s3`), the web app (`web`), the job
worker (`worker`)."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pcs_app.settings import Settings

from .common import ROOT, die, load_settings
from .procs import die_with_parent, run_child

if TYPE_CHECKING:
    from pcs_app.services.core import Core


def _ports(settings: Settings) -> dict[str, int]:
    master, volume, filer, admin = (int(p) for p in settings.weed_ports.split(","))
    return {"master": master, "volume": volume, "filer": filer, "admin": admin}


# What each process of the Procfile is, for the launcher: the essential ones stop everything when
# they exit (the others need them); the rest are restarted with a back-off.
ESSENTIAL = {"s3": "SeaweedFS, which the app needs; its log is {data}/seaweedfs.log"}


def cmd_run(_args: argparse.Namespace) -> None:
    """Clear a stack of this data dir left behind, check ports, then run the Procfile's processes
    under the supervisor (a crashed web or worker is restarted; Ctrl-C or SIGTERM stops them all)."""
    from pcs_app.adapters.seaweed import port_free

    from .supervisor import Child, Supervisor, clear_stale, parse_procfile, pid_file

    settings = load_settings()
    os.chdir(ROOT)
    data_dir = settings.data_dir.resolve()
    clear_stale(data_dir)
    wanted = {"PCS_PORT (the app)": settings.port}
    if settings.embedded_s3:
        wanted["PCS_S3_PORT (embedded S3)"] = settings.s3_port
        for name, p in _ports(settings).items():
            wanted[f"PCS_WEED_PORTS ({name})"] = p
            wanted[f"PCS_WEED_PORTS ({name} gRPC)"] = p + 10000
    for what, port in wanted.items():
        if not port_free(port, settings.host if what.startswith("PCS_PORT") else "127.0.0.1"):
            die(f"port {port} is already in use (is PCS already running?); set {what.split(' ')[0]} to another port.")
    data_dir.mkdir(parents=True, exist_ok=True)
    declared = parse_procfile(ROOT / "Procfile")
    names = ["s3", "web", "worker"] if settings.embedded_s3 else ["web", "worker"]
    children = [Child(n, declared[n], ESSENTIAL.get(n, "").format(data=data_dir)) for n in names]
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PCS_DATA_DIR"] = str(data_dir)  # absolute: the children agree, and a later start can recognise them
    env["PYTHONUNBUFFERED"] = "1"  # lines reach the log as they are written
    sys.exit(Supervisor(children, env, pid_file(data_dir), data_dir).run())


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
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent())

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


def set_web_workers(settings: Settings, env: dict[str, str]) -> None:
    """With UI state in Redis, Reflex would start 2 x CPUs + 1 server processes. Uploads to one account
    commit one at a time (its row lock), so processes beyond the CPUs only queue for it. One per CPU
    unless PCS_WEB_WORKERS (or GRANIAN_WORKERS itself) says otherwise."""
    if env.get("REFLEX_REDIS_URL") and "GRANIAN_WORKERS" not in env:
        env["GRANIAN_WORKERS"] = str(settings.web_workers or os.cpu_count() or 1)


def cmd_web(_args: argparse.Namespace) -> None:
    """Prepare storage and schema, then serve UI and API on one port (Reflex, production build)."""
    settings = load_settings()
    prepare(settings)
    env = dict(os.environ)
    env.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    if settings.public_url:
        # The frontend build bakes in where the browser opens its websocket and calls the backend:
        # the public address (a load balancer in front of several instances), not this instance.
        env.setdefault("REFLEX_API_URL", settings.effective_public_url)
    set_web_workers(settings, env)
    tools = ROOT / ".tools" / "node_modules" / ".bin"
    env["PATH"] = f"{tools}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    reflex = Path(sys.executable).parent / "reflex"
    port = str(settings.port)
    print(f"PCS starting on http://localhost:{port} (the first build takes a few seconds)", flush=True)
    os.chdir(ROOT)
    # Reflex runs as a child, not exec'd: this process then ends whatever Reflex leaves in the
    # process group (its server workers, node) when Reflex exits or this process is told to stop.
    run_child(
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
