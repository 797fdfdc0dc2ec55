"""moto in server mode as a child process on a free 127.0.0.1 port: the stand-in for SES and Cognito."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# moto accepts any key; boto3 only needs some to sign with.
TEST_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def free_port() -> int:
    """A TCP port nothing on 127.0.0.1 listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MotoServer:
    """One running ``moto_server``; ``stop`` ends it (and only it) by its PID."""

    endpoint: str
    proc: subprocess.Popen[bytes]
    log: Path

    def get_json(self, path: str) -> Any:
        with urllib.request.urlopen(self.endpoint + path, timeout=10) as r:
            return json.load(r)

    def reset(self) -> None:
        """Forget every resource (pools, identities, sent mail)."""
        req = urllib.request.Request(self.endpoint + "/moto-api/reset", method="POST")
        with urllib.request.urlopen(req, timeout=10):
            pass

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


def start_moto_server(log_dir: Path, timeout: float = 30.0) -> MotoServer:
    """Run ``moto_server -H 127.0.0.1 -p PORT`` from this interpreter's environment and wait until it answers."""
    port = free_port()
    script = Path(sys.executable).parent / "moto_server"
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "moto.server"]
    log = log_dir / f"moto-{port}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*cmd, "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its own process group, so stop() reaches nothing else
        )
    server = MotoServer(f"http://127.0.0.1:{port}", proc, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto_server exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            server.get_json("/moto-api/data.json")
            return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"moto_server did not answer within {timeout}s:\n{log.read_text()[-2000:]}")
