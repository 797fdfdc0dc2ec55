"""Process plumbing for the launcher: parent-death signals, process groups, what /proc says."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NoReturn

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None]:
    """A `preexec_fn`: the child gets SIG when this process dies, even by SIGKILL.

    libc is loaded here, before the fork; the child only calls into it. If this process died
    between the fork and the prctl, the child would never be told: it checks and leaves at once.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def preexec() -> None:
        libc.prctl(PR_SET_PDEATHSIG, sig)
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def become_subreaper() -> None:
    """Orphans of this process's descendants become its children (not init's), to be collected here."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1)


def reap_orphans(keep: set[int]) -> None:
    """Collect the exit status of dead adopted orphans (children not in KEEP, which Popen collects)."""
    me = os.getpid()
    for p in all_procs():
        if p.ppid == me and not p.running and p.pid not in keep:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(p.pid, os.WNOHANG)


@dataclass(frozen=True)
class Proc:
    """One line of /proc/PID/stat, the fields we use."""

    pid: int
    ppid: int
    pgid: int
    state: str
    start: int  # clock ticks after boot: with the pid, names one process for good

    @property
    def running(self) -> bool:
        return self.state not in ("Z", "X")


def stat(pid: int) -> Proc | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return Proc(pid, int(fields[1]), int(fields[2]), fields[0], int(fields[19]))


def all_procs() -> list[Proc]:
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit() and (p := stat(int(name))) is not None:
            out.append(p)
    return out


def same_process(pid: int, start: int) -> bool:
    """Is PID still the process that started at START (not gone, not a zombie, not a reused pid)?"""
    p = stat(pid)
    return p is not None and p.running and p.start == start


def environ(pid: int) -> dict[str, str]:
    """The environment PID started with ({} if it is gone or not ours to read)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            raw = f.read()
    except OSError:
        return {}
    pairs = (item.decode(errors="replace").partition("=") for item in raw.split(b"\0") if item)
    return {k: v for k, _, v in pairs}


def cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def group_members(pgids: Iterable[int]) -> list[int]:
    """Live (non-zombie) processes in any of these process groups."""
    wanted = set(pgids)
    return [p.pid for p in all_procs() if p.pgid in wanted and p.running]


def stop_processes(
    find: Callable[[], list[int]], grace: float, pump: Callable[[float], None] = time.sleep
) -> list[int]:
    """SIGTERM (and SIGCONT, for stopped ones) what `find` returns until it returns nothing; SIGKILL
    what is left after GRACE seconds. `pump(seconds)` waits between looks (the supervisor keeps
    printing its children's output meanwhile). Returns the pids that were signalled."""
    deadline = time.monotonic() + grace
    sent: dict[int, int] = {}
    while (left := find()) and time.monotonic() < deadline + 5:
        sig = signal.SIGTERM if time.monotonic() < deadline else signal.SIGKILL
        for pid in left:
            if sent.get(pid) != sig:
                sent[pid] = sig
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
                    os.kill(pid, signal.SIGCONT)
        pump(0.1)
    return sorted(sent)


def stop_groups(pgids: Iterable[int], grace: float, pump: Callable[[float], None] = time.sleep) -> None:
    groups = set(pgids)
    me = os.getpid()
    stop_processes(lambda: [p for p in group_members(groups) if p != me], grace, pump)


def exit_like(code: int) -> NoReturn:
    """Leave with the status of a child that exited with CODE (a negative code: killed by that signal)."""
    if code < 0:
        with contextlib.suppress(OSError, ValueError):  # SIGKILL and SIGSTOP keep their default
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        sys.exit(128 - code)  # a signal that does not end a process by default
    sys.exit(code)


def run_child(argv: list[str], env: dict[str, str], grace: float = 10.0) -> NoReturn:
    """Run ARGV as a child and exit as it does. SIGTERM, SIGINT or SIGHUP here become SIGTERM for it
    (SIGKILL after GRACE s). The child dies with this process (PR_SET_PDEATHSIG); when this process
    leads its process group (the launcher starts it so), whatever the child leaves in the group
    (Reflex's server workers, node) is ended before leaving, so nothing outlives it."""
    proc = subprocess.Popen(argv, env=env, preexec_fn=die_with_parent())
    asked: list[float] = []

    def on_signal(_sig: int, _frame: object) -> None:
        # Only pass it on: the main loop below collects the child.
        if not asked:
            asked.append(time.monotonic())
        proc.send_signal(signal.SIGTERM)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    while True:
        try:
            code = proc.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            if asked and time.monotonic() - asked[0] > grace:
                proc.kill()
    if os.getpgrp() == os.getpid():
        stop_groups([os.getpid()], grace=5)
    exit_like(code)
