"""The processes of a crash test: the API and the worker (restarted after every kill) and the command
line tools (gc, fsck, jobs), all forked from one fork server (zygote.py) so a restart costs
milliseconds instead of seconds of imports on a 2-core machine."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
MiB = 1024 * 1024


class Zygote:
    """The fork server, and what it tells us: the pid of each fork and how each child ended."""

    def __init__(self, log: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PCS_")}
        self._log = open(log, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.zygote", str(os.getpid())],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            start_new_session=True,
        )
        self._cond = threading.Condition()
        self._pids: dict[int, int] = {}
        self.exits: dict[int, int] = {}
        self.exit_times: dict[int, float] = {}
        self._next = 0
        self._ready = False
        self._reader = threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True)
        self._reader.start()
        with self._cond:
            if not self._cond.wait_for(lambda: self._ready or self.proc.poll() is not None, timeout=180):
                raise RuntimeError("the fork server did not start within 180 s")
        if not self._ready:
            raise RuntimeError(f"the fork server exited: see {log}")
        self.children: list[Child] = []

    def _read(self, out: IO[bytes] | None) -> None:
        assert out is not None
        for line in out:
            msg = json.loads(line)
            with self._cond:
                if msg.get("ready"):
                    self._ready = True
                elif "exit" in msg:
                    self.exits[msg["exit"]] = msg["code"]
                    self.exit_times[msg["exit"]] = time.monotonic()
                else:
                    self._pids[msg["id"]] = msg["pid"]
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def spawn(self, name: str, prog: str, argv: list[str], env: dict[str, str], log: Path) -> Child:
        """Fork ``python -m pcs_app.cli ARGV`` (prog "pcs") or ``python -m uvicorn ARGV`` (prog "uvicorn")."""
        with self._cond:
            self._next += 1
            ident = self._next
        req = {"id": ident, "prog": prog, "argv": argv, "env": env, "log": str(log), "cwd": str(ROOT)}
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(req) + "\n").encode())
        self.proc.stdin.flush()
        with self._cond:
            if not self._cond.wait_for(lambda: ident in self._pids, timeout=30):
                raise RuntimeError("the fork server did not answer")
            pid = self._pids.pop(ident)
        child = Child(name, pid, self, log, time.monotonic())
        self.children.append(child)
        return child

    def wait(self, pid: int, timeout: float | None) -> int | None:
        with self._cond:
            self._cond.wait_for(lambda: pid in self.exits, timeout=timeout)
            return self.exits.get(pid)

    def close(self) -> None:
        for child in self.children:
            child.kill()
        for child in self.children:
            child.wait(10)
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        self._log.close()


@dataclass
class Child:
    name: str
    pid: int
    zygote: Zygote
    log: Path
    started: float
    killed: bool = False

    @property
    def alive(self) -> bool:
        return self.pid not in self.zygote.exits

    def kill(self) -> None:
        """SIGKILL the child's whole process group (it and whatever it started)."""
        if not self.alive:
            return
        self.killed = True
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:  # forked a moment ago, not yet its own group
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def wait(self, timeout: float | None = None) -> int | None:
        return self.zygote.wait(self.pid, timeout)

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""


@dataclass
class CrashStack:
    """One account's worth of PCS: settings, the API and worker processes, and the tools."""

    zygote: Zygote
    workdir: Path
    settings: dict[str, str]
    port: int
    api: Child | None = None
    worker: Child | None = None
    runs: int = 0
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PCS_")}
        self.env["PYTHONUNBUFFERED"] = "1"
        self.url = f"http://127.0.0.1:{self.port}"

    def _env(self, grace: int) -> dict[str, str]:
        return {**self.env, **self.settings, "PCS_GC_GRACE_SECONDS": str(grace)}

    def start_api(self, wait: bool = True) -> None:
        argv = ["--factory", "pcs_app.api.app:create_api", "--host", "127.0.0.1", "--port", str(self.port)]
        argv += ["--log-level", "warning", "--no-access-log"]
        self.api = self.zygote.spawn("api", "uvicorn", argv, self._env(LIVE_GRACE), self.workdir / "api.log")
        if wait:
            self.wait_api()

    def wait_api(self, timeout: float = 60) -> None:
        """Until the API answers its health check (database and storage reachable)."""
        assert self.api is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.api.alive:
                raise RuntimeError(f"the API exited with {self.api.wait(1)}:\n{self.api.tail()}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"the API did not answer within {timeout}s:\n{self.api.tail()}")

    def start_worker(self) -> None:
        argv = ["worker", "--workers", "2"]
        self.worker = self.zygote.spawn("worker", "pcs", argv, self._env(LIVE_GRACE), self.workdir / "worker.log")

    def spawn_cli(self, *args: str, grace: int = 0) -> Child:
        """Start ``pcs ARGS`` (its output goes to a file of its own: Child.log)."""
        self.runs += 1
        log = self.workdir / "cli" / f"{self.runs:05d}-{args[0]}.txt"
        log.parent.mkdir(exist_ok=True)
        return self.zygote.spawn(args[0], "pcs", list(args), self._env(grace), log)

    def cli(self, *args: str, grace: int = 0, timeout: float = 300) -> tuple[int, str]:
        """Run ``pcs ARGS`` to the end: (exit code, output)."""
        child = self.spawn_cli(*args, grace=grace)
        code = child.wait(timeout)
        if code is None:
            child.kill()
            child.wait(10)
            raise RuntimeError(f"`pcs {' '.join(args)}` did not finish within {timeout}s:\n{child.tail()}")
        return code, child.log.read_text(errors="replace")

    def ensure_running(self, wait: bool = True) -> list[str]:
        """Start the API and the worker where they are not running (after a kill); which were started.
        ``wait``: until the API answers (else call wait_api)."""
        started = []
        if self.worker is None or not self.worker.alive:
            if self.worker is not None:
                self.worker.wait(10)
            self.start_worker()
            started.append("worker")
        if self.api is None or not self.api.alive:
            if self.api is not None:
                self.api.wait(10)
            self.start_api(wait)
            started.append("api")
        return started

    def stop(self) -> None:
        for child in (self.api, self.worker):
            if child is not None:
                child.kill()
                child.wait(10)


# Live processes keep a grace period, as in production: an upload's object exists for a moment
# before its commit makes it referenced, and a collector judging it then would delete it. The tools
# run after a crash (fsck, gc) judge everything (grace 0): nothing is in flight by then.
LIVE_GRACE = 120


def api_settings(data_dir: Path, s3: Any, bucket: str, database_url: str | None) -> dict[str, str]:
    """The PCS_ settings of a crash stack."""
    out = {
        "PCS_DATA_DIR": str(data_dir),
        "PCS_S3_ENDPOINT": s3.endpoint,
        "PCS_S3_ACCESS_KEY": s3.access_key,
        "PCS_S3_SECRET_KEY": s3.secret_key,
        "PCS_S3_BUCKET": bucket,
        # 5 MiB parts: files over the 8 MiB threshold go multipart with several parts already.
        "PCS_MULTIPART_PART_SIZE": str(5 * MiB),
        # Retention has work to do (it deletes versions) when the worker is killed during it.
        "PCS_VERSIONS_MAX": "5",
        "PCS_JOBS_POLL_SECONDS": "0.05",
        "PCS_SECRET_KEY": "crash-test-server-secret-0123456789abcdef",
        "PCS_SIGNUP_MAX_PER_IP": "100000",
        "PCS_LOGIN_MAX_FAILURES_IP": "100000",
    }
    if database_url:
        out["PCS_DATABASE_URL"] = database_url
    return out
