"""`make run`'s launcher: clear one-line errors, data kept across restarts, nothing left running."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import PASSWORD, free_port
from tests.stack import ROOT, start_stack

pytestmark = pytest.mark.e2e


def run_cli(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PCS_")} | env_extra
    return subprocess.run(
        [sys.executable, "-m", "pcs_app.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        taken = s.getsockname()[1]
        out = run_cli({"PCS_DATA_DIR": str(tmp_path), "PCS_PORT": str(taken)}, "run")
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {taken} is already in use" in lines[0] and "PCS_PORT" in lines[0]
    assert "Traceback" not in out.stderr + out.stdout


def test_bad_setting_is_one_clear_line(tmp_path: Path) -> None:
    out = run_cli({"PCS_DATA_DIR": str(tmp_path), "PCS_PORT": "not-a-port"}, "run")
    assert out.returncode == 2
    assert out.stderr.strip().startswith("pcs: invalid setting PCS_PORT") and "Traceback" not in out.stderr


def test_seaweedfs_failure_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as s:  # S3 port taken by someone else after the launcher's check
        s.bind(("127.0.0.1", 0))
        s.listen()
        env = {
            "PCS_DATA_DIR": str(tmp_path),
            "PCS_S3_PORT": str(s.getsockname()[1]),
            "PCS_WEED_PORTS": ",".join(str(free_port()) for _ in range(4)),
        }
        out = run_cli(env, "s3")
    assert out.returncode != 0 and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pcs: SeaweedFS cannot start") and "PCS_S3_PORT" in lines[0]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_restart_keeps_data_and_stop_leaves_nothing_running(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start_stack(data, free_port)
    try:
        r = httpx.post(f"{first.url}/api/v1/auth/signup", json={"email": "keep@example.com", "password": PASSWORD})
        token, root = r.json()["token"], r.json()["user"]["root_id"]
        h = {"Authorization": f"Bearer {token}"}
        node = httpx.put(
            f"{first.url}/api/v1/nodes/{root}/files", params={"name": "keep.bin"}, content=b"k" * 100_000, headers=h
        ).json()
        children = subprocess.run(["pgrep", "-g", str(first.proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) >= 3  # honcho, SeaweedFS, the web app
    finally:
        first.stop()
    assert not [p for p in children if _alive(int(p))], "processes left running after stop"
    assert (data / "pcs.db").exists() and (data / "s3-credentials.json").stat().st_mode & 0o077 == 0
    second = start_stack(data, free_port)
    try:
        got = httpx.get(f"{second.url}/api/v1/nodes/{node['id']}/content", headers=h)
        assert got.status_code == 200 and got.content == b"k" * 100_000
    finally:
        second.stop()


def test_create_admin_from_the_command_line_even_with_signup_closed(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PCS_")} | {
        "PCS_DATA_DIR": str(tmp_path),
        "PCS_SIGNUP_OPEN": "false",
    }
    cmd = [sys.executable, "-m", "pcs_app.cli", "create-admin", "--email", "Root@Example.com", "--password-stdin"]
    ok = subprocess.run(
        cmd, cwd=ROOT, env=env, input="a long admin password\n", capture_output=True, text=True, timeout=60
    )
    assert ok.returncode == 0, ok.stderr
    assert "administrator root@example.com created" in ok.stdout
    again = subprocess.run(
        cmd, cwd=ROOT, env=env, input="a long admin password\n", capture_output=True, text=True, timeout=60
    )
    assert again.returncode != 0 and again.stderr.strip() == "pcs: An account with that email already exists."
    weak = subprocess.run(
        [*cmd[:-2], "other@example.com", "--password-stdin"],
        cwd=ROOT,
        env=env,
        input="short\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert weak.returncode != 0 and "at least 8 characters" in weak.stderr and "Traceback" not in weak.stderr
