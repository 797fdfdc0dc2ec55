"""Several PCS app instances behind nginx, started as a deployment runs them (tests/cluster, bench/cluster.py).

Each instance is `python -m pcs_app.cli web` on its own port (the Procfile's `web` entry), plus one
`python -m pcs_app.cli worker`; all share one PostgreSQL database, one SeaweedFS, one Redis (UI state,
change broker, job queue) and one PCS_SECRET_KEY. nginx (Debian's, run as our own foreground process
under a temporary prefix) balances them round-robin without stickiness. No pytest here: the benchmark
uses it too.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.stack import private_web_dir
from pcs_app.adapters.seaweed import free_port

ROOT = Path(__file__).resolve().parent.parent
NGINX_TEMPLATE = ROOT / "scripts" / "nginx-cluster.conf.tmpl"


def nginx_binary() -> str | None:
    """Debian's nginx (`apt-get install nginx`), or None when it is not installed."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


@dataclass
class Proc:
    """A process we started in its own process group (so it and its children are stopped together)."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group at once: a crash, nothing gets to clean up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, grace: float = 15) -> None:
        """SIGTERM our process group; SIGKILL it if still alive after ``grace`` seconds."""
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()
        # Children that outlived their leader (still in our group) go too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


@dataclass
class Instance(Proc):
    """One `web` process: UI, websocket and REST API on ``port``."""

    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def addr(self) -> str:
        """How nginx names this instance in $upstream_addr."""
        return f"127.0.0.1:{self.port}"


@dataclass
class Nginx(Proc):
    port: int = 0
    prefix: Path = Path()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.prefix / "access.log"

    def upstreams(self, path_prefix: str = "") -> list[str]:
        """$upstream_addr of each logged request whose path starts with ``path_prefix``, oldest first."""
        if not self.access_log.exists():
            return []
        out = []
        for line in self.access_log.read_text(errors="replace").splitlines():
            m = re.match(r'\S+ \S+ "\S+ (\S+)[^"]*" \d+ (\S+)', line)
            if m and m.group(1).startswith(path_prefix):
                out.append(m.group(2))
        return out


@dataclass
class Cluster:
    """The running cluster: nginx in front, the web instances, the worker, and the settings they share."""

    nginx: Nginx
    web: list[Instance]
    worker: Proc | None
    env: dict[str, str]
    work: Path
    procs: list[Proc] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.nginx.url

    def instance_at(self, addr: str) -> Instance:
        """The instance nginx calls ``addr`` (e.g. the value of an X-PCS-Upstream header)."""
        return next(i for i in self.web if i.addr == addr)

    def stop(self) -> None:
        """Stop everything we started, newest first, each by its own process group."""
        for p in reversed(self.procs):
            p.stop()


def render_nginx_conf(prefix: Path, port: int, upstreams: list[int]) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in upstreams)
    # The `user` directive only matters (and is only allowed without a warning) when run as root.
    user_line = "user root;" if os.geteuid() == 0 else ""
    text = NGINX_TEMPLATE.read_text()
    values = {"prefix": str(prefix), "port": str(port), "servers": servers, "user_line": user_line}
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], text)


def start_nginx(prefix: Path, port: int, upstreams: list[int], timeout: float = 15) -> Nginx:
    """Run nginx in the foreground (daemon off) with our own config, prefix and pid file."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx is not installed (apt-get install -y nginx)")
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(render_nginx_conf(prefix, port, upstreams))
    log = prefix / "nginx.out"
    cmd = [binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log"), "-g", "daemon off;"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    ng = Nginx("nginx", proc, log, port, prefix)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited with {proc.returncode}: {ng.tail()} {(prefix / 'error.log').read_text()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(ng.url + "/lb-ready", timeout=1).status_code == 204:
                return ng
        time.sleep(0.1)
    ng.stop()
    raise RuntimeError(f"nginx did not listen on {port} within {timeout}s")


def cluster_env(
    *,
    public_url: str,
    s3_endpoint: str,
    s3_access_key: str,
    s3_secret_key: str,
    database_url: str,
    redis_url: str,
    bucket: str,
    queue_name: str,
    secret_key: str,
    web_dir: Path,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment every process of the cluster shares (each instance adds its port and data dir)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PCS_", "REFLEX_", "GRANIAN_"))}
    env.update(
        {
            "PATH": f"{ROOT / '.tools/node_modules/.bin'}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "REFLEX_USE_SYSTEM_BUN": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "PCS_PUBLIC_URL": public_url,
            # The browser must open its websocket through the load balancer too. Reflex bakes the
            # backend's address into the frontend build; by default that is the building instance's
            # own port (see the cluster tests: cmd_web does not derive this from PCS_PUBLIC_URL).
            "REFLEX_API_URL": public_url,
            "REFLEX_WEB_WORKDIR": str(web_dir),
            "REFLEX_STATES_WORKDIR": str(web_dir.parent / "reflex-states"),
            "PCS_S3_ENDPOINT": s3_endpoint,
            "PCS_S3_ACCESS_KEY": s3_access_key,
            "PCS_S3_SECRET_KEY": s3_secret_key,
            "PCS_S3_BUCKET": bucket,
            "PCS_DATABASE_URL": database_url,
            "PCS_REDIS_URL": redis_url,
            "REFLEX_REDIS_URL": redis_url,
            "PCS_JOBS_QUEUE_NAME": queue_name,
            "PCS_SECRET_KEY": secret_key,
            "PCS_TRUSTED_PROXIES": "127.0.0.1",  # nginx: the client's address comes in X-Forwarded-For
            # Every client here is 127.0.0.1: keep the per-address ceilings out of the way (as
            # tests/stack.py does); the per-(account, address) waits stay as configured.
            "PCS_LOGIN_MAX_FAILURES_IP": "100000",
            "PCS_SIGNUP_MAX_PER_IP": "100000",
        }
    )
    env.update(extra or {})
    return env


def _spawn(name: str, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "pcs_app.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_instance(work: Path, name: str, port: int, env: dict[str, str], timeout: float = 240) -> Instance:
    """Start one `web` process with its own (empty) data dir and wait until it serves the UI and the API."""
    data = work / f"{name}-data"
    data.mkdir(parents=True, exist_ok=True)
    own = {**env, "PCS_PORT": str(port), "PCS_DATA_DIR": str(data)}
    log = work / f"{name}.log"
    inst = Instance(name, _spawn(name, ["web"], own, log), log, port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not inst.alive():
            raise RuntimeError(f"{name} exited with {inst.proc.returncode}:\n{inst.tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{inst.url}/api/v1/health", timeout=2).status_code == 200:
                if httpx.get(f"{inst.url}/", timeout=5).status_code == 200:
                    return inst
        time.sleep(0.5)
    inst.stop()
    raise RuntimeError(f"{name} did not answer within {timeout}s:\n{inst.tail()}")


def start_worker(work: Path, env: dict[str, str]) -> Proc:
    data = work / "worker-data"
    data.mkdir(parents=True, exist_ok=True)
    log = work / "worker.log"
    worker = Proc("worker", _spawn("worker", ["worker"], {**env, "PCS_DATA_DIR": str(data)}, log), log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not worker.alive():
            raise RuntimeError(f"the worker exited with {worker.proc.returncode}:\n{worker.tail()}")
        if "PCS worker:" in worker.tail():
            return worker
        time.sleep(0.2)
    worker.stop()
    raise RuntimeError(f"the worker did not start:\n{worker.tail()}")


def start_cluster(
    work: Path,
    *,
    s3_endpoint: str,
    s3_access_key: str,
    s3_secret_key: str,
    database_url: str,
    redis_url: str,
    instances: int = 2,
    worker: bool = True,
    extra_env: dict[str, str] | None = None,
) -> Cluster:
    """nginx, then the instances one after another, then the worker; everything stopped if a start fails.

    The instances start one at a time, as a rolling deployment would: each `web` applies the migrations
    and builds the frontend into the cluster's own copy of `.web` (Reflex serialises builds with a file
    lock, but a rebuild replaces the files a running instance serves).
    """
    work.mkdir(parents=True, exist_ok=True)
    taken: set[int] = set()
    lb_port = free_port(taken)
    ports = [free_port(taken) for _ in range(instances)]
    public = f"http://127.0.0.1:{lb_port}"
    env = cluster_env(
        public_url=public,
        s3_endpoint=s3_endpoint,
        s3_access_key=s3_access_key,
        s3_secret_key=s3_secret_key,
        database_url=database_url,
        redis_url=redis_url,
        bucket=f"pcs-cluster-{secrets.token_hex(4)}",
        queue_name=f"cluster-{secrets.token_hex(4)}",
        secret_key=secrets.token_urlsafe(48),
        web_dir=private_web_dir(work / "web"),
        extra=extra_env,
    )
    procs: list[Proc] = []
    try:
        ng = start_nginx(work / "nginx", lb_port, ports)
        procs.append(ng)
        web = []
        for i, port in enumerate(ports):
            inst = start_instance(work, f"web{'ABCDEFGH'[i]}", port, env)
            procs.append(inst)
            web.append(inst)
        wk = None
        if worker:
            wk = start_worker(work, env)
            procs.append(wk)
    except BaseException:
        for p in reversed(procs):
            p.stop()
        raise
    return Cluster(ng, web, wk, env, work, procs)


def forget_queue(redis_url: str, queue_name: str) -> None:
    """Delete the Redis keys of this cluster's job queue (other users of the same Redis keep theirs)."""
    import redis

    r = redis.Redis.from_url(redis_url)
    try:
        for key in r.scan_iter(match=f"*{queue_name}*", count=1000):
            r.delete(key)
    finally:
        r.close()


@contextlib.contextmanager
def temporary_database(admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database on the server of ``admin_url``, dropped at the end (for the benchmark)."""
    import sqlalchemy as sa

    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"pcs_cluster_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
