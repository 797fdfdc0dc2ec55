"""A private PCS stack started exactly as `make run` does (the launcher: SeaweedFS, Reflex prod, worker), on free ports."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

from pcs_app.adapters.seaweed import free_port
from pcs_app.settings import Settings

from .common import log

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"


@dataclass
class Stack:
    """A running stack: its URL, S3 endpoint and credentials, data dir and process group."""

    url: str
    port: int
    s3_endpoint: str
    data_dir: Path
    log_path: Path
    proc: subprocess.Popen[bytes]
    access_key: str = ""
    secret_key: str = ""

    @property
    def db_path(self) -> Path:
        return self.data_dir / "pcs.db"

    def settings(self, **overrides: Any) -> Settings:
        """Settings for an in-process core on this stack's database and SeaweedFS (``overrides`` win).
        Such a core writes no audit JSON lines: the benchmark's tables are the output."""
        fields: dict[str, Any] = {
            "data_dir": self.data_dir,
            "database_url": f"sqlite:///{self.db_path}",
            "s3_endpoint": self.s3_endpoint,
            "s3_access_key": self.access_key,
            "s3_secret_key": self.secret_key,
            "audit_stdout": False,
        }
        return Settings(**(fields | overrides))

    def s3_client(self, **config: Any) -> Any:
        """A boto3 S3 client on this stack's SeaweedFS: defaults plus path-style addressing and ``config``."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.s3_endpoint,
            region_name="us-east-1",
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            config=Config(s3={"addressing_style": "path"}, **config),
        )

    def ensure_bucket(self, s3: Any, bucket: str) -> None:
        """Create ``bucket`` on this stack's SeaweedFS unless it exists already."""
        existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        if bucket not in existing:
            s3.create_bucket(Bucket=bucket)

    def stop(self) -> None:
        """SIGTERM the process group we started; SIGKILL it if still alive after 15 s."""
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            log("stack still alive 15 s after SIGTERM: sending SIGKILL to its process group")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def private_web_dir(dest: Path) -> Path:
    """A copy of the checkout's Reflex frontend project (``.web``) for one stack (or cluster) alone.

    The instances build the frontend at start and bake the backend address (REFLEX_API_URL) into it;
    in the checkout's shared ``.web`` any other stack started from this checkout would rebuild it with
    its own address under our running instances (and ours under it). node_modules is hard-linked.
    """
    src = ROOT / ".web"
    dest.mkdir(parents=True, exist_ok=True)
    if not src.is_dir():
        return dest  # Reflex initialises it (installs the frontend packages) on the first start
    for item in src.iterdir():
        target = dest / item.name
        if item.name == "build" or target.exists():
            continue
        if item.name == "node_modules":
            if subprocess.run(["cp", "-al", str(item), str(target)], capture_output=True).returncode != 0:
                shutil.copytree(item, target, symlinks=True)
        elif item.is_dir():
            shutil.copytree(item, target, symlinks=True)
        else:
            shutil.copy2(item, target)
    return dest


def private_web_env(data_dir: Path, env: dict[str, str]) -> dict[str, str]:
    """Reflex's work folders for a stack on ``data_dir``: a ``.web`` of its own beside it, so another
    stack started from this checkout (a benchmark's second stack, a test run) never rebuilds this one's
    frontend with its own port. Nothing when ``env`` already names one or the checkout has no frontend yet."""
    if not (ROOT / ".web" / "node_modules").is_dir() or "REFLEX_WEB_WORKDIR" in env:
        return {}
    web = private_web_dir(data_dir.parent / f"{data_dir.name}-web")
    return {"REFLEX_WEB_WORKDIR": str(web), "REFLEX_STATES_WORKDIR": str(web.parent / f"{web.name}-states")}


def _env(data_dir: Path, port: int, s3_port: int, weed: list[int], extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PCS_")}
    dropped = sorted(k for k in os.environ if k.startswith("PCS_"))
    if dropped:
        log(f"ignoring inherited {', '.join(dropped)} (the bench stack uses its own settings)")
    path = f"{ROOT / '.tools' / 'node_modules' / '.bin'}{os.pathsep}{PY.parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(
        {
            "PCS_DATA_DIR": str(data_dir),
            "PCS_PORT": str(port),
            "PCS_S3_PORT": str(s3_port),
            "PCS_WEED_PORTS": ",".join(map(str, weed)),
            "PATH": path,
            "REFLEX_USE_SYSTEM_BUN": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            **extra,
        }
    )
    env.update(private_web_env(data_dir, env))
    return env


@contextlib.contextmanager
def running_stack(data_dir: Path, timeout: float = 240, extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    """Start `python -m pcs_app.cli run` on free ports, wait for /api/v1/health, always stop it."""
    taken: set[int] = set()
    port, s3_port = free_port(taken), free_port(taken)
    weed = [free_port(taken) for _ in range(4)]
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir.parent / "stack.log"
    python = str(PY) if PY.exists() else sys.executable
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(
            [python, "-m", "pcs_app.cli", "run"],
            cwd=ROOT,
            env=_env(data_dir, port, s3_port, weed, extra_env or {}),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack = Stack(f"http://127.0.0.1:{port}", port, f"http://127.0.0.1:{s3_port}", data_dir, log_path, proc)
    try:
        t0 = time.monotonic()
        log(f"starting the stack on port {port} (S3 {s3_port}); log: {log_path}")
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the stack exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            if time.monotonic() - t0 > timeout:
                raise RuntimeError(f"the stack did not answer within {timeout:.0f} s:\n{log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{stack.url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        creds = json.loads((data_dir / "s3-credentials.json").read_text())
        stack.access_key, stack.secret_key = creds["accessKey"], creds["secretKey"]
        log(f"stack ready in {time.monotonic() - t0:.1f} s")
        yield stack
    finally:
        stack.stop()
        log("stack stopped")


class Api:
    """A minimal PCS API client on one signed-up account."""

    def __init__(self, base_url: str, *, timeout: float = 600, max_connections: int = 64) -> None:
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self.http = httpx.Client(base_url=base_url + "/api/v1", timeout=timeout, limits=limits)
        self.user: dict[str, Any] = {}

    def signup(self, email: str, password: str) -> None:
        r = self.http.post("/auth/signup", json={"email": email, "password": password})
        r.raise_for_status()
        body = r.json()
        self.http.headers["Authorization"] = f"Bearer {body['token']}"
        self.user = body["user"]

    @property
    def root_id(self) -> str:
        return str(self.user["root_id"])

    def mkdir(self, parent_id: str, name: str) -> str:
        r = self.http.post(f"/nodes/{parent_id}/folders", json={"name": name})
        r.raise_for_status()
        return str(r.json()["id"])

    def close(self) -> None:
        self.http.close()
