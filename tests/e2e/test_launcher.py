"""`make run`'s launcher: clear one-line errors, data kept across restarts, nothing left running;
a crashed web or worker comes back, a crashed SeaweedFS or launcher takes everything with it, and
a stack left behind for the same data dir is cleared by the next start."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import PASSWORD, free_port
from tests.stack import ROOT, Stack, start_stack

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
    """Running, that is: not gone and not a zombie (here nobody collects an orphan's exit status)."""
    st = _stat(pid)
    return st is not None and st[1] != "Z"


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
        children = [line.split()[0] for line in first.processes()]
        assert len(children) >= 5  # s3 and SeaweedFS, web and Reflex (and its server worker), worker
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


# -- crashes, from outside: each child and the launcher killed with SIGKILL -------------------------


# A restart of web includes Reflex's production build: 15 s on a quiet machine, minutes on a busy one.
RESTART_TIMEOUT = 180


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(ppid, state, start time) from /proc, None when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0], int(fields[19])


def _running(pid: int, start: int) -> bool:
    """Still that very process (same start time) and not a zombie waiting to be collected."""
    st = _stat(pid)
    return st is not None and st[1] != "Z" and st[2] == start


def _tree(root: int) -> dict[int, int]:
    """Every live descendant of ROOT, walked through /proc: pid -> start time."""
    table = {int(n): st for n in os.listdir("/proc") if n.isdigit() and (st := _stat(int(n))) and st[1] != "Z"}
    out, todo = {}, [root]
    while todo:
        parent = todo.pop()
        for pid, (ppid, _state, start) in table.items():
            if ppid == parent:
                out[pid] = start
                todo.append(pid)
    return out


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _child(stack: Stack, name: str) -> int:
    """The pid of the launcher's child running `python -m pcs_app.cli NAME` (web.1, worker.1, s3.1)."""
    for pid in _tree(stack.proc.pid):
        st, args = _stat(pid), _cmdline(pid)
        if st and st[0] == stack.proc.pid and "pcs_app.cli" in args and name in args:
            return pid
    raise AssertionError(f"no {name} process under the launcher:\n" + "\n".join(stack.processes()))


def _gone(tree: dict[int, int]) -> Callable[[], bool]:
    return lambda: not [p for p, t in tree.items() if _running(p, t)]


