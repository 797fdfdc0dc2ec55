"""Command line: `python -m pcs_app.cli run|s3|web|migrate|create-admin|gc`."""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pydantic import ValidationError

ROOT = Path(__file__).resolve().parent.parent


def die(msg: str, code: int = 1) -> None:
    print(f"pcs: {msg}", file=sys.stderr, flush=True)
    raise SystemExit(code)


def load_settings():  # type: ignore[no-untyped-def]
    from pcs_app.settings import get_settings

    try:
        return get_settings()
    except ValidationError as e:
        first = e.errors()[0]
        die(f"invalid setting PCS_{'_'.join(map(str, first['loc'])).upper()}: {first['msg']}", 2)


def _ports(settings) -> dict[str, int]:  # type: ignore[no-untyped-def]
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
    procs = ["s3", "web"] if settings.embedded_s3 else ["web"]
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


def prepare(settings) -> None:  # type: ignore[no-untyped-def]
    """Wait for S3, create the bucket, apply migrations."""
    from botocore.exceptions import BotoCoreError, ClientError

    from pcs_app.services.core import get_core

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


def cmd_migrate(_args: argparse.Namespace) -> None:
    from pcs_app.services.core import get_core

    load_settings()
    get_core().db.migrate()
    print("database schema is up to date")


def cmd_create_admin(args: argparse.Namespace) -> None:
    """Create an administrator account (works even when sign-up is closed)."""
    from pcs_app.services import users
    from pcs_app.services.core import get_core
    from pcs_app.services.errors import PCSError

    load_settings()
    core = get_core()
    core.db.migrate()
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    try:
        user = users.create_user(core, args.email, password, is_admin=True, via_admin=True)
    except PCSError as e:
        die(e.message)
    print(f"administrator {user.email} created")


def cmd_gc(_args: argparse.Namespace) -> None:
    from pcs_app.services.core import get_core
    from pcs_app.services.gc import collect_garbage

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
    args = parser.parse_args(argv)
    args.fn(args)


if __name__ == "__main__":
    main()
