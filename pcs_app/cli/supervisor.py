"""The launcher's supervisor: runs the Procfile's processes, prefixes their output like honcho
(`HH:MM:SS web.1 | …`), restarts a crashed one with a back-off, and ties every one to its own life.

Each child leads its own process group (so whatever it starts can be ended with it) and gets
SIGTERM if the launcher dies (PR_SET_PDEATHSIG). `<data_dir>/run/launcher.pid` names the launcher
and the groups, so a later start can clear a stack that was left behind (`clear_stale`).
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import procs

FIRST_DELAY = 1.0  # seconds before the first restart; doubles per crash up to MAX_DELAY
MAX_DELAY = 30.0
STABLE_AFTER = 60.0  # a process that stayed up this long starts again from FIRST_DELAY
GRACE = 10.0  # SIGTERM, then SIGKILL after this long


def parse_procfile(path: Path) -> dict[str, str]:
    """`name: command` lines; blank lines and `#` comments skipped."""
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, sep, command = line.partition(":")
            if not sep or not name.strip() or not command.strip():
                raise ValueError(f"{path.name}: not a `name: command` line: {line!r}")
            out[name.strip()] = command.strip()
    return out


def describe(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"signal {-code} ({signal.Signals(-code).name})"
        return f"signal {-code}"
    return f"code {code}"


@dataclass
class Child:
    name: str
    command: str
    essential: str = ""  # when set, its exit stops everything; the text says why it matters
    proc: subprocess.Popen[bytes] | None = None
    start: int = 0  # the leader's /proc start time, for the pid file
    started: float = 0.0
    delay: float = FIRST_DELAY
    due: float | None = None  # when to start it again
    partial: bytes = b""
    fd: int = -1

    @property
    def label(self) -> str:
        return f"{self.name}.1"


@dataclass
class Supervisor:
    children: list[Child]
    env: dict[str, str]
    pid_file: Path
    data_dir: Path
    sel: selectors.DefaultSelector = field(default_factory=selectors.DefaultSelector)
    stop_asked: str = ""

    def __post_init__(self) -> None:
        self.width = max(len("system"), *(len(c.label) for c in self.children))

    # -- output ---------------------------------------------------------------------------
    def emit(self, label: str, line: str) -> None:
        with contextlib.suppress(BrokenPipeError, ValueError):
            sys.stdout.write(f"{time.strftime('%H:%M:%S')} {label:<{self.width}} | {line}\n")
            sys.stdout.flush()

    def say(self, line: str) -> None:
        self.emit("system", line)

    def read(self, child: Child) -> None:
        """Read what is there; at end of file, forget the pipe."""
        while child.fd >= 0:
            try:
                chunk = os.read(child.fd, 65536)
            except BlockingIOError:
                return
            if not chunk:
                self.close_pipe(child)
                return
            *lines, child.partial = (child.partial + chunk).split(b"\n")
            if len(child.partial) > 65536:  # no newline in sight (a progress bar): print it anyway
                lines.append(child.partial)
                child.partial = b""
            for line in lines:
                self.emit(child.label, line.decode(errors="replace").rstrip("\r"))

    def close_pipe(self, child: Child) -> None:
        if child.partial:
            self.emit(child.label, child.partial.decode(errors="replace"))
            child.partial = b""
        if child.fd >= 0:
            self.sel.unregister(child.fd)
            os.close(child.fd)
            child.fd = -1

    def pump(self, timeout: float) -> None:
        """Wait up to TIMEOUT s for output or a signal, and print what came."""
        for key, _ in self.sel.select(timeout):
            if isinstance(key.data, Child):
                self.read(key.data)
            elif isinstance(key.data, socket.socket):  # a signal came: drain the wake-up bytes
                with contextlib.suppress(BlockingIOError):
                    if signal.SIGCHLD in key.data.recv(512):
                        procs.reap_orphans({c.proc.pid for c in self.children if c.proc is not None})

    # -- children -------------------------------------------------------------------------
    def spawn(self, child: Child) -> None:
        r, w = os.pipe()
        # `exec` so the process the Procfile names is the group leader itself, not a shell.
        child.proc = subprocess.Popen(
            ["/bin/sh", "-c", f"exec {child.command}"],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=w,
            stderr=w,
            process_group=0,
            preexec_fn=procs.die_with_parent(),
        )
        os.close(w)
        os.set_blocking(r, False)
        child.fd, child.partial, child.due = r, b"", None
        self.sel.register(r, selectors.EVENT_READ, child)
        child.started = time.monotonic()
        info = procs.stat(child.proc.pid)
        child.start = info.start if info else 0
        self.say(f"{child.label} started (pid={child.proc.pid})")
        self.write_pid_file()

    def end_group(self, child: Child) -> None:
        """The leader is gone: end what it left in its group, collect the rest of its output."""
        assert child.proc is not None
        procs.stop_groups([child.proc.pid], GRACE, self.pump)
        self.read(child)
        self.close_pipe(child)

    def exited(self, child: Child, code: int) -> int | None:
        """CHILD's leader exited with CODE: restart it later, or stop everything (return the exit code)."""
        self.end_group(child)
        child.proc = None
        if child.essential:
            print(
                f"pcs: {child.name} exited with {describe(code)} ({child.essential}); stopping everything",
                file=sys.stderr,
                flush=True,
            )
            return 1
        if time.monotonic() - child.started >= STABLE_AFTER:
            child.delay = FIRST_DELAY
        self.say(f"pcs: {child.name} exited with {describe(code)}; restarting in {child.delay:g} s")
        child.due = time.monotonic() + child.delay
        child.delay = min(child.delay * 2, MAX_DELAY)
        return None

    def stop_all(self) -> None:
        running = [c for c in self.children if c.proc is not None]
        for c in running:
            self.say(f"sending SIGTERM to {c.label} (pid={c.proc.pid if c.proc else '?'})")
        procs.stop_groups([c.proc.pid for c in running if c.proc], GRACE, self.pump)
        for c in running:
            if c.proc is not None:
                code = c.proc.wait()
                self.read(c)
                self.close_pipe(c)
                self.say(f"{c.label} stopped ({describe(code)})")
                c.proc = None

    # -- the pid file ---------------------------------------------------------------------
    def write_pid_file(self) -> None:
        me = procs.stat(os.getpid())
        groups = {c.name: [c.proc.pid, c.start] for c in self.children if c.proc is not None}
        record = {"data_dir": str(self.data_dir), "launcher": [os.getpid(), me.start if me else 0], "groups": groups}
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.pid_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(record))
        tmp.replace(self.pid_file)

    def remove_pid_file(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            if json.loads(self.pid_file.read_text())["launcher"][0] == os.getpid():
                self.pid_file.unlink()

    # -- the loop -------------------------------------------------------------------------
    def run(self) -> int:
        """Start every child; supervise until a signal or an essential child's exit. Returns the exit code."""
        wake_r, wake_w = socket.socketpair()
        wake_r.setblocking(False)
        wake_w.setblocking(False)
        self.sel.register(wake_r, selectors.EVENT_READ, wake_r)
        signal.set_wakeup_fd(wake_w.fileno(), warn_on_full_buffer=False)

        def on_stop(sig: int, _frame: object) -> None:
            self.stop_asked = self.stop_asked or signal.Signals(sig).name

        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, on_stop)
        signal.signal(signal.SIGCHLD, lambda _s, _f: None)  # only to wake the loop up
        procs.become_subreaper()  # what a child leaves behind stays in this tree, and is collected here
        code = 0
        try:
            for child in self.children:
                if not self.stop_asked:
                    self.spawn(child)
            while not self.stop_asked:
                due = [c.due for c in self.children if c.due is not None]
                self.pump(max(0.0, min([*due, time.monotonic() + 1.0]) - time.monotonic()))
                for child in self.children:
                    if child.proc is not None and (rc := child.proc.poll()) is not None and not self.stop_asked:
                        if (result := self.exited(child, rc)) is not None:
                            code = result
                            self.stop_asked = "exit"
                            break
                    elif child.due is not None and child.due <= time.monotonic() and not self.stop_asked:
                        self.spawn(child)
            if self.stop_asked != "exit":
                self.say(f"{self.stop_asked} received: stopping everything")
            self.stop_all()
        finally:
            # Whatever happened (even an error here), leave nothing running.
            procs.stop_groups([c.proc.pid for c in self.children if c.proc is not None], GRACE)
            self.remove_pid_file()
        return code


