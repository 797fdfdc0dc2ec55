"""A fork server for the crash tests: import the app once, then fork each process asked for.

A crash test restarts the API, the worker and the command line tools hundreds of times; importing
the app costs 1.5-5 s of CPU per start on this machine, a fork a few milliseconds. Each child is a
fresh process (its own session, so a SIGKILL of its group takes its children too) that runs the
very entry point a shell would: ``python -m pcs_app.cli ARGS`` or ``python -m uvicorn ARGS``, with
exactly the environment it is given. Nothing of the app is *started* here (the app does no work at
import time), so no thread, connection or setting is carried into the children.

Every child dies with the fork server, and the fork server with the test (parent-death signal), so
a test killed outright leaves nothing running.

Protocol (JSON lines): stdin ``{"id", "prog": "pcs"|"uvicorn", "argv", "env", "log", "cwd"}``;
stdout ``{"ready": true}`` once, ``{"id", "pid"}`` per fork, ``{"exit": pid, "code"}`` per child gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import os
import select
import signal
import sys
import traceback
from typing import Any

PRELOAD = (
    "boto3",
    "botocore.session",
    "sqlalchemy",
    "sqlmodel",
    "psycopg",
    "alembic.runtime.migration",
    "alembic.script",
    "huey",
    "httpx",
    "uvicorn.main",
    "pcs_app.settings",
    "pcs_app.wiring",
    "pcs_app.cli",
    "pcs_app.services.fsck",
    "pcs_app.services.gc",
    "pcs_app.api.app",
    "backend_jobs",
    "backend_jobs.gc",
    "backend_jobs.retention",
    "backend_jobs.thumbnails",
)


PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True)


def _die_with_parent(parent: int) -> None:
    """SIGKILL this process when its parent dies (a test killed outright leaves nothing running)."""
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _exit_code(e: SystemExit) -> int:
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code
    print(e.code, file=sys.stderr)
    return 1


def _child(req: dict[str, Any], parent: int) -> None:
    """In the forked child: become a fresh process running the requested entry point; never returns."""
    code = 1
    try:
        _die_with_parent(parent)
        os.setsid()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        fd = os.open(req["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        os.close(null)
        sys.stdin = open(0, closefd=False)
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        os.environ.clear()
        os.environ.update(req["env"])
        os.chdir(req["cwd"])
        argv = list(req["argv"])
        try:
            if req["prog"] == "pcs":
                from pcs_app.cli import main

                sys.argv = ["pcs", *argv]
                main(argv)
            else:
                from uvicorn.main import main as uvicorn_main

                sys.argv = ["uvicorn", *argv]
                uvicorn_main.main(argv, prog_name="uvicorn")
            code = 0
        except SystemExit as e:
            code = _exit_code(e)
    except BaseException:  # noqa: BLE001 - report it in the child's log, then leave with 1
        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _say(msg: dict[str, Any]) -> None:
    os.write(1, (json.dumps(msg) + "\n").encode())


def _reap(live: set[int]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        live.discard(pid)
        _say({"exit": pid, "code": os.waitstatus_to_exitcode(status)})


def main() -> None:
    _die_with_parent(int(sys.argv[1]))
    for name in PRELOAD:
        importlib.import_module(name)
    _say({"ready": True})
    buf, live, me = b"", set[int](), os.getpid()
    while True:
        ready, _, _ = select.select([0], [], [], 0.02)
        if ready:
            data = os.read(0, 1 << 16)
            if not data:  # the test is done with us (it has killed its children already)
                for pid in live:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(pid, signal.SIGKILL)
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                req = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _child(req, me)
                live.add(pid)
                _say({"id": req["id"], "pid": pid})
        _reap(live)


if __name__ == "__main__":
    main()
