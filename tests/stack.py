"""Start the whole app exactly as `make run` does (the launcher: SeaweedFS, Reflex prod, worker), on free ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.stack import private_web_env

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Stack:
    url: str
    port: int
    s3_port: int
    data_dir: Path
    proc: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str]

    def cli(self, *args: str, stdin: str = "") -> str:
        """Run ``python -m pcs_app.cli ARGS`` against this stack's data (e.g. create-admin)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PCS_")}
        env.update(self.env)
        out = subprocess.run(
            [sys.executable, "-m", "pcs_app.cli", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    def processes(self) -> list[str]:
        """Every process this stack started (all descendants of the launcher), as `ps` lines."""
        table = subprocess.run(["ps", "-ww", "-eo", "pid=,ppid=,args="], capture_output=True, text=True).stdout
        rows = [line.split(None, 2) for line in table.splitlines() if line.strip()]
        children: dict[str, list[list[str]]] = {}
        for row in rows:
            children.setdefault(row[1], []).append(row)
        out, todo = [], [str(self.proc.pid)]
        while todo:
            for row in children.get(todo.pop(), []):
                out.append(" ".join(row))
                todo.append(row[0])
        return out

    def stop(self) -> None:
        """Stop the process group this test started (the launcher and its children), by PID."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


def start_stack(data_dir: Path, free_port, extra_env: dict[str, str] | None = None, timeout: float = 180) -> Stack:  # type: ignore[no-untyped-def]
    """``free_port(taken)`` picks each port; ``taken`` keeps the six (and their gRPC neighbours) apart."""
    taken: set[int] = set()
    port, s3 = free_port(taken), free_port(taken)
    weed = ",".join(str(free_port(taken)) for _ in range(4))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PCS_")}
    env.update(
        {
            "PCS_DATA_DIR": str(data_dir),
            "PCS_PORT": str(port),
            "PCS_S3_PORT": str(s3),
            "PCS_WEED_PORTS": weed,
            "PATH": f"{ROOT / '.tools/node_modules/.bin'}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "REFLEX_USE_SYSTEM_BUN": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            # Every test client is 127.0.0.1: keep the per-address limits out of the way here (they
            # are tested in tests/unit/test_throttle.py); the per-pair waits stay as configured.
            "PCS_LOGIN_MAX_FAILURES_IP": "100000",
            "PCS_SIGNUP_MAX_PER_IP": "100000",
            **(extra_env or {}),
        }
    )
    env.update(private_web_env(data_dir, env))  # stacks alive at once never serve each other's build
    log = data_dir.parent / f"{data_dir.name}-stack.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pcs_app.cli", "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pcs_env = {k: v for k, v in env.items() if k.startswith("PCS_")}
    port, s3 = int(env["PCS_PORT"]), int(env["PCS_S3_PORT"])  # extra_env may have chosen them
    stack = Stack(f"http://127.0.0.1:{port}", port, s3, data_dir, proc, log, pcs_env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{stack.url}/api/v1/health", timeout=2).status_code == 200:
                if httpx.get(stack.url + "/", timeout=5).status_code == 200:
                    return stack
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stack.stop()
    raise RuntimeError(f"the app did not answer within {timeout}s:\n{log.read_text()[-3000:]}")
