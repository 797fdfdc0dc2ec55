"""The audit log's cost on the small-file upload benchmark: ``PUT /api/v1/nodes/{id}/files`` of 4 KiB files
by 16 concurrent clients, as in bench/small.py, with the audit and usage ledger on and off.

The API runs in this process (uvicorn on 127.0.0.1, the same FastAPI app the web server mounts, real
SeaweedFS, SQLite), so the ledger can be switched between rounds; the clients are threads of the same
process. Rounds alternate off/on and on/off; the overhead is the median of each adjacent pair's
``1 - on/off`` (pairing cancels the drift of a run), beside the medians of the rates.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from pcs_app.adapters.seaweed import free_port
from pcs_app.api.app import create_api
from pcs_app.wiring import set_core

from .common import Row, Section
from .dashboard import GOAL_OVERHEAD, _core, alternating, ledger_round
from .stack import Api


def _serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name="bench-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the in-process API did not start")
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def run(s3: Any, work: Path, files: int, size: int, threads: int, rounds: int) -> Section:
    sec = Section(
        f"audit overhead on the small-file upload benchmark: {files:,} x {size / 1024:g} KiB per round, "
        f"{threads} concurrent PUTs through the API",
        "the same uploads with the ledger off (no audit row, no usage event, no JSON line), adjacent rounds, same run",
    )
    core = _core(work / "audit-api", s3, None)
    set_core(core)
    server, thread, url = _serve(create_api())
    api = Api(url, max_connections=threads * 2)
    try:
        api.signup(f"audit-api-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(16))

        cpu: dict[bool, list[float]] = {True: [], False: []}  # this process's CPU ms per file (server + clients)

        def one_round(on: bool, n: int, tag: str) -> float:
            folder = api.mkdir(api.root_id, f"round-{tag}")
            data = [os.urandom(size) for _ in range(n)]
            sums = [hashlib.sha256(d).hexdigest() for d in data]

            def put(i: int) -> None:
                r = api.http.put(
                    f"/nodes/{folder}/files",
                    params={"name": f"f{i:05d}.bin"},
                    content=data[i],
                    headers={"X-Content-SHA256": sums[i], "Content-Type": "application/octet-stream"},
                )
                if r.status_code != 201:
                    raise RuntimeError(f"upload answered {r.status_code}: {r.text[:200]}")

            return ledger_round(on, put, n, threads, cpu[on])

        one_round(True, max(32, files // 5), "warm-up")
        cpu[True].clear()
        on_rates, off_rates, pairs = alternating(one_round, files, rounds, "audit (API)")
    finally:
        api.close()
        server.should_exit = True
        thread.join(30)
        set_core(None)
        core.close()
    on_med, off_med, overhead = statistics.median(on_rates), statistics.median(off_rates), statistics.median(pairs)
    met = overhead < GOAL_OVERHEAD
    sec.rows.append(Row(sec.name, "uploads with audit + usage", "files/s", on_med, off_med, "(medians)", None))
    sec.rows.append(Row(sec.name, "overhead", "%", overhead * 100, None, f"<{GOAL_OVERHEAD * 100:g} %", met))
    cpu_on, cpu_off = statistics.median(cpu[True]), statistics.median(cpu[False])
    sec.rows.append(Row(sec.name, "CPU per upload (server + clients)", "ms", cpu_on, cpu_off, "(for reference)", None))
    sec.notes.append(
        f"{rounds} adjacent pairs (order alternating); overhead per pair: "
        f"{', '.join(f'{p * 100:.1f}' for p in pairs)} %; rates on: {', '.join(f'{x:.0f}' for x in on_rates)}; "
        f"off: {', '.join(f'{x:.0f}' for x in off_rates)}. A negative overhead is real: each commit that takes a "
        "little longer lets more uploads wait for the next one, so groups grow (services/content/group.py)"
    )
    sec.samples = {"on": on_rates, "off": off_rates, "pairs": pairs}
    return sec