def _wait_for(what: str, cond: Callable[[], bool], timeout: float, stack: Stack | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            tail = stack.log.read_text(errors="replace")[-3000:] if stack else ""
            raise AssertionError(f"not within {timeout} s: {what}\n{tail}")
        time.sleep(0.2)


def _healthy(stack: Stack) -> bool:
    try:
        return httpx.get(f"{stack.url}/api/v1/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _same_ports(first: Stack) -> Callable[[set[int]], int]:
    """A `free_port` for start_stack that hands out FIRST's ports again, in the order it asks for them."""
    ports = iter([first.port, first.s3_port, *map(int, first.env["PCS_WEED_PORTS"].split(","))])
    return lambda taken: next(ports)


def _log_lines(stack: Stack, needle: str) -> list[str]:
    return [line for line in stack.log.read_text(errors="replace").splitlines() if needle in line]


def test_a_killed_web_or_worker_is_restarted_with_one_line(tmp_path: Path) -> None:
    stack = start_stack(tmp_path / "data", free_port)
    try:
        # The web process the launcher started (web.1), then Reflex itself under it (whose server
        # worker would keep the port if nobody ended it): each time web comes back, one line says so.
        for n, victim in enumerate(["web.1", "reflex"], 1):
            web = _child(stack, "web")
            old = _tree(web) | {web: _tree(stack.proc.pid)[web]}
            pid = web if victim == "web.1" else next(p for p in _tree(web) if (_stat(p) or (0,))[0] == web)
            os.kill(pid, signal.SIGKILL)
            _wait_for(f"{victim}'s processes gone", _gone(old), 30, stack)
            _wait_for("web restarted and healthy", lambda: _healthy(stack), RESTART_TIMEOUT, stack)
            lines = _log_lines(stack, "pcs: web exited with")
            assert len(lines) == n and "web exited with signal 9" in lines[-1] and "restarting in" in lines[-1], lines
            assert stack.proc.poll() is None
        worker = _child(stack, "worker")
        os.kill(worker, signal.SIGKILL)
        _wait_for(
            "the worker started again", lambda: len(_log_lines(stack, "PCS worker:")) == 2, RESTART_TIMEOUT, stack
        )
        lines = _log_lines(stack, "pcs: worker exited with")
        assert len(lines) == 1 and "signal 9 (SIGKILL); restarting in 1 s" in lines[0], lines
        assert _child(stack, "worker") != worker and _healthy(stack)
    finally:
        stack.stop()
    assert stack.proc.returncode == 0


def test_a_killed_seaweedfs_stops_everything_with_one_line(tmp_path: Path) -> None:
    stack = start_stack(tmp_path / "data", free_port)
    try:
        tree = _tree(stack.proc.pid)
        os.kill(_child(stack, "s3"), signal.SIGKILL)
        assert stack.proc.wait(60) == 1
    finally:
        stack.stop()
    lines = _log_lines(stack, "pcs: s3 exited")
    assert len(lines) == 1 and "signal 9" in lines[0] and "SeaweedFS" in lines[0] and "stopping everything" in lines[0]
    assert not _log_lines(stack, "restarting in")
    assert not [p for p, t in tree.items() if _running(p, t)], "processes left running"
    assert not (stack.data_dir / "run" / "launcher.pid").exists()


def test_a_killed_launcher_takes_every_process_with_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start_stack(data, free_port)
    try:
        tree = _tree(first.proc.pid)
        names = " ".join(" ".join(_cmdline(p)) for p in tree)
        assert all(n in names for n in ("cli s3", "weed mini", "cli web", "reflex run", "cli worker")), names
        os.kill(first.proc.pid, signal.SIGKILL)
        first.proc.wait(10)
        _wait_for("every process of the killed launcher gone", _gone(tree), 30)
    finally:
        first.stop()
    # Its pid file names only dead processes now: the next start, on the same ports, just comes up.
    second = start_stack(data, _same_ports(first))
    try:
        assert not _log_lines(second, "left running")
    finally:
        second.stop()


def test_a_frozen_stack_of_the_same_data_dir_is_cleared_by_the_next_start(tmp_path: Path) -> None:
    data = (tmp_path / "data").resolve()
    first = start_stack(data, free_port)
    try:
        again = run_cli(first.env, "run")  # while the first one is alive: refused, nothing touched
        assert again.returncode == 1 and again.stderr.strip().splitlines() == [
            f"pcs: PCS is already running for the data dir {data} (launcher pid {first.proc.pid}); stop it first."
        ]
        tree = _tree(first.proc.pid)
        os.kill(first.proc.pid, signal.SIGSTOP)  # a hung launcher: its children still hold every port
        # start_stack may return on an answer from the old web (still serving while it is cleared):
        # wait for the old processes to be gone, then for the new stack to answer on the same ports.
        second = start_stack(data, _same_ports(first))
        try:
            _wait_for("the frozen stack gone", lambda: first.proc.poll() is not None and _gone(tree)(), 60, second)
            _wait_for("the new stack healthy", lambda: _healthy(second), RESTART_TIMEOUT, second)
            assert second.proc.poll() is None
            lines = _log_lines(second, "left running")
            assert len(lines) == 1 and lines[0].startswith("pcs: stopped a PCS left running for this data dir"), lines
            assert str(first.proc.pid) in lines[0]
        finally:
            second.stop()
    finally:
        first.stop()


def test_a_stale_pid_file_stops_only_processes_of_this_data_dir(tmp_path: Path) -> None:
    data, other = (tmp_path / "data").resolve(), (tmp_path / "other").resolve()
    sleep = [sys.executable, "-c", "import time; time.sleep(600)"]
    base = {k: v for k, v in os.environ.items() if not k.startswith("PCS_")}

    def sleeper(data_dir: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen(sleep, env=base | {"PCS_DATA_DIR": str(data_dir)}, start_new_session=True)

    ours, theirs, unrecorded = sleeper(data), sleeper(other), sleeper(data)
    try:
        run = data / "run"
        run.mkdir(parents=True)
        record = {
            "data_dir": str(data),
            "launcher": [ours.pid + 1_000_000, 1],  # long gone
            "groups": {"web": [ours.pid, 0], "worker": [theirs.pid, 0]},
        }
        (run / "launcher.pid").write_text(json.dumps(record))
        with socket.socket() as s:  # then stop at the port check: no need for a whole stack here
            s.bind(("127.0.0.1", 0))
            s.listen()
            out = run_cli({"PCS_DATA_DIR": str(data), "PCS_PORT": str(s.getsockname()[1])}, "run")
        lines = out.stderr.strip().splitlines()
        assert lines[0] == f"pcs: stopped a PCS left running for this data dir (pids {ours.pid})", lines
        assert len(lines) == 2 and "is already in use" in lines[1]
        assert ours.wait(15) == -signal.SIGTERM
        assert theirs.poll() is None and unrecorded.poll() is None  # another data dir's; not recorded
        assert not (run / "launcher.pid").exists()
    finally:
        for p in (ours, theirs, unrecorded):
            p.kill()
            p.wait()