def pid_file(data_dir: Path) -> Path:
    return data_dir / "run" / "launcher.pid"


def clear_stale(data_dir: Path) -> None:
    """If `<data_dir>/run/launcher.pid` names a stack of this data dir that is still there with no
    live launcher (it was killed, or is frozen), stop it: SIGKILL the frozen launcher, SIGTERM then
    SIGKILL every process of its recorded groups that carries PCS_DATA_DIR=<this data dir>. Nothing
    else is touched. One line says what was done. A live launcher: refuse with one line."""
    from .common import die

    path = pid_file(data_dir)
    try:
        record = json.loads(path.read_text())
        launcher_pid, launcher_start = (int(x) for x in record["launcher"])
        pgids = {int(v[0]) for v in record["groups"].values()}
    except FileNotFoundError:
        return
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)  # unreadable: it cannot name anything we may stop
        return
    victims: list[int] = []
    if procs.same_process(launcher_pid, launcher_start) and any(
        "pcs_app.cli" in a for a in procs.cmdline(launcher_pid)
    ):
        info = procs.stat(launcher_pid)
        if info is not None and info.state not in ("T", "t"):
            die(f"PCS is already running for the data dir {data_dir} (launcher pid {launcher_pid}); stop it first.")
        os.kill(launcher_pid, signal.SIGKILL)
        victims.append(launcher_pid)

    def ours() -> list[int]:
        return [p for p in procs.group_members(pgids) if procs.environ(p).get("PCS_DATA_DIR") == str(data_dir)]

    victims += procs.stop_processes(ours, GRACE)
    if victims:
        print(
            f"pcs: stopped a PCS left running for this data dir (pids {' '.join(map(str, sorted(set(victims))))})",
            file=sys.stderr,
            flush=True,
        )
    path.unlink(missing_ok=True)
