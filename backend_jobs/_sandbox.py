"""Render untrusted files in separate processes: an address-space limit, a timeout, and a crash that
costs one child process instead of the worker. The same children also extract text for search
(``Sandbox.extract``; a request with ``"op": "extract"``).

Children are long-lived (importing Pillow each time would cost more than a thumbnail) and speak one
JSON line per request and per answer over their stdin/stdout. Each is replaced after a number of
jobs, so memory fragmented by odd files is handed back. Pipes need no shared memory, so this also
works inside AWS Lambda.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import selectors
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ._extract import Extracted, ExtractRequest
from ._render import RenderRequest, RenderResult

log = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parent.parent
READY = "ready"
ERROR = "error"  # a reason that is not the file's fault
START_TIMEOUT = 30.0


class SandboxUnavailable(RuntimeError):
    """A render process could not be started: a problem of this machine, not of the file (retry later)."""


class _Died(Exception):
    pass


class _TimedOut(Exception):
    pass


class _Child:
    def __init__(self, memory_mb: int, max_jobs: int) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "backend_jobs._sandbox", str(memory_mb), str(max_jobs)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=str(PROJECT_ROOT),
        )
        self.jobs_left = max_jobs
        self._buf = b""
        try:
            first = self.readline(START_TIMEOUT)
        except (_Died, _TimedOut) as e:
            self.kill()
            raise SandboxUnavailable(f"the thumbnail sandbox did not start ({type(e).__name__})") from e
        if first.strip() != READY:
            self.kill()
            raise SandboxUnavailable(f"the thumbnail sandbox said {first[:200]!r} instead of ready")

    def readline(self, timeout: float) -> str:
        """One line from the child, or _TimedOut / _Died."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buf:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _TimedOut
                if not sel.select(remaining):
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise _Died(self.proc.wait())
                self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line.decode()

    def ask_raw(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request, wait for its answer (or _TimedOut / _Died)."""
        assert self.proc.stdin is not None
        self.jobs_left -= 1
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise _Died(self.proc.poll()) from e
        answer: dict[str, Any] = json.loads(self.readline(timeout))
        return answer

    def ask(self, req: RenderRequest, timeout: float) -> RenderResult:
        answer = self.ask_raw(asdict(req), timeout)
        answer["outputs"] = {int(k): v for k, v in answer.get("outputs", {}).items()}
        return RenderResult(**answer)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            if f is not None:
                f.close()

    def close(self) -> None:
        """Ask the child to exit (end of input), killing it if it does not."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class Sandbox:
    """A pool of render processes, one per concurrent caller, each limited to ``memory_mb`` of address space."""

    def __init__(self, memory_mb: int, max_jobs_per_child: int = 200) -> None:
        self.memory_mb = memory_mb
        self.max_jobs = max_jobs_per_child
        self._idle: list[_Child] = []
        self._lock = threading.Lock()
        atexit.register(self.close)

    def render(self, req: RenderRequest, timeout: float) -> RenderResult:
        """Render in a child; a child that dies twice on the same file, or runs out of time, means no thumbnail."""
        answer = self._call(asdict(req), timeout, "thumbnail", req.input)
        if answer == "timeout":
            return RenderResult(False, "timeout", f"gave up after {timeout:g} s")
        if answer == "crashed":
            return RenderResult(False, "crashed", "the decoder crashed on this file twice")
        assert isinstance(answer, dict)
        answer["outputs"] = {int(k): v for k, v in answer.get("outputs", {}).items()}
        return RenderResult(**answer)

    def extract(self, req: ExtractRequest, timeout: float) -> Extracted:
        """Extract text in a child; a child that dies twice on the same file, or runs out of time, means no text."""
        answer = self._call({"op": "extract", **asdict(req)}, timeout, "text extraction", req.input)
        if answer == "timeout":
            return Extracted("", skipped_reason="timeout", detail=f"gave up after {timeout:g} s")
        if answer == "crashed":
            return Extracted("", skipped_reason="crashed", detail="the extractor crashed on this file twice")
        assert isinstance(answer, dict)
        return Extracted(**answer)

    def _call(self, request: dict[str, Any], timeout: float, what: str, path: str) -> dict[str, Any] | str:
        """The child's answer, or "timeout" / "crashed" (died twice: once may be bad luck, twice is the file)."""
        for attempt in (1, 2):
            child = self._take()
            try:
                answer = child.ask_raw(request, timeout)
            except _TimedOut:
                child.kill()
                return "timeout"
            except _Died as e:
                child.kill()
                log.warning("%s sandbox died (exit %s) on %s, attempt %d", what, e.args[0], path, attempt)
                continue
            self._give_back(child)
            return answer
        return "crashed"

    def _take(self) -> _Child:
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.alive():
                    return child
                child.kill()
        return _Child(self.memory_mb, self.max_jobs)

    def _give_back(self, child: _Child) -> None:
        if child.jobs_left <= 0 or not child.alive():
            child.close()
            return
        with self._lock:
            self._idle.append(child)

    def close(self) -> None:
        """End every idle child."""
        with self._lock:
            idle, self._idle = self._idle, []
        for child in idle:
            child.close()


_shared: dict[int, Sandbox] = {}
_shared_lock = threading.Lock()


def shared_sandbox(memory_mb: int) -> Sandbox:
    """The process's sandbox pool for this memory limit, created on first use."""
    with _shared_lock:
        if memory_mb not in _shared:
            _shared[memory_mb] = Sandbox(memory_mb)
        return _shared[memory_mb]


# -- the child -----------------------------------------------------------------------------------


def _peak_rss_kb() -> int | None:
    """This process's peak resident memory (VmHWM; ru_maxrss would include the parent's before exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _child_main(memory_mb: int, max_jobs: int) -> None:
    """Serve render and extraction requests from stdin until end of input or ``max_jobs``."""
    import resource

    from PIL import Image  # noqa: F401 - loaded before the limit, like everything a render needs

    from . import _extract, _render

    _render._register_heif()
    # Answers go over a private copy of stdout; anything a library prints lands on stderr instead.
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    answers.write(READY + "\n")
    for _ in range(max_jobs):
        line = sys.stdin.readline()
        if not line:
            return
        fields = json.loads(line)
        result: RenderResult | Extracted
        if fields.pop("op", None) == "extract":
            try:
                result = _extract.run(ExtractRequest(**fields))
            except MemoryError:
                result = Extracted("", skipped_reason="out_of_memory", detail="over the sandbox's memory limit")
            except Exception as e:  # noqa: BLE001 - not the file's fault (e.g. disk full): the job retries
                result = Extracted("", skipped_reason=ERROR, detail=f"{type(e).__name__}: {e}"[:300])
        else:
            req = RenderRequest(**{**fields, "sizes": tuple(fields["sizes"])})
            try:
                result = _render.render(req)
            except MemoryError:
                result = RenderResult(False, "out_of_memory", "over the sandbox's memory limit")
            except Exception as e:  # noqa: BLE001 - not the file's fault (e.g. disk full): the job retries
                result = RenderResult(False, ERROR, f"{type(e).__name__}: {e}"[:300])
        result_dict = asdict(result)
        result_dict["peak_rss_kb"] = _peak_rss_kb()
        answers.write(json.dumps(result_dict) + "\n")


if __name__ == "__main__":
    _child_main(int(sys.argv[1]), int(sys.argv[2]))
